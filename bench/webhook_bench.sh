#!/usr/bin/env bash
# Benchmark: signed Twilio inbound webhooks, the gateway against a bare cpp-httplib
# server configured the same way (TCP_NODELAY + SO_REUSEADDR, same thread pool,
# timeouts, keep-alive count and body limit), driven by wrk on 127.0.0.1 only.
#
# A benchmark, not a test: it prints figures and whether each target is met
#   throughput ratio gateway/bare >= 0.5, gateway p99 <= 10 ms, gateway peak RSS <= 64 MB
# and exits non-zero only when something is broken (a build or start failure, a 4xx/5xx
# from the gateway, handled messages not matching the requests sent once the intake's
# backlog is handled, a non-zero exit of the gateway on SIGTERM), or with BENCH_STRICT=1
# when a target is missed. The webhooks are answered once a message is in the intake;
# it also prints how many were handled by the end of the run, and how fast the rest were.
#
# The bare server doubles as Twilio's Messages API for the gateway's sender
# (api_base), so the replies the gateway queues are really sent during the run.
#
# Environment (all optional):
#   BENCH_SECONDS=10        duration of each measured wrk run
#   BENCH_CONNECTIONS=16    wrk connections (wrk uses 2 threads)
#   BENCH_WARMUP_SECONDS=2  warm-up run before each measured run (own requests)
#   BENCH_REQUESTS=300000   distinct signed requests for the gateway's measured run; if the
#                           gateway is faster than that over BENCH_SECONDS, requests repeat
#                           (duplicates, which it answers without storing) and a warning says so
#   BENCH_DB_DIR=<tmp>      where the gateway's SQLite database goes (e.g. /dev/shm, to see
#                           how much the disk costs)
#   BENCH_LOG_LEVEL=info    the gateway's log_level
#   BENCH_DRAIN_TIMEOUT=600 seconds to wait, after the run, for the intake's backlog to be handled
#   BENCH_BUILD_DIR=<repo>/build-bench
#   BENCH_STRICT=0          1: exit 1 when a target is missed
#   BENCH_PERF=0            1: profile the gateway with `perf record` during its measured run
#                           and print the top symbols (needs perf; kernel.perf_event_paranoid <= 2)
#   BENCH_KEEP_OUTPUT=DIR   copy wrk's output, /metrics, the gateway's log (and perf report) there
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BENCH_BUILD_DIR:-$ROOT/build-bench}
DURATION=${BENCH_SECONDS:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-16}
WARMUP=${BENCH_WARMUP_SECONDS:-2}
GW_REQUESTS=${BENCH_REQUESTS:-300000}
LOG_LEVEL=${BENCH_LOG_LEVEL:-info}
STRICT=${BENCH_STRICT:-0}
WRK_THREADS=2
((CONNECTIONS < WRK_THREADS)) && WRK_THREADS=$CONNECTIONS
BARE_REQUESTS=20000  # the bare server does not deduplicate: repeats cost it nothing extra
WARM_REQUESTS=60000

# Targets.
TARGET_RATIO=0.5
TARGET_P99_MS=10
TARGET_RSS_MB=64

BENCH_NAME=webhook_bench
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

# --- tools ---------------------------------------------------------------------------
need_wrk
command -v curl >/dev/null 2>&1 || die "curl is needed"

# --- build (incremental: a no-op when up to date) -------------------------------------
if [[ ! -f $BUILD/CMakeCache.txt ]]; then
  say "configuring $BUILD (Release)"
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DGATEWAY_TESTS=OFF -DGATEWAY_BENCH=ON >/dev/null
fi
cmake --build "$BUILD" -j2 --target gateway bench_bare_server bench_make_requests >/dev/null ||
  die "build failed (cmake --build $BUILD -j2)"
GATEWAY=$BUILD/gateway
BARE=$BUILD/bench/bench_bare_server
MAKE_REQUESTS=$BUILD/bench/bench_make_requests

# --- temp files and cleanup -----------------------------------------------------------
TMP=$(mktemp -d /tmp/webhook-bench.XXXXXX)
DB_DIR=${BENCH_DB_DIR:-$TMP}
[[ $DB_DIR != "$TMP" ]] && DB_DIR=$(mktemp -d "$DB_DIR/webhook-bench-db.XXXXXX")
BARE_PID=""
GW_PID=""
cleanup() {
  # Only the processes this script started, by pid.
  [[ -n $GW_PID ]] && kill -TERM "$GW_PID" 2>/dev/null && wait "$GW_PID" 2>/dev/null
  [[ -n $BARE_PID ]] && kill -TERM "$BARE_PID" 2>/dev/null && wait "$BARE_PID" 2>/dev/null
  [[ $DB_DIR != "$TMP" ]] && rm -rf "$DB_DIR"
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

hex16() { od -An -tx1 -N16 /dev/urandom | tr -d ' \n'; }
export BENCH_TWILIO_TOKEN=${BENCH_TWILIO_TOKEN:-$(hex16)}
ACCOUNT_SID="AC$(hex16)"

# --- the bare server (baseline and fake Twilio API) -----------------------------------
"$BARE" >"$TMP/bare.out" 2>"$TMP/bare.err" &
BARE_PID=$!
for _ in $(seq 100); do
  grep -q '^port ' "$TMP/bare.out" 2>/dev/null && break
  sleep 0.05
done
BARE_PORT=$(awk '/^port /{print $2}' "$TMP/bare.out")
[[ -n $BARE_PORT ]] || die "bench_bare_server did not start: $(cat "$TMP/bare.err")"
BARE_URL="http://127.0.0.1:$BARE_PORT"

# --- the gateway ------------------------------------------------------------------------
GW_PORT=$("$BARE" --free-port)
GW_URL="http://127.0.0.1:$GW_PORT"
cat >"$TMP/gateway.json" <<EOF
{
  "listen": "127.0.0.1:$GW_PORT",
  "public_url": "$GW_URL",
  "database": {"driver": "sqlite", "path": "$DB_DIR/gateway.db"},
  "content_dir": "$ROOT",
  "channels": [
    {"id": "bench", "type": "twilio", "account_sid": "$ACCOUNT_SID", "auth_token": "env:BENCH_TWILIO_TOKEN",
     "from": "+447700900000", "api_base": "$BARE_URL", "max_per_second": 100}
  ],
  "log_level": "$LOG_LEVEL"
}
EOF
"$GATEWAY" serve --config "$TMP/gateway.json" >"$TMP/gateway.out" 2>"$TMP/gateway.log" &
GW_PID=$!
for _ in $(seq 200); do
  curl -fs "$GW_URL/readyz" >/dev/null 2>&1 && break
  kill -0 "$GW_PID" 2>/dev/null || { GW_PID=""; die "the gateway exited at start: $(tail -5 "$TMP/gateway.log")"; }
  sleep 0.05
done
curl -fs "$GW_URL/readyz" >/dev/null || die "the gateway is not ready after 10 s: $(tail -5 "$TMP/gateway.log")"

# --- requests: fresh, distinct MessageSids for every run -------------------------------
make_requests() {  # url count out
  "$MAKE_REQUESTS" --url "$1" --account-sid "$ACCOUNT_SID" --count "$2" --threads "$WRK_THREADS" --out "$3" ||
    die "bench_make_requests failed"
}
say "generating signed requests"
make_requests "$BARE_URL" "$WARM_REQUESTS" "$TMP/bare-warm.lua"
make_requests "$BARE_URL" "$BARE_REQUESTS" "$TMP/bare-run.lua"
make_requests "$GW_URL" "$WARM_REQUESTS" "$TMP/gw-warm.lua"
make_requests "$GW_URL" "$GW_REQUESTS" "$TMP/gw-run.lua"

run_wrk() {  # seconds lua url out
  wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$1"s --latency -s "$2" "$3" >"$4" 2>&1 || die "wrk failed: $(cat "$4")"
}

say "bare httplib: warm-up ${WARMUP}s, then ${DURATION}s at $CONNECTIONS connections"
run_wrk "$WARMUP" "$TMP/bare-warm.lua" "$BARE_URL" "$TMP/wrk-bare-warm.txt"
BARE_CPU0=$(cpu_s "$BARE_PID")
run_wrk "$DURATION" "$TMP/bare-run.lua" "$BARE_URL" "$TMP/wrk-bare.txt"
BARE_CPU=$(awk -v a="$BARE_CPU0" -v b="$(cpu_s "$BARE_PID")" 'BEGIN { printf "%.2f", b - a }')
say "gateway: warm-up ${WARMUP}s, then ${DURATION}s at $CONNECTIONS connections"
run_wrk "$WARMUP" "$TMP/gw-warm.lua" "$GW_URL" "$TMP/wrk-gw-warm.txt"
PERF_PID=""
if [[ ${BENCH_PERF:-0} == 1 ]] && command -v perf >/dev/null 2>&1; then
  perf record -q -F 199 --call-graph dwarf,16384 -p "$GW_PID" -o "$TMP/perf.data" -- sleep "$DURATION" >/dev/null 2>&1 &
  PERF_PID=$!
fi
GW_CPU0=$(cpu_s "$GW_PID")
run_wrk "$DURATION" "$TMP/gw-run.lua" "$GW_URL" "$TMP/wrk-gw.txt"
GW_CPU=$(awk -v a="$GW_CPU0" -v b="$(cpu_s "$GW_PID")" 'BEGIN { printf "%.2f", b - a }')
if [[ -n $PERF_PID ]]; then
  wait "$PERF_PID" || true
  perf report -i "$TMP/perf.data" --stdio --no-children --percent-limit 0.7 --sort dso,symbol -g none \
    >"$TMP/perf.txt" 2>/dev/null || true
fi
sleep 1  # requests written just before wrk stopped are still being answered

# --- the intake's backlog -----------------------------------------------------------------
# The webhook answers once a message is stored in the intake; the conversations
# handle it right after, on a thread of their own. What is left at the end of the
# run is handled now, with no requests coming in: how long that takes gives the
# rate at which messages are handled.
handled_of() { metric "$1" 'gateway_messages_total{' 'channel="bench",direction="inbound"'; }
curl -fs "$GW_URL/metrics" >"$TMP/metrics-end.txt" || die "GET /metrics failed"
HANDLED_AT_END=$(handled_of "$TMP/metrics-end.txt")
HANDLED_AT_END=${HANDLED_AT_END:-0}
BACKLOG_AT_END=$(metric "$TMP/metrics-end.txt" gateway_intake_depth)
BACKLOG_AT_END=${BACKLOG_AT_END:-0}
DRAIN_START=$(date +%s.%N)
DRAIN_LIMIT=${BENCH_DRAIN_TIMEOUT:-600}
while :; do
  curl -fs "$GW_URL/metrics" >"$TMP/metrics.txt" || die "GET /metrics failed"
  DEPTH=$(metric "$TMP/metrics.txt" gateway_intake_depth)
  [[ ${DEPTH:-1} == 0 ]] && break
  awk -v a="$DRAIN_START" -v b="$(date +%s.%N)" -v l="$DRAIN_LIMIT" 'BEGIN { exit !(b - a > l) }' &&
    die "the intake still holds ${DEPTH:-?} messages after ${DRAIN_LIMIT} s"
  sleep 0.2
done
DRAIN_SECONDS=$(awk -v a="$DRAIN_START" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')

# --- measurements -----------------------------------------------------------------------
GW_HWM_KB=$(awk '/^VmHWM:/{print $2}' "/proc/$GW_PID/status")
GW_RSS_KB=$(awk '/^VmRSS:/{print $2}' "/proc/$GW_PID/status")
BARE_HWM_KB=$(awk '/^VmHWM:/{print $2}' "/proc/$BARE_PID/status")
curl -fs "$BARE_URL/stats" >"$TMP/bare-stats.json" || true

BARE_RPS=$(wrk_rps "$TMP/wrk-bare.txt")
GW_RPS=$(wrk_rps "$TMP/wrk-gw.txt")
BARE_P50=$(wrk_pct "$TMP/wrk-bare.txt" 50)
BARE_P99=$(wrk_pct "$TMP/wrk-bare.txt" 99)
GW_P50=$(wrk_pct "$TMP/wrk-gw.txt" 50)
GW_P99=$(wrk_pct "$TMP/wrk-gw.txt" 99)
RATIO=$(awk -v g="$GW_RPS" -v b="$BARE_RPS" 'BEGIN { printf "%.3f", (b > 0 ? g / b : 0) }')
GW_HWM_MB=$(awk -v k="$GW_HWM_KB" 'BEGIN { printf "%.1f", k / 1024 }')
BARE_HWM_MB=$(awk -v k="$BARE_HWM_KB" 'BEGIN { printf "%.1f", k / 1024 }')

# Correctness: every distinct request sent to the gateway (warm-up and run) stored once.
SENT_WARM=$(wrk_field "$TMP/wrk-gw-warm.txt" sent)
DISTINCT_WARM=$(wrk_field "$TMP/wrk-gw-warm.txt" distinct)
SENT_RUN=$(wrk_field "$TMP/wrk-gw.txt" sent)
DISTINCT_RUN=$(wrk_field "$TMP/wrk-gw.txt" distinct)
WRAPPED=$(( $(wrk_field "$TMP/wrk-gw-warm.txt" wrapped) + $(wrk_field "$TMP/wrk-gw.txt" wrapped) ))
EXPECTED=$((DISTINCT_WARM + DISTINCT_RUN))
STORED=$(handled_of "$TMP/metrics.txt")
STORED=${STORED:-0}
HANDLE_RATE=$(awk -v n="$((STORED - HANDLED_AT_END))" -v d="$DRAIN_SECONDS" 'BEGIN { printf "%.0f", (d > 0 ? n / d : 0) }')
INBOUND_BY_STATUS=$(awk '/^gateway_http_requests_total\{/ && /route="twilio_inbound"/ {
    match($0, /status="[0-9]+"/); s = substr($0, RSTART + 8, RLENGTH - 9); printf "%s%s=%s", sep, s, $2; sep = " " }' \
  "$TMP/metrics.txt")
INBOUND_ERRORS=$(awk '/^gateway_http_requests_total\{/ && /route="twilio_inbound"/ && !/status="200"/ {n += $2} END {print n + 0}' \
  "$TMP/metrics.txt")
OUTBOX_DEPTH=$(metric "$TMP/metrics.txt" gateway_outbox_depth)
API_SENDS=$(sed -n 's/.*"messages_api": *\([0-9]*\).*/\1/p' "$TMP/bare-stats.json")

# --- stop both; the gateway must exit 0 --------------------------------------------------
STOP_START=$(date +%s.%N)
kill -TERM "$GW_PID"
GW_EXIT=0
wait "$GW_PID" || GW_EXIT=$?
GW_PID=""
STOP_SECONDS=$(awk -v a="$STOP_START" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
kill -TERM "$BARE_PID"
wait "$BARE_PID" || true
BARE_PID=""

# --- report ---------------------------------------------------------------------------------
met() { if [[ $1 == 1 ]]; then echo "met"; else echo "MISSED"; fi; }
RATIO_OK=$(awk -v r="$RATIO" -v t="$TARGET_RATIO" 'BEGIN { print (r >= t) ? 1 : 0 }')
P99_OK=$(awk -v p="$GW_P99" -v t="$TARGET_P99_MS" 'BEGIN { print (p <= t) ? 1 : 0 }')
RSS_OK=$(awk -v m="$GW_HWM_MB" -v t="$TARGET_RSS_MB" 'BEGIN { print (m <= t) ? 1 : 0 }')

echo
echo "Twilio inbound webhooks, wrk -t$WRK_THREADS -c$CONNECTIONS -d${DURATION}s, 127.0.0.1, $(nproc) CPUs"
# CPU per request: the server's CPU time over the run divided by the requests it answered.
us_per_req() { awk -v c="$1" -v r="$2" -v d="$DURATION" 'BEGIN { printf "%.0f", (r > 0 ? c * 1e6 / (r * d) : 0) }'; }
printf '%-14s %12s %9s %9s %8s %9s %9s %12s  %s\n' "server" "req/s" "p50 ms" "p99 ms" "non-2xx" "peak RSS" \
  "CPU s" "CPU us/req" "socket errors"
printf '%-14s %12s %9s %9s %8s %6s MB %9s %12s  %s\n' "bare httplib" "$BARE_RPS" "$BARE_P50" "$BARE_P99" \
  "$(wrk_non2xx "$TMP/wrk-bare.txt")" "$BARE_HWM_MB" "$BARE_CPU" "$(us_per_req "$BARE_CPU" "$BARE_RPS")" \
  "$(wrk_socket_errors "$TMP/wrk-bare.txt")"
printf '%-14s %12s %9s %9s %8s %6s MB %9s %12s  %s\n' "gateway" "$GW_RPS" "$GW_P50" "$GW_P99" \
  "$(wrk_non2xx "$TMP/wrk-gw.txt")" "$GW_HWM_MB" "$GW_CPU" "$(us_per_req "$GW_CPU" "$GW_RPS")" \
  "$(wrk_socket_errors "$TMP/wrk-gw.txt")"
echo
printf 'ratio gateway/bare   %-8s target >= %-5s %s\n' "$RATIO" "$TARGET_RATIO" "$(met "$RATIO_OK")"
printf 'gateway p99          %-8s target <= %-5s %s\n' "${GW_P99} ms" "$TARGET_P99_MS ms" "$(met "$P99_OK")"
printf 'gateway peak RSS     %-8s target <= %-5s %s   (VmHWM; VmRSS at the end %s MB)\n' "$GW_HWM_MB MB" \
  "$TARGET_RSS_MB MB" "$(met "$RSS_OK")" "$(awk -v k="$GW_RSS_KB" 'BEGIN { printf "%.1f", k / 1024 }')"
echo
echo "intake: by the end of the run $HANDLED_AT_END messages were handled and $BACKLOG_AT_END waited; those were" \
  "handled in ${DRAIN_SECONDS} s afterwards (${HANDLE_RATE} messages/s with no webhook coming in)"
echo
echo "correctness: gateway_messages_total{channel=\"bench\",direction=\"inbound\"} = $STORED;" \
  "distinct requests sent = $EXPECTED (warm-up $DISTINCT_WARM of $SENT_WARM sent, run $DISTINCT_RUN of $SENT_RUN sent)"
echo "             twilio_inbound responses by status: ${INBOUND_BY_STATUS:-none}"
echo "             replies sent to the fake Twilio API: ${API_SENDS:-?}; outbox depth at the end: ${OUTBOX_DEPTH:-?}"
echo "             database in $DB_DIR (removed at exit); gateway exit status on SIGTERM: $GW_EXIT (after ${STOP_SECONDS} s)"

STATUS=0
if ((WRAPPED > 0)); then
  echo "warning: the gateway got through all BENCH_REQUESTS=$GW_REQUESTS requests and saw repeats (duplicates" \
    "are cheaper than new messages): raise BENCH_REQUESTS for a fair figure"
fi
if [[ $STORED != "$EXPECTED" ]]; then
  echo "FAIL: the gateway stored $STORED messages, expected $EXPECTED"
  STATUS=1
fi
if ((INBOUND_ERRORS > 0)); then
  echo "FAIL: $INBOUND_ERRORS twilio_inbound responses were not 200"
  STATUS=1
fi
if ((GW_EXIT != 0)); then
  echo "FAIL: the gateway exited $GW_EXIT on SIGTERM (log: $(tail -3 "$TMP/gateway.log" | tr '\n' ' '))"
  STATUS=1
fi
if [[ $STRICT == 1 && ($RATIO_OK != 1 || $P99_OK != 1 || $RSS_OK != 1) ]]; then
  STATUS=1
fi
if [[ -s $TMP/perf.txt ]]; then
  echo
  echo "perf: where the gateway spent its CPU during the measured run (self time, top symbols)"
  grep -v '^#' "$TMP/perf.txt" | grep . | cut -c1-110 | sed 's/ *$//' | head -40
fi
if [[ -n ${BENCH_KEEP_OUTPUT:-} ]]; then
  mkdir -p "$BENCH_KEEP_OUTPUT" && cp "$TMP"/wrk-*.txt "$TMP"/metrics*.txt "$TMP/gateway.log" "$BENCH_KEEP_OUTPUT"/
  [[ -f $TMP/perf.data ]] && cp "$TMP/perf.data" "$TMP/perf.txt" "$BENCH_KEEP_OUTPUT"/
fi
exit $STATUS
