#!/usr/bin/env bash
# The failure detector's trade-off, measured: how long after a node is killed with SIGKILL the others drop it from
# the cluster, and which pauses of a live node (SIGSTOP, then SIGCONT: a long GC pause, a frozen VM, a host starved
# of CPU) it survives without being dropped. Souk as ./run.sh starts it, plus an extra payment node that is killed
# ROUNDS times and then paused for 2, 4, 6 and 8 s; membership is read from the gateway's log.
# A cluster.xml to try instead of the packaged one: SOUK_CLUSTER_CONFIG=bench/cluster-phi-accrual.xml
# Loopback only; bounded; stops everything it started.
set -euo pipefail

usage() {
  echo "usage: bench/detection.sh [rounds, default 3]"
}
[[ "${1:-}" == "-h" || "${1:-}" == "--help" ]] && { usage; exit 0; }
ROUNDS="${1:-3}"
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || { usage >&2; exit 2; }

cd "$(dirname "$0")/.."
PORT=18095
CLUSTER="souk-detection-$$"
WORK=$(mktemp -d)
RESULTS=bench/results
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
LOGS="$WORK/logs"
RUN_PID=""
EXTRA_PID=""
log() { printf '[detection] %s\n' "$*" >&2; }
cleanup() {
  # a node frozen by a pause would keep a TERM pending for ever: wake it first
  [[ -n "$EXTRA_PID" ]] && { kill -CONT "$EXTRA_PID" 2>/dev/null; kill -TERM "$EXTRA_PID" 2>/dev/null; } || true
  [[ -n "$RUN_PID" ]] && kill -TERM "$RUN_PID" 2>/dev/null || true
  for _ in $(seq 1 300); do
    { [[ -n "$RUN_PID" ]] && kill -0 "$RUN_PID" 2>/dev/null; } || { [[ -n "$EXTRA_PID" ]] && kill -0 "$EXTRA_PID" 2>/dev/null; } || break
    sleep 0.1
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mvn -B -q package -DskipTests
mkdir -p "$RESULTS"

export SOUK_HTTP_PORT=$PORT SOUK_CLUSTER_NAME=$CLUSTER SOUK_CLUSTER_PORT=5931 \
  SOUK_CLUSTER_MEMBERS=127.0.0.1:5931,127.0.0.1:5932 SOUK_MANAGEMENT_PORT=0 SOUK_LOG_DIR="$LOGS"
log "starting Souk (cluster $CLUSTER, ${SOUK_CLUSTER_CONFIG:-packaged cluster.xml})"
./run.sh >"$WORK/run.log" 2>&1 & RUN_PID=$!
for _ in $(seq 1 1800); do grep -q "Souk is ready" "$WORK/run.log" && break; sleep 0.1; done
grep -q "Souk is ready" "$WORK/run.log" || { tail -20 "$WORK/run.log" >&2; exit 1; }

members() { grep -aoE 'Members \{size:[0-9]+' "$LOGS/gateway.log" | tail -1 | grep -oE '[0-9]+$'; }
# the node to kill: a second payment node of our own (run.sh's own nodes stay up, so stopping is clean)
start_extra() {
  SOUK_LOG_FILE="$LOGS/extra-$1.log" SOUK_LOG_FORMAT=text java -Xms16m -Xmx512m -XX:+UseSerialGC -XX:NewRatio=1 \
    -XX:CompileThresholdScaling=4 -jar payment-verticle/target/payment-verticle.jar >"$WORK/extra-$1.out" 2>&1 & EXTRA_PID=$!
  for _ in $(seq 1 600); do [[ "$(members)" == 5 ]] && break; sleep 0.1; done
  [[ "$(members)" == 5 ]] || { log "the extra payment node did not join"; exit 1; }
  sleep 5   # a few heartbeats for the detector to learn from
}
times=()
for round in $(seq 1 "$ROUNDS"); do
  start_extra "$round"
  killed=$(date +%s%N)
  kill -KILL "$EXTRA_PID"; wait "$EXTRA_PID" 2>/dev/null || true; EXTRA_PID=""
  for _ in $(seq 1 1200); do [[ "$(members)" == 4 ]] && break; sleep 0.05; done
  [[ "$(members)" == 4 ]] || { log "the killed member was not dropped within 60 s"; exit 1; }
  dropped=$(( ($(date +%s%N) - killed) / 1000000 ))
  log "round $round: dropped ${dropped} ms after the kill"
  times+=("$dropped")
done

pauses=()
for pause in 2 4 6 8; do
  start_extra "pause-$pause"
  kill -STOP "$EXTRA_PID"
  stopped=$(date +%s%N)
  dropped=false
  # by the clock, not by a count of loops: reading the log takes time of its own
  while (( $(date +%s%N) - stopped < pause * 1000000000 )); do
    [[ "$(members)" == 4 ]] && dropped=true
    sleep 0.05
  done
  kill -CONT "$EXTRA_PID"
  sleep 3   # a member dropped just after it woke up counts too
  [[ "$(members)" == 5 ]] || dropped=true
  log "paused ${pause} s: dropped=$dropped"
  pauses+=("$pause:$dropped")
  kill -KILL "$EXTRA_PID"; wait "$EXTRA_PID" 2>/dev/null || true; EXTRA_PID=""
  for _ in $(seq 1 1200); do [[ "$(members)" == 4 ]] && break; sleep 0.05; done
  [[ "$(members)" == 4 ]] || { log "the killed member was not dropped within 60 s"; exit 1; }
done

python3 - "$RESULTS/detection-$STAMP.json" "${SOUK_CLUSTER_CONFIG:-packaged}" "${pauses[*]}" "${times[@]}" <<'PY'
import json, sys
out, config, pauses, times = sys.argv[1], sys.argv[2], sys.argv[3], [int(t) for t in sys.argv[4:]]
res = {"clusterConfig": config, "droppedAfterMs": times, "meanMs": round(sum(times) / len(times)),
       "pauseDropped": {p.split(":")[0] + "s": p.split(":")[1] == "true" for p in pauses.split()}}
json.dump(res, open(out, "w"), indent=2)
print(json.dumps(res))
PY
