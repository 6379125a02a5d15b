#!/usr/bin/env bash
# Souk against its ceilings, in one run on this machine: a trivial Vert.x HTTP server, a minimal Vert.x proxy, the
# same hop over Vert.x's clustered event bus and pgbench are measured interleaved with Souk started as users start
# it (./run.sh), and every Souk figure is given as a ratio of its ceiling. Loopback only; bounded in time; stops
# everything it started. Results: bench/results/.
set -euo pipefail

usage() {
  echo "usage: bench/run.sh [seconds per scenario, default 10]   (root installs wrk if missing; needs PostgreSQL)"
}
[[ "${1:-}" == "-h" || "${1:-}" == "--help" ]] && { usage; exit 0; }
SECONDS_EACH="${1:-10}"
[[ "$SECONDS_EACH" =~ ^[0-9]+$ ]] || { usage >&2; exit 2; }

cd "$(dirname "$0")/.."
ROOT=$(pwd)
PORT=18080 CEILING=18081 PROXY=18082 BUS=18083 BUS_CLUSTER_PORTS=(5981 5982)
URL="http://127.0.0.1:$PORT"
PG_HOST="${SOUK_PG_HOST:-127.0.0.1}" PG_PORT="${SOUK_PG_PORT:-5432}" PG_USER="${SOUK_PG_USER:-postgres}"
CLUSTER="souk-bench-$$"
WORK=$(mktemp -d)
RESULTS=bench/results
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
JAR=gateway-verticle/target/gateway-verticle.jar
STARTED=()

log() { printf '[bench] %s\n' "$*" >&2; }

# the bench's own databases: pgbench's, and the services' (run.sh's SOUK_<NODE>_PG_DATABASE), so that every run
# starts from empty ones and leaves the usual souk_* databases alone
BENCH_DATABASES=(souk_bench_pg souk_bench_user souk_bench_order souk_bench_payment)
drop_bench_databases() {
  local db
  for db in "${BENCH_DATABASES[@]}"; do
    psql -q -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" \
      >/dev/null 2>&1 || true
  done
}
cleanup() {
  local pid
  for pid in "${STARTED[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${STARTED[@]}"; do
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  drop_bench_databases
  rm -rf "$WORK"
}
# a port already taken would have the bench measure whatever answers there instead of what it started; checked
# before the clean-up is set, which would drop the databases of a bench that holds those ports
for port in $PORT $CEILING $PROXY $BUS "${BUS_CLUSTER_PORTS[@]}"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "port $port is in use (ss -ltnp 'sport = :$port' names the process): stop it and run again" >&2
    rm -rf "$WORK"
    exit 1
  fi
done
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- prerequisites ----
if ! command -v wrk >/dev/null; then
  [[ $(id -u) == 0 ]] || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
  log "installing wrk"
  apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq wrk >/dev/null; }
fi
for tool in java curl python3 psql pgbench; do
  command -v "$tool" >/dev/null || { echo "$tool is missing" >&2; exit 1; }
done
pg_isready -q -h "$PG_HOST" -p "$PG_PORT" || { echo "PostgreSQL does not answer at $PG_HOST:$PG_PORT" >&2; exit 1; }
# built first: ./run.sh would rebuild stale jars under the ceilings' feet, and its start-up time is measured
log "building the jars"
mvn -B -q package -DskipTests
mkdir -p "$RESULTS"
CP="$ROOT/$JAR"

json() { python3 -c "import sys, json; print(json.load(sys.stdin)$1)"; }
rss_mb() { awk '/VmRSS/ {printf "%d", $2 / 1024}' "/proc/$1/status" 2>/dev/null || echo 0; }
node_pid() { sed -n "s/.*started $1 (pid \([0-9]*\).*/\1/p" "$WORK/run.log" | head -1; }

# the machine's CPU time, all processes (user, system, interrupts), and its idle time, in clock ticks
cpu_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8, $5 + $6}' /proc/stat; }
# wrk, closed loop, one measurement: prints "req/s p50_ms p99_ms non2xx cpu_us busy", the last two the machine's CPU
# time per request (every process: wrk, the nodes, the kernel) and the share of the machine that was busy
wrk_once() {
  local out before after
  before=$(cpu_ticks)
  out=$(wrk -t1 -c32 -d"${SECONDS_EACH}s" --latency "$@")
  after=$(cpu_ticks)
  python3 - "$out" $before $after "$(getconf CLK_TCK)" <<'PY'
import re, sys
out = sys.argv[1]
busy, idle = int(sys.argv[4]) - int(sys.argv[2]), int(sys.argv[5]) - int(sys.argv[3])
def ms(label):
    m = re.search(r"^\s*" + label + r"\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
    if not m:
        return 0.0
    v, unit = float(m.group(1)), m.group(2)
    return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
requests = int(re.search(r"(\d+) requests in", out).group(1))
bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
print("%.0f %.2f %.2f %s %.1f %.2f" % (rps, ms("50%"), ms("99%"), bad.group(1) if bad else 0,
                                       busy / int(sys.argv[6]) * 1e6 / max(requests, 1), busy / max(busy + idle, 1)))
PY
}

# the same after a warm-up of the same length
run_wrk() {
  wrk -t1 -c32 -d"${SECONDS_EACH}s" "$@" >/dev/null 2>&1 || true
  wrk_once "$@"
}

# a ceiling and a Souk scenario in turn, ROUNDS times after a warm-up of each: the machine's pace drifts over minutes
# (two runs twenty minutes apart once put the hop at 0.64 and 0.94 of the proxy), and a single pair of measurements
# can catch two paces. interleaved "<ceiling url>..." <wrk arguments for Souk...> prints, for each ceiling,
# "ceiling_rps ceiling_p99", then "rps p50_ms p99_ms non2xx", then each ceiling's ratio, then "cpu_us busy" of each
# ceiling and of Souk: each the median of the rounds, a ratio the median of the rounds' own ratios
ROUNDS=3
# a ceiling that stops answering makes every ratio after it meaningless: stop with what it left, not with zeros
# proxy_answered <scenario> <req/s>: a proxy ceiling that served nothing leaves its ratios out (the results say null);
# what the ceilings do at that moment is shown, for the cause
proxy_answered() {
  [[ "$2" == 0 ]] || return 0
  log "the proxy ceiling answered nothing $1: the ratios that need it are left out"
  local port
  for port in $PROXY $CEILING; do
    log "  port $port: $(curl -s -m 5 -o /dev/null -w 'HTTP %{http_code} in %{time_total} s' "http://127.0.0.1:$port/")"
  done
  log "  ceilings: $(ps -o pid=,stat=,etime=,pcpu= -p "${CEILING_PIDS[*]}" | xargs)"
  tail -n 5 "$WORK/proxy.log" "$WORK/ceiling.log" >&2 || true
}
ceilings_answer() {
  local port
  for port in $CEILING $PROXY $BUS; do
    curl -sf -m 5 -o /dev/null "http://127.0.0.1:$port/" && continue
    log "the ceiling on port $port stopped answering: $(ps -o pid=,stat=,etime= -p "${CEILING_PIDS[*]}" | xargs)"
    tail -20 "$WORK"/ceiling.log "$WORK"/proxy.log "$WORK"/bus-*.log >&2
    exit 1
  done
}
interleaved() {
  local ceilings rounds=() round ceiling i
  read -ra ceilings <<< "$1"
  shift
  ceilings_answer
  for ceiling in "${ceilings[@]}"; do wrk -t1 -c32 -d"${SECONDS_EACH}s" "$ceiling" >/dev/null 2>&1 || true; done
  wrk -t1 -c32 -d"${SECONDS_EACH}s" "$@" >/dev/null 2>&1 || true
  for ((i = 0; i < ROUNDS; i++)); do
    round=""
    for ceiling in "${ceilings[@]}"; do round+="$(wrk_once "$ceiling") "; done
    rounds+=("$round$(wrk_once "$@")")
  done
  python3 - "${#ceilings[@]}" "${rounds[@]}" <<'PY'
import statistics, sys
n = int(sys.argv[1])
# rps p50 p99 non2xx cpu_us busy of each ceiling, then Souk's
rows = [[float(v) for v in r.split()] for r in sys.argv[2:]]
med = lambda i: statistics.median(r[i] for r in rows)
souk = 6 * n
out = []
for c in range(n):
    out += ["%.0f" % med(6 * c), "%.2f" % med(6 * c + 2)]
out += ["%.0f" % med(souk), "%.2f" % med(souk + 1), "%.2f" % med(souk + 2), "%d" % med(souk + 3)]
out += ["%.3f" % statistics.median(r[souk] / r[6 * c] if r[6 * c] else 0 for r in rows) for c in range(n)]
for c in list(range(n)) + [n]:
    out += ["%.1f" % med(6 * c + 4), "%.2f" % med(6 * c + 5)]
for c in range(n):
    if any(r[6 * c + 3] for r in rows):  # a ceiling that answers errors fast would pass for a fast ceiling
        sys.stderr.write("[bench] ceiling %d of this scenario answered non-2xx: its figures are not a ceiling\n" % (c + 1))
print(" ".join(out))
PY
}

# ---- ceilings ----
java -cp "$CP" bench/Ceiling.java http $CEILING >"$WORK/ceiling.log" 2>&1 </dev/null & CEILING_PID=$!
java -cp "$CP" bench/Ceiling.java proxy $PROXY $CEILING >"$WORK/proxy.log" 2>&1 </dev/null & PROXY_PID=$!
# the hop over the event bus: a consumer in one JVM, an HTTP front in another, a Hazelcast cluster of their own
java -cp "$CP" bench/Ceiling.java bus-server "${BUS_CLUSTER_PORTS[0]}" "${BUS_CLUSTER_PORTS[1]}" \
  >"$WORK/bus-server.log" 2>&1 </dev/null & BUS_SERVER_PID=$!
java -cp "$CP" bench/Ceiling.java bus-front $BUS "${BUS_CLUSTER_PORTS[1]}" "${BUS_CLUSTER_PORTS[0]}" \
  >"$WORK/bus-front.log" 2>&1 </dev/null & BUS_FRONT_PID=$!
CEILING_PIDS=("$CEILING_PID" "$PROXY_PID" "$BUS_SERVER_PID" "$BUS_FRONT_PID")
STARTED+=("${CEILING_PIDS[@]}")
drop_bench_databases
psql -q -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -c "CREATE DATABASE souk_bench_pg" >/dev/null
for port in $CEILING $PROXY $BUS; do
  for _ in $(seq 1 300); do curl -sf -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
  curl -sf -o /dev/null "http://127.0.0.1:$port/" || { cat "$WORK"/*.log >&2; echo "a ceiling did not start" >&2; exit 1; }
done
for pid in "${CEILING_PIDS[@]}"; do
  kill -0 "$pid" 2>/dev/null || { cat "$WORK"/*.log >&2; echo "a ceiling did not start" >&2; exit 1; }
done
pgbench -q -i -s 1 -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" souk_bench_pg >/dev/null 2>&1
psql -q -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d souk_bench_pg -c "CREATE TABLE bench_insert (id bigserial PRIMARY KEY, v double precision, at timestamptz DEFAULT now())" >/dev/null
echo 'INSERT INTO bench_insert (v) VALUES (random());' > "$WORK/insert.sql"
pgbench_tps() { pgbench -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -c 8 -j 2 -T "$SECONDS_EACH" "$@" souk_bench_pg 2>/dev/null | awk '/^tps/ {printf "%d", $3; exit}'; }

# ---- Souk, as ./run.sh starts it ----
log "starting Souk with ./run.sh (cluster $CLUSTER, port $PORT)"
# one signing secret for both starts, so that the tokens signed up below still verify after the restart with TLS;
# tokens that outlive the run (15 minutes by default: a slow day's run is longer, and every request became a 401)
export SOUK_JWT_SECRET="bench-secret-$STAMP-$$-0123456789abcdef"
start_souk() {  # start_souk <log file>, with any extra settings in the environment
  SOUK_USER_PG_DATABASE=souk_bench_user SOUK_ORDER_PG_DATABASE=souk_bench_order \
    SOUK_PAYMENT_PG_DATABASE=souk_bench_payment \
    SOUK_HTTP_PORT=$PORT SOUK_CLUSTER_NAME=$CLUSTER SOUK_CLUSTER_PORT=5901 SOUK_CLUSTER_MEMBERS=127.0.0.1:5901,127.0.0.1:5902 \
    SOUK_MANAGEMENT_PORT=0 SOUK_RATE_LIMIT_RPS=1000000 SOUK_RATE_LIMIT_BURST=1000000 SOUK_LOGIN_RATE_LIMIT=1000000 \
    SOUK_TOKEN_TTL_SECONDS=7200 ./run.sh >"$1" 2>&1 </dev/null & STARTED+=($!)
  for _ in $(seq 1 1200); do grep -q "Souk is ready" "$1" && break; sleep 0.1; done
  grep -q "Souk is ready" "$1" || { tail -20 "$1" >&2; exit 1; }
}
stop_souk() {  # stops every Souk process started so far; the ceilings keep running
  local pid souk=()
  for pid in "${STARTED[@]}"; do [[ " ${CEILING_PIDS[*]} " == *" $pid "* ]] || souk+=("$pid"); done
  for pid in "${souk[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${souk[@]}"; do
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  done
  STARTED=("${CEILING_PIDS[@]}")
}
# the first start after a build has no class-data archives yet and records them as it stops (var/run/); it is
# timed as the cold start, and every figure below comes from the second start, as users see every later one
start_souk "$WORK/run-cold.log"
cold_s=$(sed -n 's/.*Souk is ready after \([0-9.]*\) s.*/\1/p' "$WORK/run-cold.log")
stop_souk
start_souk "$WORK/run.log"
ready_s=$(sed -n 's/.*Souk is ready after \([0-9.]*\) s.*/\1/p' "$WORK/run.log")
sleep 10   # at rest: the start-up's garbage collected, nothing asked of it yet
declare -A idle_rss
for kind in gateway user order payment; do idle_rss[$kind]=$(rss_mb "$(node_pid $kind)"); done

log "signing up 50 users"
: > "$WORK/tokens"
for i in $(seq 1 50); do
  email="bench-$STAMP-$i@example.com"
  id=$(curl -s -XPOST "$URL/api/v1/users" -H 'content-type: application/json' \
    -d "{\"name\":\"Bench $i\",\"email\":\"$email\",\"password\":\"bench password\"}" | json "['id']")
  echo "$id" >> "$WORK/ids"
  curl -s -XPOST "$URL/api/v1/auth/token" -H 'content-type: application/json' \
    -d "{\"email\":\"$email\",\"password\":\"bench password\"}" | json "['accessToken']" >> "$WORK/tokens"
done
other_id=$(head -1 "$WORK/ids")
sed -n 2p "$WORK/tokens" > "$WORK/one-token"
cat > "$WORK/tokens.lua" <<LUA
local tokens = {}
for line in io.lines("$WORK/tokens") do tokens[#tokens + 1] = line end
local i = 0
request = function()
  i = i + 1
  return wrk.format(nil, nil, { ["Authorization"] = "Bearer " .. tokens[(i % #tokens) + 1] })
end
LUA
cat > "$WORK/orders.lua" <<LUA
local tokens = {}
for line in io.lines("$WORK/tokens") do tokens[#tokens + 1] = line end
local i = 0
wrk.method = "POST"
wrk.body = '{"items":[{"sku":"TEA-1","quantity":2,"unitPrice":450}],"currency":"EUR","paymentMethod":"tok_visa"}'
request = function()
  i = i + 1
  return wrk.format(nil, nil, { ["Authorization"] = "Bearer " .. tokens[(i % #tokens) + 1],
    ["Content-Type"] = "application/json" })
end
LUA
cat > "$WORK/hop.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $(cat "$WORK/one-token")"
LUA

# ---- interleaved scenarios: ceiling, then Souk ----
log "HTTP ceiling and /health, in turn ($ROUNDS rounds)"
read -r ceil_rps _ health_rps health_p50 health_p99 _ health_of _ < <(interleaved "http://127.0.0.1:$CEILING/" "$URL/health")
log "proxy ceiling, event-bus ceiling and the gateway hop (a 403 answered by the user service from memory), in turn"
read -r proxy_rps proxy_p99 bus_rps bus_p99 hop_rps hop_p50 hop_p99 _ hop_of hop_of_bus \
  proxy_cpu proxy_busy bus_cpu bus_busy hop_cpu hop_busy \
  < <(interleaved "http://127.0.0.1:$PROXY/ http://127.0.0.1:$BUS/" -s "$WORK/hop.lua" "$URL/api/v1/users/$other_id")
log "pgbench select-only; proxy ceiling and the read path, in turn"
pg_select=$(pgbench_tps -S)
gw=$(node_pid gateway) us=$(node_pid user)
# sampled during the read path's warm-up, which follows the proxy's
( sleep $((SECONDS_EACH + SECONDS_EACH / 2)); echo "$(rss_mb "$gw") $(rss_mb "$us")" > "$WORK/load-rss" ) &
sampler=$!
read -r read_proxy_rps _ read_rps read_p50 read_p99 read_bad read_of read_proxy_cpu read_proxy_busy read_cpu read_busy \
  < <(interleaved "http://127.0.0.1:$PROXY/" -s "$WORK/tokens.lua" "$URL/api/v1/users/me")
wait "$sampler"
read -r gw_load_rss us_load_rss < "$WORK/load-rss"

log "open loop: fixed rates on the proxy ceiling and on the read path"
# the generator is a JVM of its own on the same cores: its own tail shows in the proxy ceiling's percentiles
loadgen() {  # loadgen <url> <rate> <seconds> [tokens]: LoadGen's result line, or null (errors: loadgen.log)
  local line
  line=$(java bench/LoadGen.java "$@" 2>>"$WORK/loadgen.log" | tail -1) || true
  [[ "$line" == '{"rate":'* ]] && echo "$line" || echo null
}
# up to 20k: the read path's target is a p99 at that rate
OPEN_LOOP_RATES=(1000 2000 4000 10000 20000)
open_loop="" open_loop_proxy=""
for rate in "${OPEN_LOOP_RATES[@]}"; do
  open_loop_proxy+="${open_loop_proxy:+,}$(loadgen "http://127.0.0.1:$PROXY/" $rate "$SECONDS_EACH")"
  open_loop+="${open_loop:+,}$(loadgen "$URL/api/v1/users/me" $rate "$SECONDS_EACH" "$WORK/tokens")"
done

log "pgbench insert and the write path"
pg_insert=$(pgbench_tps -n -f "$WORK/insert.sql")
PG_ORDERS=(psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d souk_bench_order -tAc)
PG_PAYMENTS=(psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d souk_bench_payment -tAc)
ids_sql="'$(paste -sd, "$WORK/ids" | sed "s/,/','/g")'"
# what the run has written so far (sign-ups, the read path's first reads): PostgreSQL's cost per order grows with it
db_mb() { psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -tAc \
  "SELECT pg_database_size('$1') / 1048576" 2>/dev/null || echo -1; }
order_db_mb=$(db_mb souk_bench_order) payment_db_mb=$(db_mb souk_bench_payment)
# warm-up six times as long: the JIT compiles late (run.sh: decisions 27), and after three times as long it still
# took half of the payment node's samples and a third of the gateway's in the measured run (benchmarks.md)
wrk -t1 -c32 -d"$((SECONDS_EACH * 6))s" -s "$WORK/orders.lua" "$URL/api/v1/orders" >/dev/null 2>&1 || true
# waits until no order of the bench's users is PENDING (a poll a second, five minutes at most); prints how many still
# are, or -1 when the count could not be read. Once a second, not ten times: the count reads every order of the run,
# and polled that often it took a share of the CPU that the saga was being measured on
settle() {
  local left=-1
  for _ in $(seq 1 300); do
    sleep 1
    left=$("${PG_ORDERS[@]}" "SELECT count(*) FROM orders WHERE user_id IN ($ids_sql) AND status = 'PENDING'") \
      || left=-1
    [[ "$left" == 0 ]] && break
  done
  echo "$left"
}
left=$(settle)   # the warm-up's orders settle first: the measured run starts with the saga idle
[[ "$left" == 0 ]] || log "the warm-up's orders did not all settle ($left pending): the write path is measured busy"
measured_from=$("${PG_ORDERS[@]}" "SELECT now()")
before=$("${PG_ORDERS[@]}" "SELECT count(*) FROM orders WHERE user_id IN ($ids_sql)")
read -r write_rps write_p50 write_p99 write_bad _ < <(wrk_once -s "$WORK/orders.lua" "$URL/api/v1/orders")
pending=$(settle)
# settled when the last order of the run was: the database's clock, not the poll's second
settled_s=$("${PG_ORDERS[@]}" "SELECT coalesce(extract(epoch FROM max(updated_at) - '$measured_from'::timestamptz), 0) FROM orders WHERE user_id IN ($ids_sql) AND created_at >= '$measured_from'")
after=$("${PG_ORDERS[@]}" "SELECT count(*) FROM orders WHERE user_id IN ($ids_sql)")
created=$((after - before))
confirm_ms=$("${PG_ORDERS[@]}" "SELECT coalesce(round(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM updated_at - created_at)) * 1000), 0) FROM orders WHERE user_id IN ($ids_sql) AND status <> 'PENDING' AND created_at >= '$measured_from'")
double_charged=$("${PG_PAYMENTS[@]}" "SELECT count(*) FROM (SELECT order_id FROM payment GROUP BY order_id HAVING count(*) > 1) d")
not_confirmed=$("${PG_ORDERS[@]}" "SELECT count(*) FROM orders WHERE user_id IN ($ids_sql) AND status <> 'CONFIRMED'")
measured_not_confirmed=$("${PG_ORDERS[@]}" "SELECT count(*) FROM orders WHERE user_id IN ($ids_sql) AND status <> 'CONFIRMED' AND created_at >= '$measured_from'")

log "limiter and breaker cost, in isolation"
costs=$(java -cp "$CP" bench/LimiterCost.java 2>/dev/null | tail -1)

log "an added user node: time until it serves"
added_began=$(date +%s%N)
SOUK_PG_DATABASE=souk_bench_user SOUK_CLUSTER_NAME=$CLUSTER SOUK_CLUSTER_PORT=5901 SOUK_CLUSTER_MEMBERS=127.0.0.1:5901,127.0.0.1:5902 \
  SOUK_MANAGEMENT_PORT=0 SOUK_LOG_FILE="$WORK/user-2.log" java -Xms16m -Xmx512m -XX:+UseSerialGC -XX:NewRatio=1 \
  -XX:CompileThresholdScaling=4 -jar user-verticle/target/user-verticle.jar >/dev/null 2>&1 & STARTED+=($!)
added_s=-1
for _ in $(seq 1 1200); do
  answered=$(curl -s "$URL/ready" | python3 -c "import sys, json
d = json.load(sys.stdin)
print(next((len(c.get('data', {}).get('answered', [])) for c in d['checks'] if c['id'] == 'user-service'), 0))" 2>/dev/null || echo 0)
  if [[ "$answered" == 2 ]]; then added_s=$(python3 -c "print(round(($(date +%s%N) - $added_began) / 1e9, 1))"); break; fi
  sleep 0.1
done
read -r read2_rps read2_p50 read2_p99 _ < <(run_wrk -s "$WORK/tokens.lua" "$URL/api/v1/users/me")

log "the same cluster with mutual TLS on the event bus: proxy ceiling, gateway hop and read path again"
stop_souk
scripts/dev-certs.sh "$WORK/certs" >/dev/null
SOUK_CLUSTER_TLS_CA="$WORK/certs/ca.pem" SOUK_CLUSTER_TLS_CERT="$WORK/certs/order.pem" \
  SOUK_CLUSTER_TLS_KEY="$WORK/certs/order-key.pem" start_souk "$WORK/run-tls.log"
# a fresh start compiles late (decisions 27): the hop gets a warm-up three times as long in all, or it is measured
# while the gateway's JIT is still at work
wrk -t1 -c32 -d"$((SECONDS_EACH * 2))s" -s "$WORK/hop.lua" "$URL/api/v1/users/$other_id" >/dev/null 2>&1 || true
read -r tls_proxy_rps _ _ _ < <(run_wrk "http://127.0.0.1:$PROXY/")
proxy_answered "with event-bus TLS" "$tls_proxy_rps"
read -r tls_hop_rps tls_hop_p50 tls_hop_p99 _ < <(run_wrk -s "$WORK/hop.lua" "$URL/api/v1/users/$other_id")
read -r tls_read_rps tls_read_p50 tls_read_p99 tls_read_bad _ < <(run_wrk -s "$WORK/tokens.lua" "$URL/api/v1/users/me")

log "the same cluster with tracing on (every trace sampled, OTLP to the HTTP ceiling server as a sink): read path"
stop_souk
SOUK_OTEL_EXPORTER=otlp OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$CEILING" start_souk "$WORK/run-otel.log"
read -r otel_proxy_rps _ _ _ < <(run_wrk "http://127.0.0.1:$PROXY/")
proxy_answered "with tracing on" "$otel_proxy_rps"
read -r otel_read_rps otel_read_p50 otel_read_p99 otel_read_bad _ < <(run_wrk -s "$WORK/tokens.lua" "$URL/api/v1/users/me")

python3 - "$RESULTS/$STAMP.json" <<PY
import json, sys
# a ratio, or None when either side is missing (a ceiling that answered nothing: the bench says so above)
r = lambda a, b: round(a / b, 3) if a is not None and b else None
res = {
  "machine": {"cores": $(nproc), "java": "$(java -version 2>&1 | head -1 | tr -d '"')", "secondsPerScenario": $SECONDS_EACH},
  "startToReadySeconds": $ready_s,
  "coldStartToReadySeconds": $cold_s,
  "addedUserNodeServesAfterSeconds": $added_s,
  "idleRssMb": {"gateway": ${idle_rss[gateway]}, "user": ${idle_rss[user]}, "order": ${idle_rss[order]}, "payment": ${idle_rss[payment]}},
  "loadRssMb": {"gateway": $gw_load_rss, "user": $us_load_rss},
  "roundsPerRatio": $ROUNDS,
  "ceilings": {"httpRps": $ceil_rps, "proxyRps": $proxy_rps, "proxyP99Ms": $proxy_p99, "proxyRpsBesideReadPath": $read_proxy_rps,
               "eventBusHopRps": $bus_rps, "eventBusHopP99Ms": $bus_p99, "eventBusHopOfProxy": r($bus_rps, $proxy_rps),
               "pgSelectTps": $pg_select, "pgInsertTps": $pg_insert},
  "health": {"rps": $health_rps, "p50Ms": $health_p50, "p99Ms": $health_p99, "ofHttpCeiling": $health_of},
  "gatewayHop": {"rps": $hop_rps, "p50Ms": $hop_p50, "p99Ms": $hop_p99, "ofProxy": $hop_of, "ofEventBusHop": $hop_of_bus,
                 "machineCpuUsPerRequest": {"hop": $hop_cpu, "proxy": $proxy_cpu, "eventBusHop": $bus_cpu},
                 "machineBusyShare": {"hop": $hop_busy, "proxy": $proxy_busy, "eventBusHop": $bus_busy}},
  "readPath": {"rps": $read_rps, "p50Ms": $read_p50, "p99Ms": $read_p99, "non2xx": $read_bad,
               "ofProxy": $read_of, "ofPgSelect": r($read_rps, $pg_select),
               "machineCpuUsPerRequest": {"readPath": $read_cpu, "proxy": $read_proxy_cpu},
               "machineBusyShare": {"readPath": $read_busy, "proxy": $read_proxy_busy}},
  "readPathTwoUserNodes": {"rps": $read2_rps, "p50Ms": $read2_p50, "p99Ms": $read2_p99},
  "clusterTls": {"proxyRps": $tls_proxy_rps,
                 "gatewayHop": {"rps": $tls_hop_rps, "p50Ms": $tls_hop_p50, "p99Ms": $tls_hop_p99, "ofProxy": r($tls_hop_rps, $tls_proxy_rps)},
                 "readPath": {"rps": $tls_read_rps, "p50Ms": $tls_read_p50, "p99Ms": $tls_read_p99, "non2xx": $tls_read_bad,
                              "ofProxy": r($tls_read_rps, $tls_proxy_rps)},
                 "readPathOfPlain": r(r($tls_read_rps, $tls_proxy_rps), $read_of)},
  "tracing": {"proxyRps": $otel_proxy_rps,
              "readPath": {"rps": $otel_read_rps, "p50Ms": $otel_read_p50, "p99Ms": $otel_read_p99, "non2xx": $otel_read_bad,
                           "ofProxy": r($otel_read_rps, $otel_proxy_rps)},
              "readPathOfUntraced": r(r($otel_read_rps, $otel_proxy_rps), $read_of)},
  "openLoopReadPath": json.loads('[$open_loop]'),
  "openLoopProxyCeiling": json.loads('[$open_loop_proxy]'),
  "writePath": {"requestRps": $write_rps, "p50Ms": $write_p50, "p99Ms": $write_p99, "non2xx": $write_bad,
                "created": $created, "createdPerSecond": round($created / $SECONDS_EACH),
                "confirmedPerSecond": round(($created - $measured_not_confirmed) / max($settled_s, 0.001)),
                "medianTimeToConfirmMs": $confirm_ms, "ofPgInsert": r($created / $SECONDS_EACH, $pg_insert),
                "databaseMbAtStart": {"order": $order_db_mb, "payment": $payment_db_mb},
                "audit": {"pendingAfter": $pending, "notConfirmed": $not_confirmed, "doubleCharged": $double_charged}},
  "perRequestCost": json.loads('$costs'),
}
json.dump(res, open(sys.argv[1], "w"), indent=2)
w, h, rp = res["writePath"], res["gatewayHop"], res["readPath"]
print(f"""
Souk against its ceilings ({res['machine']['cores']} cores, {res['machine']['secondsPerScenario']} s per scenario, wrk -t1 -c32 after a warm-up;
/health, hop and read path: medians of {res['roundsPerRatio']} rounds, each in turn with its ceiling)
  ./run.sh to ready               {res['startToReadySeconds']} s ({res['coldStartToReadySeconds']} s just after a build); an added user node serves after {res['addedUserNodeServesAfterSeconds']} s
  ceilings                        HTTP {res['ceilings']['httpRps']} req/s, proxy {res['ceilings']['proxyRps']} req/s (p99 {res['ceilings']['proxyP99Ms']} ms), pgbench select {res['ceilings']['pgSelectTps']} tps, insert {res['ceilings']['pgInsertTps']} tps
  event-bus hop ceiling           {res['ceilings']['eventBusHopRps']} req/s (p99 {res['ceilings']['eventBusHopP99Ms']} ms) = {res['ceilings']['eventBusHopOfProxy']} x proxy
  GET /health                     {res['health']['rps']} req/s, p99 {res['health']['p99Ms']} ms  = {res['health']['ofHttpCeiling']} x HTTP ceiling
  gateway hop (no database)       {res['gatewayHop']['rps']} req/s, p99 {res['gatewayHop']['p99Ms']} ms  = {res['gatewayHop']['ofProxy']} x proxy, {res['gatewayHop']['ofEventBusHop']} x event-bus hop
  read path GET /users/me         {res['readPath']['rps']} req/s, p99 {res['readPath']['p99Ms']} ms  = {res['readPath']['ofProxy']} x proxy (its {res['ceilings']['proxyRpsBesideReadPath']} req/s in these rounds), {res['readPath']['ofPgSelect']} x pgbench select
  machine CPU per request        hop {h['machineCpuUsPerRequest']['hop']} us, proxy {h['machineCpuUsPerRequest']['proxy']} us, event-bus hop {h['machineCpuUsPerRequest']['eventBusHop']} us; read path {rp['machineCpuUsPerRequest']['readPath']} us (its proxy {rp['machineCpuUsPerRequest']['proxy']} us)
  share of the machine busy       hop {h['machineBusyShare']['hop']}, proxy {h['machineBusyShare']['proxy']}, event-bus hop {h['machineBusyShare']['eventBusHop']}; read path {rp['machineBusyShare']['readPath']} (its proxy {rp['machineBusyShare']['proxy']})
  read path, two user nodes       {res['readPathTwoUserNodes']['rps']} req/s, p99 {res['readPathTwoUserNodes']['p99Ms']} ms
  with event-bus TLS: hop         {res['clusterTls']['gatewayHop']['rps']} req/s, p99 {res['clusterTls']['gatewayHop']['p99Ms']} ms = {res['clusterTls']['gatewayHop']['ofProxy']} x proxy
  with event-bus TLS: read path   {res['clusterTls']['readPath']['rps']} req/s, p99 {res['clusterTls']['readPath']['p99Ms']} ms = {res['clusterTls']['readPath']['ofProxy']} x proxy ({res['clusterTls']['readPathOfPlain']} of the plain read path's ratio)
  write path POST /orders         {w['createdPerSecond']} created/s, {w['confirmedPerSecond']} confirmed/s, median {w['medianTimeToConfirmMs']} ms to confirm = {w['ofPgInsert']} x pgbench insert
  databases before the write path order {w['databaseMbAtStart']['order']} MB, payment {w['databaseMbAtStart']['payment']} MB (this run's own databases, empty at its start)
  write audit                     pending {w['audit']['pendingAfter']}, not confirmed {w['audit']['notConfirmed']}, charged twice {w['audit']['doubleCharged']}
  resident memory at rest (MB)    {res['idleRssMb']}; under read load gateway {res['loadRssMb']['gateway']}, user {res['loadRssMb']['user']}
  limiter / breaker per request   {res['perRequestCost']['limiterNsPerRequest']} ns / {res['perRequestCost']['breakerNsPerCall']} ns""")
for rate, o, c in zip(($(IFS=,; echo "${OPEN_LOOP_RATES[*]}")), res["openLoopReadPath"], res["openLoopProxyCeiling"]):
    for what, r in (("read path", o), ("proxy    ", c)):
        if r is None:
            print(f"  open loop {rate:>5}/s {what}  no result (see the generator's errors)")
        else:
            print(f"  open loop {rate:>5}/s {what}  achieved {r['achievedRate']}/s, p50 {r['p50Ms']} ms, p99 {r['p99Ms']} ms, p99.9 {r['p999Ms']} ms, errors {r['errors']}, non-2xx {r['non2xx']}")
print(f"  results                         {sys.argv[1]}")
PY
