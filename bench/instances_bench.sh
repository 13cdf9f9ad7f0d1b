#!/usr/bin/env bash
# Benchmark: signed Twilio inbound webhooks on one gateway with SQLite, one
# gateway with PostgreSQL, and two gateways sharing that PostgreSQL database (the
# requests split between them, as a load balancer would), in one run on one
# machine, driven by wrk on 127.0.0.1 only. PostgreSQL is a throwaway cluster of
# the benchmark's own (scripts/pg-test-cluster.sh: initdb in a temporary
# directory, a Unix socket, fsync off — so the figures leave the disk out).
#
# A benchmark, not a test: it prints req/s and p99 of each, the ratio of two
# instances to one, and exits non-zero only when something is broken (a start
# failure, a non-2xx answer, messages stored not matching the requests sent).
#
# Environment (all optional):
#   BENCH_SECONDS=10        duration of each measured wrk run
#   BENCH_CONNECTIONS=16    wrk connections in all (split between two instances)
#   BENCH_REQUESTS=200000   distinct signed requests for each measured run
#   BENCH_BUILD_DIR=<repo>/build-bench
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BENCH_BUILD_DIR:-$ROOT/build-bench}
DURATION=${BENCH_SECONDS:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-16}
REQUESTS=${BENCH_REQUESTS:-200000}
BENCH_NAME=instances_bench
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
need_wrk
command -v curl >/dev/null 2>&1 || die "curl is needed"

if [[ ! -f $BUILD/CMakeCache.txt ]]; then
  say "configuring $BUILD (Release)"
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DGATEWAY_TESTS=OFF -DGATEWAY_BENCH=ON >/dev/null
fi
cmake --build "$BUILD" -j2 --target gateway bench_bare_server bench_make_requests >/dev/null ||
  die "build failed (cmake --build $BUILD -j2)"
GATEWAY=$BUILD/gateway
BARE=$BUILD/bench/bench_bare_server
MAKE_REQUESTS=$BUILD/bench/bench_make_requests

TMP=$(mktemp -d /tmp/instances-bench.XXXXXX)
chmod 755 "$TMP"
PIDS=()
PG_STARTED=""
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
  [[ -n $PG_STARTED ]] && PG_TEST_CLUSTER_STATE="$TMP/pg-state" "$ROOT/scripts/pg-test-cluster.sh" stop >/dev/null 2>&1
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

hex16() { od -An -tx1 -N16 /dev/urandom | tr -d ' \n'; }
export BENCH_TWILIO_TOKEN=${BENCH_TWILIO_TOKEN:-$(hex16)}
ACCOUNT_SID="AC$(hex16)"
b64key() { head -c 32 /dev/urandom | base64 -w0; }
DATA_KEY=$(b64key)
INDEX_KEY=$(b64key)

# The fake Twilio API the replies go to.
"$BARE" >"$TMP/bare.out" 2>"$TMP/bare.err" &
PIDS+=($!)
for _ in $(seq 100); do grep -q '^port ' "$TMP/bare.out" 2>/dev/null && break; sleep 0.05; done
BARE_URL="http://127.0.0.1:$(awk '/^port /{print $2}' "$TMP/bare.out")"

# PostgreSQL, a cluster of the benchmark's own.
PG_URL=$(PG_TEST_CLUSTER_STATE="$TMP/pg-state" "$ROOT/scripts/pg-test-cluster.sh" start) || die "could not start a PostgreSQL cluster (scripts/setup.sh --tests installs it)"
PG_STARTED=1
PUBLIC_URL="http://bench.test"

# start_gateway NAME DATABASE_JSON: starts one and sets GW_PORT once /readyz answers
start_gateway() {
  local name=$1 database=$2 port
  port=$("$BARE" --free-port)
  cat >"$TMP/$name.json" <<JSON
{
  "listen": "127.0.0.1:$port",
  "public_url": "$PUBLIC_URL",
  "database": $database,
  "keys": {"data": "$DATA_KEY", "index": "$INDEX_KEY"},
  "content_dir": "$ROOT",
  "channels": [
    {"id": "bench", "type": "twilio", "account_sid": "$ACCOUNT_SID", "auth_token": "env:BENCH_TWILIO_TOKEN",
     "from": "+447700900000", "api_base": "$BARE_URL", "max_per_second": 100}
  ],
  "log_level": "warn"
}
JSON
  "$GATEWAY" serve --config "$TMP/$name.json" >"$TMP/$name.out" 2>"$TMP/$name.log" &
  local pid=$!
  PIDS+=("$pid")
  for _ in $(seq 300); do
    curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
    kill -0 "$pid" 2>/dev/null || die "gateway $name exited at start: $(tail -3 "$TMP/$name.log")"
    sleep 0.05
  done
  curl -fs "http://127.0.0.1:$port/readyz" >/dev/null || die "gateway $name is not ready: $(tail -3 "$TMP/$name.log")"
  GW_PORT=$port
}

stop_all_gateways() {
  local keep=()
  for pid in "${PIDS[@]}"; do
    if [[ $(cat "/proc/$pid/comm" 2>/dev/null) == gateway ]]; then
      kill -TERM "$pid"
      wait "$pid" || die "a gateway exited non-zero on SIGTERM"
    else
      keep+=("$pid")
    fi
  done
  PIDS=("${keep[@]}")
}

# run NAME PORT... : warm-up, then a measured run split over the ports; waits
# until the intake is empty; prints "rps p99 stored expected"
run() {
  local name=$1
  shift
  local ports=("$@") n=$# i=0 conns=$((CONNECTIONS / $#)) pids=()
  for port in "${ports[@]}"; do
    "$MAKE_REQUESTS" --url "$PUBLIC_URL" --account-sid "$ACCOUNT_SID" --count 20000 --threads 2 \
      --out "$TMP/$name-warm-$i.lua" || die "bench_make_requests failed"
    "$MAKE_REQUESTS" --url "$PUBLIC_URL" --account-sid "$ACCOUNT_SID" --count $((REQUESTS / n)) --threads 2 \
      --out "$TMP/$name-run-$i.lua" || die "bench_make_requests failed"
    i=$((i + 1))
  done
  i=0
  for port in "${ports[@]}"; do
    wrk -t2 -c"$conns" -d2s -s "$TMP/$name-warm-$i.lua" "http://127.0.0.1:$port" >"$TMP/$name-wrk-warm-$i.txt" 2>&1 &
    pids+=($!)
    i=$((i + 1))
  done
  wait "${pids[@]}"
  pids=()
  i=0
  for port in "${ports[@]}"; do
    wrk -t2 -c"$conns" -d"${DURATION}"s --latency -s "$TMP/$name-run-$i.lua" "http://127.0.0.1:$port" \
      >"$TMP/$name-wrk-$i.txt" 2>&1 &
    pids+=($!)
    i=$((i + 1))
  done
  wait "${pids[@]}" || die "wrk failed"
  # Wait for the intake to empty (any instance's /metrics: the intake is shared on PostgreSQL).
  for _ in $(seq 3000); do
    curl -fs "http://127.0.0.1:${ports[0]}/metrics" >"$TMP/$name-metrics.txt" || die "GET /metrics failed"
    [[ $(metric "$TMP/$name-metrics.txt" gateway_intake_depth) == 0 ]] && break
    sleep 0.2
  done
  local rps=0 p99=0 expected=0 stored=0 non2xx=0
  for ((i = 0; i < n; i++)); do
    rps=$(awk -v a="$rps" -v b="$(wrk_rps "$TMP/$name-wrk-$i.txt")" 'BEGIN { printf "%.0f", a + b }')
    p99=$(awk -v a="$p99" -v b="$(wrk_pct "$TMP/$name-wrk-$i.txt" 99)" 'BEGIN { printf "%.2f", (b > a ? b : a) }')
    non2xx=$((non2xx + $(wrk_non2xx "$TMP/$name-wrk-warm-$i.txt") + $(wrk_non2xx "$TMP/$name-wrk-$i.txt")))
    expected=$((expected + $(wrk_field "$TMP/$name-wrk-warm-$i.txt" distinct) + $(wrk_field "$TMP/$name-wrk-$i.txt" distinct)))
  done
  # Messages handled by every instance of this run, summed.
  for port in "${ports[@]}"; do
    curl -fs "http://127.0.0.1:$port/metrics" >"$TMP/$name-m.txt"
    local h
    h=$(metric "$TMP/$name-m.txt" 'gateway_messages_total{' 'channel="bench",direction="inbound"')
    stored=$((stored + ${h:-0}))
  done
  echo "$rps $p99 $stored $expected $non2xx"
}

STATUS=0
report() {  # label "rps p99 stored expected non2xx"
  read -r rps p99 stored expected non2xx <<<"$2"
  printf '%-34s %10s req/s   p99 %7s ms   stored %7s of %7s distinct   non-2xx %s\n' "$1" "$rps" "$p99" "$stored" \
    "$expected" "$non2xx"
  if [[ $stored != "$expected" || $non2xx != 0 ]]; then
    echo "FAIL: $1: stored $stored messages, expected $expected; non-2xx $non2xx"
    STATUS=1
  fi
}

say "one gateway, SQLite"
start_gateway sqlite "{\"driver\": \"sqlite\", \"path\": \"$TMP/gateway.db\"}"
SQLITE=$(run sqlite "$GW_PORT")
stop_all_gateways

say "one gateway, PostgreSQL"
start_gateway pg1 "{\"driver\": \"postgres\", \"url\": \"$PG_URL\"}"
PG1=$(run pg1 "$GW_PORT")
stop_all_gateways

say "two gateways, one PostgreSQL"
start_gateway pga "{\"driver\": \"postgres\", \"url\": \"$PG_URL\", \"instance_id\": \"bench-a\"}"
PA=$GW_PORT
start_gateway pgb "{\"driver\": \"postgres\", \"url\": \"$PG_URL\", \"instance_id\": \"bench-b\"}"
PB=$GW_PORT
PG2=$(run pg2 "$PA" "$PB")
stop_all_gateways

echo
echo "Twilio inbound webhooks, wrk ${DURATION}s, $CONNECTIONS connections in all, 127.0.0.1, $(nproc) CPUs"
report "one gateway, SQLite" "$SQLITE"
report "one gateway, PostgreSQL" "$PG1"
report "two gateways, one PostgreSQL" "$PG2"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
echo
echo "ratio two PostgreSQL instances / one:  $(ratio "${PG2%% *}" "${PG1%% *}")"
echo "ratio one PostgreSQL / one SQLite:     $(ratio "${PG1%% *}" "${SQLITE%% *}")"
exit $STATUS
