#!/usr/bin/env bash
# Runs Souk on this host: one gateway, user, order and payment node, each its own JVM on one Hazelcast cluster.
set -euo pipefail

usage() {
  echo "usage: ./run.sh    (configure with SOUK_* variables, see README.md; JAVA_OPTS is passed to every JVM)"
}
[[ "${1:-}" == "-h" || "${1:-}" == "--help" ]] && { usage; exit 0; }
[[ $# -gt 0 ]] && { usage >&2; exit 2; }

cd "$(dirname "$0")"
NODES=(gateway user order payment)
HTTP_PORT="${SOUK_HTTP_PORT:-8080}"
HTTP_HOST="${SOUK_HTTP_HOST:-127.0.0.1}"
PG_HOST="${SOUK_PG_HOST:-localhost}"
PG_PORT="${SOUK_PG_PORT:-5432}"
READY_TIMEOUT="${SOUK_READY_TIMEOUT:-180}"
# a small heap at rest, and a young generation as large as the old one: the gateway collects less than half as often
# under load (docs/benchmarks.md, sixth pass); methods compiled later: start-up is CPU-bound (docs/decisions.md, 27)
JAVA_OPTS="${JAVA_OPTS:--Xms16m -Xmx512m -XX:+UseSerialGC -XX:NewRatio=1 -XX:CompileThresholdScaling=4}"
LOG_DIR="${SOUK_LOG_DIR:-var/log}"
RUN_DIR=var/run
STOP_SECONDS=30
declare -A PIDS=()

log() { printf '[run] %s\n' "$*"; }

jars_stale() {
  local node jar
  for node in "${NODES[@]}"; do
    jar="$node-verticle/target/$node-verticle.jar"
    [[ -f "$jar" ]] || return 0
    [[ -n "$(find pom.xml cluster.xml common "$node-verticle" -newer "$jar" -type f \
      -not -path '*/target/*' -print -quit)" ]] && return 0
  done
  return 1
}

postgres_answers() {
  if command -v pg_isready >/dev/null; then
    pg_isready -q -h "$PG_HOST" -p "$PG_PORT" -t 3
  else
    timeout 3 bash -c "exec 3<>/dev/tcp/$PG_HOST/$PG_PORT" 2>/dev/null
  fi
}

# every node is asked to stop at once; each then has STOP_SECONDS of its own to finish before it is killed
stop_nodes() {
  local node pid waited
  for node in "${!PIDS[@]}"; do
    kill -TERM "${PIDS[$node]}" 2>/dev/null || true
  done
  for node in "${!PIDS[@]}"; do
    pid="${PIDS[$node]}"
    waited=0
    while kill -0 "$pid" 2>/dev/null && (( waited < STOP_SECONDS * 10 )); do sleep 0.1; waited=$((waited + 1)); done
    if kill -0 "$pid" 2>/dev/null; then
      log "$node did not stop in $STOP_SECONDS s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
  PIDS=()
}

on_signal() {
  trap - INT TERM HUP
  log "stopping every node..."
  stop_nodes
  log "all nodes stopped"
  exit 0
}

# Each node runs from a copy of its jar, var/run/<node>.jar, put in place by a rename. A build while Souk runs
# (mvn package, or another run.sh) rewrites target/*.jar in place: a node running from it would find other classes
# there at its next class load, which a cluster change may come to only much later, and fail then.
staged_jar() {
  local jar="$1-verticle/target/$1-verticle.jar" staged="$RUN_DIR/$1.jar"
  if [[ ! -f "$staged" || "$(stat -c '%s %y' "$jar")" != "$(stat -c '%s %y' "$staged")" ]]; then
    # the class-data archive was recorded from the copy before: the JVM would refuse it, silently, at every start
    rm -f "$RUN_DIR/$1.jsa"
    if ! { cp -p "$jar" "$staged.$$" && mv -f "$staged.$$" "$staged"; }; then
      rm -f "$staged.$$"
      echo "could not copy $jar to $RUN_DIR/ (is the disk full?)" >&2
      return 1
    fi
  fi
  echo "$staged"
}

# Class data sharing: a node's first run records the classes it loaded in var/run/<node>.jsa when it stops; later
# runs map that archive instead of loading and verifying those classes again, which shortens start-up by about a
# third. An archive older than its jar is thrown away. SOUK_CDS=false turns this off.
cds_options() {
  local jar="$RUN_DIR/$1.jar" archive="$RUN_DIR/$1.jsa"
  [[ "${SOUK_CDS:-true}" == true ]] || return 0
  if [[ -f "$archive" && "$archive" -nt "$jar" ]]; then
    echo "-XX:SharedArchiveFile=$archive -Xlog:cds=off -Xlog:cds+dynamic=off"
  else
    rm -f "$archive"
    echo "-XX:ArchiveClassesAtExit=$archive -Xlog:cds=off -Xlog:cds+dynamic=off"
  fi
}

dead_node() {
  local node
  for node in "${!PIDS[@]}"; do
    kill -0 "${PIDS[$node]}" 2>/dev/null || { echo "$node"; return 0; }
  done
  return 1
}

command -v curl >/dev/null || { echo "curl is missing: install it (on Debian: apt-get install -y curl)" >&2; exit 1; }

if jars_stale; then
  log "building the node jars (mvn -B -q package -DskipTests)..."
  mvn -B -q -Dstyle.color=never package -DskipTests
fi

if ! postgres_answers; then
  echo "PostgreSQL does not answer at $PG_HOST:$PG_PORT. Start it (on Debian:" \
    "pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start) or set SOUK_PG_HOST/SOUK_PG_PORT." >&2
  exit 1
fi

mkdir -p "$LOG_DIR" "$RUN_DIR"
# copies a stopped start left half made; archives an earlier Souk kept in var/cds/
rm -rf "$RUN_DIR"/*.jar.* var/cds
# Ctrl-C, kill, or the terminal going away (HUP) stop the nodes; so does any other way this script ends
trap on_signal INT TERM HUP
trap stop_nodes EXIT
started=$(date +%s%N)
for node in "${NODES[@]}"; do
  # readable lines on this console, JSON lines in the node's file; neither is written by this script, so it
  # costs no CPU per line
  node_env=(SOUK_LOG_FORMAT="${SOUK_LOG_FORMAT:-text}" SOUK_LOG_FILE="$LOG_DIR/$node.log")
  # SOUK_USER_PG_DATABASE, SOUK_ORDER_PG_DATABASE, SOUK_PAYMENT_PG_DATABASE: one service's own database (a single
  # SOUK_PG_DATABASE would give all three the same one)
  database_variable="SOUK_${node^^}_PG_DATABASE"
  [[ -z "${!database_variable:-}" ]] || node_env+=(SOUK_PG_DATABASE="${!database_variable}")
  # shellcheck disable=SC2046,SC2086 # JAVA_OPTS and the CDS options are lists of options
  jar=$(staged_jar "$node") || exit 1
  env "${node_env[@]}" java $JAVA_OPTS $(cds_options "$node") -jar "$jar" 2>&1 &
  PIDS[$node]=$!
  log "started $node (pid ${PIDS[$node]}, log $LOG_DIR/$node.log)"
done

# with SOUK_TLS_CERT the gateway speaks HTTPS only; its certificate may be a development one (scripts/dev-certs.sh)
SCHEME=http CURL_TLS=()
[[ -z "${SOUK_TLS_CERT:-}" ]] || { SCHEME=https; CURL_TLS=(--insecure); }
base="$SCHEME://$HTTP_HOST:$HTTP_PORT"
log "waiting for $base/ready ..."
until [[ "$(curl -s "${CURL_TLS[@]}" --max-time 3 -o /dev/null -w '%{http_code}' "$base/ready" || true)" == 200 ]]; do
  if node=$(dead_node); then
    log "$node exited while starting; see $LOG_DIR/$node.log"
    stop_nodes
    exit 1
  fi
  if (( ($(date +%s%N) - started) / 1000000000 > READY_TIMEOUT )); then
    log "not ready after $READY_TIMEOUT s; see $LOG_DIR/ and $base/ready"
    stop_nodes
    exit 1
  fi
  sleep 0.2
done

tenths=$(( ($(date +%s%N) - started) / 100000000 ))
cat <<INFO
[run] Souk is ready after $((tenths / 10)).$((tenths % 10)) s
[run]   console   $base/   (sign up, place orders, watch them settle live)
[run]   API       $base/api/v1
[run]   docs      $base/docs   (spec: $base/openapi.yaml)
[run]   health    $base/health   ready: $base/ready   metrics: $base/metrics
[run]   logs      $LOG_DIR/<node>.log
[run] Ctrl-C (or closing this terminal) stops every node.
INFO

while true; do
  if node=$(dead_node); then
    log "$node stopped unexpectedly; see $LOG_DIR/$node.log (the others keep running)"
    unset "PIDS[$node]"
  fi
  sleep 1 &
  wait $! || true
done
