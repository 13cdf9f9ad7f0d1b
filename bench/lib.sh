# Shell helpers shared by the benchmarks (sourced): reading wrk's output and the
# gateway's /metrics.

say() { printf '%s\n' "$*" >&2; }
die() { say "${BENCH_NAME:-bench}: $*"; exit 1; }

# "311.00us" / "0.94ms" / "1.20s" → milliseconds
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0
    if (v ~ /us$/) n = n / 1000; else if (v ~ /ms$/) n = n; else if (v ~ /m$/) n = n * 60000; else if (v ~ /s$/) n = n * 1000
    printf "%.3f", n }'
}
wrk_rps() { awk '/^Requests\/sec:/{print $2}' "$1"; }
wrk_pct() { to_ms "$(awk -v p="$2%" '$1 == p {print $2}' "$1")"; }
wrk_non2xx() { awk -F': ' '/Non-2xx or 3xx responses/{print $2}' "$1" | grep . || echo 0; }
wrk_socket_errors() { sed -n 's/^ *Socket errors: //p' "$1" | grep . || echo none; }
wrk_field() { sed -n "s/.*bench_requests .*$2=\([0-9]*\).*/\1/p" "$1"; }
# CPU seconds (user + system) a process has used so far.
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"; }

# The first sample of metric `name` in a /metrics file, optionally only lines containing `filter`.
metric() {  # file name [filter]
  awk -v n="$2" -v f="${3:-}" 'index($0, n) == 1 && (f == "" || index($0, f)) && $0 !~ /^#/ {print $2; exit}' "$1"
}

# Installs wrk from Debian when it is missing.
need_wrk() {
  command -v wrk >/dev/null 2>&1 && return 0
  say "wrk is missing: installing the Debian package"
  local sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get install -y wrk >/dev/null 2>&1 || { $sudo apt-get update >/dev/null && $sudo apt-get install -y wrk >/dev/null; } ||
    die "could not install wrk (apt-get install wrk)"
}
