#!/usr/bin/env bash
# Souk's reliability suite at full length: the fault scenarios of the system tests, with the longer settings that
# `mvn -B verify` shortens (a database outage of a minute instead of 15 s), and the figures each one prints gathered
# into one table. Real JVMs, a real Hazelcast cluster and PostgreSQL; loopback and network namespaces only (the
# namespace scenarios need root, and are skipped without it). Bounded: each scenario stops by itself.
set -euo pipefail

usage() {
  echo "usage: scripts/reliability.sh [database outage in seconds, default 60]"
}
[[ "${1:-}" == "-h" || "${1:-}" == "--help" ]] && { usage; exit 0; }
OUTAGE="${1:-60}"
[[ "$OUTAGE" =~ ^[0-9]+$ ]] || { usage >&2; exit 2; }

cd "$(dirname "$0")/.."
SCENARIOS=KillUnderLoadIT,RollingRestartIT,FailureModesIT,PaymentOutageIT,HostileInputIT,PartitionIT,MultiHostIT,MultiHostLoadIT,OutboxRelayIT,ClusterTlsIT,BridgeIT
OUT=var/reliability
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
LOG="$OUT/$STAMP.log"

echo "[reliability] running $SCENARIOS (database outage ${OUTAGE} s); full output in $LOG"
status=0
mvn -B verify -pl gateway-verticle,user-verticle,order-verticle,payment-verticle,system-tests -am \
  -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test="$SCENARIOS" \
  -Dsouk.reliability.outageSeconds="$OUTAGE" -Dsouk.reliability.full=true >"$LOG" 2>&1 || status=$?

{
  echo "# Souk reliability run $STAMP ($(nproc) cores, database outage ${OUTAGE} s)"
  echo
  # every scenario prints its figures as one line starting with its name in brackets
  grep -aE '^\[(kill -9 under load|rolling restart under load|database down under load|hostile input|multi-host under load|figures)\]' "$LOG" \
    | sed 's/^/- /' || true
  echo
  grep -aE 'Tests run: [0-9]+, Failures' "$LOG" | grep -a ' -- in souk' | sed 's/^\[[A-Z]*\] */- /' || true
} > "$OUT/$STAMP.md"
cat "$OUT/$STAMP.md"
if (( status != 0 )); then
  echo "[reliability] a scenario failed: see $LOG" >&2
fi
exit "$status"
