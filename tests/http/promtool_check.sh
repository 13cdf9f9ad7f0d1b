#!/bin/sh
# Scrapes BASE_URL/metrics and runs it through `promtool check metrics`
# (Debian package "prometheus"). Exits non-zero if the scrape fails or promtool
# reports any problem, lint findings included.
#   tests/http/promtool_check.sh http://127.0.0.1:8080
set -eu

if [ $# -ne 1 ]; then
  echo "usage: $0 BASE_URL   (e.g. http://127.0.0.1:8080)" >&2
  exit 2
fi
command -v promtool >/dev/null 2>&1 || { echo "promtool not found (apt install prometheus)" >&2; exit 2; }
url="${1%/}/metrics"

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
if ! curl --silent --show-error --fail --max-time 10 "$url" -o "$tmp"; then
  echo "cannot scrape $url" >&2
  exit 1
fi
if [ ! -s "$tmp" ]; then
  echo "$url returned an empty body" >&2
  exit 1
fi

report=$(promtool check metrics < "$tmp" 2>&1) && rc=0 || rc=$?
if [ "$rc" -ne 0 ] || [ -n "$report" ]; then
  printf '%s\n' "$report" >&2
  echo "promtool found problems in $url (exit $rc)" >&2
  exit 1
fi
echo "promtool: $url OK ($(grep -c '^# TYPE' "$tmp") families)"
