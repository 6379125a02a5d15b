#!/usr/bin/env bash
# Load-tests a running Souk (./run.sh) through its gateway with wrk, then times how long the orders placed under load
# take to leave PENDING. Prints one line per scenario; docs/benchmarks.md explains how to read them.
set -euo pipefail

usage() {
  echo "usage: bench/api-bench.sh [seconds per scenario, default 15]   (needs wrk, curl, python3, psql; a ready cluster)"
}
[[ "${1:-}" == "-h" || "${1:-}" == "--help" ]] && { usage; exit 0; }
DURATION="${1:-15}"
URL="${SOUK_BENCH_URL:-http://127.0.0.1:${SOUK_HTTP_PORT:-8080}}"
THREADS="${SOUK_BENCH_THREADS:-2}"
CONNECTIONS="${SOUK_BENCH_CONNECTIONS:-32}"
PG=(psql -h "${SOUK_PG_HOST:-127.0.0.1}" -p "${SOUK_PG_PORT:-5432}" -U "${SOUK_PG_USER:-postgres}" -d souk_order -tAc)
cd "$(dirname "$0")"

for tool in wrk curl python3 psql; do
  command -v "$tool" >/dev/null || { echo "$tool is missing (Debian: apt-get install -y $tool)" >&2; exit 1; }
done
[[ "$(curl -s --max-time 3 -o /dev/null -w '%{http_code}' "$URL/ready")" == 200 ]] \
  || { echo "no ready Souk at $URL (start ./run.sh first)" >&2; exit 1; }

json() { python3 -c "import sys, json; print(json.load(sys.stdin)$1)"; }
email="bench-$(date +%s%N)@example.com"
user_id=$(curl -s -XPOST "$URL/api/v1/users" -H 'content-type: application/json' \
  -d "{\"name\":\"Bench\",\"email\":\"$email\",\"password\":\"bench password\"}" | json "['id']")
SOUK_BENCH_TOKEN=$(curl -s -XPOST "$URL/api/v1/auth/token" -H 'content-type: application/json' \
  -d "{\"email\":\"$email\",\"password\":\"bench password\"}" | json "['accessToken']")
export SOUK_BENCH_TOKEN

run() {
  local name=$1; shift
  local out rps p50 p99 errors
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$@")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  printf '%-22s %10s req/s   p50 %8s   p99 %8s   non-2xx %s\n' "$name" "$rps" "$p50" "$p99" "${errors:-0}"
}

echo "Souk at $URL: wrk -t$THREADS -c$CONNECTIONS, ${DURATION}s per scenario"
run "GET /health" "$URL/health"
run "GET /api/v1/users/me" -s get-me.lua "$URL/api/v1/users/me"
run "POST /api/v1/orders" -s post-order.lua "$URL/api/v1/orders"

placed=$("${PG[@]}" "SELECT count(*) FROM orders WHERE user_id = '$user_id'")
start=$(date +%s%N)
for _ in $(seq 1 600); do
  pending=$("${PG[@]}" "SELECT count(*) FROM orders WHERE user_id = '$user_id' AND status = 'PENDING'")
  [[ "$pending" == 0 ]] && break
  sleep 0.1
done
settle_ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "orders placed under load: $placed; all left PENDING ${settle_ms} ms after the load stopped (pending now: $pending)"
echo "gateway memory: $(ps -o rss= -p "$(pgrep -f gateway-verticle.jar | head -1)" | awk '{printf "%d MB", $1/1024}') resident"
