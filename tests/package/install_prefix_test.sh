#!/bin/sh
# `cmake --install` into a temporary prefix, then the installed gateway run from
# other folders: `check` and `simulate` find the installed content, and `serve`
# with a config that names no content_dir starts and answers /healthz.
#
#   tests/package/install_prefix_test.sh BUILD_DIR
set -eu
build=$(cd "$1" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/gw-install-XXXXXX")
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
  echo "install_prefix_test: $*" >&2
  exit 1
}

p="$tmp/prefix"
cmake --install "$build" --prefix "$p" >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; fail "install failed"; }

# What is installed, and where.
[ -x "$p/bin/gateway" ] || fail "no bin/gateway"
for d in flows templates translations; do
  [ -d "$p/share/helpline-gateway/$d" ] || fail "no share/helpline-gateway/$d"
done
[ -f "$p/share/helpline-gateway/translations/messages.pot" ] || fail "no messages.pot"
[ -f "$p/share/doc/helpline-gateway/examples/gateway.sqlite.json" ] || fail "no example config"
[ -f "$p/share/doc/helpline-gateway/examples/gateway.postgres.json" ] || fail "no postgres example"
unit="$p/lib/systemd/system/helpline-gateway.service"
[ -f "$unit" ] || fail "no lib/systemd/system/helpline-gateway.service"
grep -qx "ExecStart=$p/bin/gateway serve --config $p/etc/helpline-gateway/gateway.json" "$unit" ||
  fail "the unit's ExecStart does not name the prefix: $(grep ExecStart "$unit")"
grep -qx "Type=notify" "$unit" || fail "the unit is not Type=notify"
grep -q "\"content_dir\": \"$p/share/helpline-gateway\"" "$p/etc/helpline-gateway/gateway.json" ||
  fail "etc/helpline-gateway/gateway.json does not name the installed content"
[ ! -e "$p/bin/gateway_tests" ] || fail "the test binary is installed"

# `check`, from a folder that holds no content.
mkdir "$tmp/elsewhere"
(cd "$tmp/elsewhere" && "$p/bin/gateway" check >"$tmp/check.out" 2>&1) || { cat "$tmp/check.out"; fail "check failed"; }
grep -q "^check: 0 errors" "$tmp/check.out" || { cat "$tmp/check.out"; fail "check reported errors"; }

# `simulate` from bin/: a reply of the shipped flows.
(cd "$p/bin" && printf 'hello\n' | ./gateway simulate --from +447700900123 >"$tmp/sim.out" 2>&1) ||
  { cat "$tmp/sim.out"; fail "simulate failed"; }
grep -q "Free, confidential helpline" "$tmp/sim.out" || { cat "$tmp/sim.out"; fail "simulate gave no welcome"; }

# `serve` with listen and database only.
cat >"$tmp/gw.json" <<JSON
{"listen": "127.0.0.1:0", "database": {"path": "$tmp/data/gateway.db"}}
JSON
(cd "$tmp/elsewhere" && exec "$p/bin/gateway" serve --config "$tmp/gw.json") >"$tmp/serve.out" 2>"$tmp/serve.err" &
pid=$!
port=""
# Waits for the "http.listening" log line (the gateway picks its port), at most 30 s.
deadline=$(($(date +%s) + 30))
while [ -z "$port" ]; do
  port=$(sed -n 's/.*"event":"http.listening".*"listen":"127.0.0.1:\([0-9]*\)".*/\1/p' "$tmp/serve.err" | head -n1)
  if [ -z "$port" ]; then
    kill -0 "$pid" 2>/dev/null || { cat "$tmp/serve.err"; fail "serve exited"; }
    [ "$(date +%s)" -lt "$deadline" ] || { cat "$tmp/serve.err"; fail "serve did not listen within 30 s"; }
    sleep 0.05
  fi
done
health=$(curl -fsS "http://127.0.0.1:$port/healthz") || fail "/healthz did not answer"
echo "$health" | grep -q '"status":"ok"' || fail "/healthz: $health"
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
pid=""
[ "$status" -eq 0 ] || { cat "$tmp/serve.err"; fail "serve exited with $status after SIGTERM"; }
echo "install_prefix_test: ok ($p)"
