#!/usr/bin/env bash
# Saturation: Souk as ./run.sh starts it, squeezed with everything else onto one core (taskset), under an open-loop
# read load above what that core can serve, for a while; then the load stops. Counted: what clients got, whether
# Hazelcast suspected or dropped a member whose process was alive, how long /ready was not 200, and how long after
# the load until the read path is normal again. Loopback only; bounded; stops everything it started.
# A cluster.xml to try instead of the packaged one: SOUK_CLUSTER_CONFIG=/path/to/cluster.xml bench/saturation.sh
# SATURATION_HOGS=N also runs N busy loops on Souk's core while the load lasts: a host so starved that heartbeats
# and event loops wait for the CPU, to try the failure detector against.
set -euo pipefail

usage() {
  echo "usage: bench/saturation.sh [seconds of overload, default 120] [requests per second, default 3000]" \
    "[client connections, default 1024]"
}
[[ "${1:-}" == "-h" || "${1:-}" == "--help" ]] && { usage; exit 0; }
SECONDS_LOADED="${1:-120}"
RATE="${2:-3000}"
# many connections, as from many independent clients: the backlog reaches Souk, which must shed it, instead of
# waiting in the load generator
CONNECTIONS="${3:-1024}"
[[ "$SECONDS_LOADED" =~ ^[0-9]+$ && "$RATE" =~ ^[0-9]+$ && "$CONNECTIONS" =~ ^[0-9]+$ ]] || { usage >&2; exit 2; }

cd "$(dirname "$0")/.."
PORT=18090
URL="http://127.0.0.1:$PORT"
CLUSTER="souk-saturation-$$"
WORK=$(mktemp -d)
RESULTS=bench/results
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RUN_PID="" SAMPLER=""
HOGS="${SATURATION_HOGS:-0}"
HOG_PIDS=()
log() { printf '[saturation] %s\n' "$*" >&2; }
stop_hogs() {
  (( ${#HOG_PIDS[@]} )) && kill "${HOG_PIDS[@]}" 2>/dev/null || true
  HOG_PIDS=()
}
cleanup() {
  stop_hogs
  [[ -n "$SAMPLER" ]] && kill "$SAMPLER" 2>/dev/null || true
  [[ -n "$RUN_PID" ]] && kill -TERM "$RUN_PID" 2>/dev/null || true
  for _ in $(seq 1 300); do [[ -n "$RUN_PID" ]] && kill -0 "$RUN_PID" 2>/dev/null || break; sleep 0.1; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
command -v taskset >/dev/null || { echo "taskset is missing (util-linux)" >&2; exit 1; }
mvn -B -q package -DskipTests
mkdir -p "$RESULTS"

log "starting Souk on core 0 only (cluster $CLUSTER)"
LOGS="$RESULTS/saturation-$STAMP-logs"   # kept for reading afterwards
SOUK_HTTP_PORT=$PORT SOUK_CLUSTER_NAME=$CLUSTER SOUK_CLUSTER_PORT=5921 \
  SOUK_CLUSTER_MEMBERS=127.0.0.1:5921,127.0.0.1:5922 SOUK_MANAGEMENT_PORT=0 SOUK_LOG_DIR="$LOGS" \
  SOUK_RATE_LIMIT_RPS=1000000 SOUK_RATE_LIMIT_BURST=1000000 SOUK_LOGIN_RATE_LIMIT=1000000 \
  taskset -c 0 ./run.sh >"$WORK/run.log" 2>&1 & RUN_PID=$!
for _ in $(seq 1 1800); do grep -q "Souk is ready" "$WORK/run.log" && break; sleep 0.1; done
grep -q "Souk is ready" "$WORK/run.log" || { tail -20 "$WORK/run.log" >&2; exit 1; }

: > "$WORK/tokens"
for i in $(seq 1 20); do
  email="sat-$STAMP-$i@example.com"
  curl -s -XPOST "$URL/api/v1/users" -H 'content-type: application/json' \
    -d "{\"name\":\"Sat $i\",\"email\":\"$email\",\"password\":\"saturation pw\"}" >/dev/null
  curl -s -XPOST "$URL/api/v1/auth/token" -H 'content-type: application/json' \
    -d "{\"email\":\"$email\",\"password\":\"saturation pw\"}" \
    | python3 -c "import sys, json; print(json.load(sys.stdin)['accessToken'])" >> "$WORK/tokens"
done

log "overload: $RATE req/s on the read path from $CONNECTIONS connections for $SECONDS_LOADED s, the load generator on core 1"
( for _ in $(seq 1 $((SECONDS_LOADED + 60))); do
    printf '%s %s\n' "$(date +%s)" "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$URL/ready")"
    sleep 1
  done > "$WORK/ready.txt" ) & SAMPLER=$!
for _ in $(seq 1 "$HOGS"); do
  taskset -c 0 timeout $((SECONDS_LOADED + 10)) sh -c 'while :; do :; done' & HOG_PIDS+=($!)
done
taskset -c 1 java bench/LoadGen.java "$URL/api/v1/users/me" "$RATE" "$SECONDS_LOADED" "$WORK/tokens" "$CONNECTIONS" \
  2>/dev/null | tail -1 > "$WORK/overload.json"
load_ended=$(date +%s)
stop_hogs
# counted from the gateway's start: the load generator's warm-up at the same rate is included
shed=$(curl -s --max-time 5 "$URL/metrics" | awk '/^souk_gateway_shed_total/ {printf "%d", $2}' || true)

log "load stopped: waiting until the read path is normal again"
normal_after=-1
for i in $(seq 1 600); do
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$URL/ready")
  if [[ "$code" == 200 ]] && curl -s -o /dev/null -w '%{http_code}' --max-time 1 -H "Authorization: Bearer $(head -1 "$WORK/tokens")" \
      "$URL/api/v1/users/me" | grep -q 200; then
    normal_after=$(( $(date +%s) - load_ended )); break
  fi
  sleep 0.5
done
wait "$SAMPLER" 2>/dev/null || kill "$SAMPLER" 2>/dev/null || true

count() { { grep -ahE "$1" "$LOGS"/*.log 2>/dev/null || true; } | wc -l; }
suspected=$(count "is suspected|Suspecting")
removed=$(count "Removing Member|Member .* removed")
jumps=$(count "clock apparently jumped|System clock jumped|clock jump")
merges=$(count "Merging|merge request|split-brain")
not_ready=$(awk '$2 != 200' "$WORK/ready.txt" | wc -l)
python3 - "$RESULTS/saturation-$STAMP.json" <<PY
import json, sys
overload = json.load(open("$WORK/overload.json"))
res = {"cores": "1 (taskset -c 0) for Souk, 1 for the load", "clusterConfig": "${SOUK_CLUSTER_CONFIG:-packaged}",
       "secondsLoaded": $SECONDS_LOADED, "rate": $RATE, "connections": $CONNECTIONS, "hogs": $HOGS, "overload": overload,
       "hazelcast": {"suspicionLines": $suspected, "memberRemovedLines": $removed, "clockJumpLines": $jumps,
                     "mergeLines": $merges},
       "shedByGateway": ${shed:-0}, "readyNot200Seconds": $not_ready, "normalSecondsAfterLoad": $normal_after}
json.dump(res, open(sys.argv[1], "w"), indent=2)
print(json.dumps(res, indent=2))
PY
log "results: $RESULTS/saturation-$STAMP.json"
