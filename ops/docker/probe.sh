#!/usr/bin/env bash
# Asks the Souk node in this container for /health (or the path given, e.g. /ready) and exits 0 on a 200. Needs bash
# alone: the runtime image has no curl. The gateway answers on its HTTP port, a service node on its management port,
# bound to its cluster address.
set -euo pipefail

usage() {
  echo "usage: probe.sh [/health | /ready]    (NODE_KIND=gateway|user|order|payment, set by the image)"
}
[[ "${1:-}" == "-h" || "${1:-}" == "--help" ]] && { usage; exit 0; }
path="${1:-/health}"

if [[ "${NODE_KIND:?NODE_KIND is not set}" == gateway ]]; then
  host="${SOUK_HTTP_HOST:-127.0.0.1}"
  port="${SOUK_HTTP_PORT:-8080}"
else
  host="${SOUK_CLUSTER_HOST:-127.0.0.1}"
  port="${SOUK_MANAGEMENT_PORT:?SOUK_MANAGEMENT_PORT is not set}"
fi
[[ "$host" == 0.0.0.0 ]] && host=127.0.0.1

exec 3<>"/dev/tcp/$host/$port"
# a gateway serving HTTPS (SOUK_TLS_CERT) cannot be asked over bash's plain socket: that it accepts connections is
# what this probe can tell, and it says so
if [[ "$NODE_KIND" == gateway && -n "${SOUK_TLS_CERT:-}" ]]; then
  echo "the gateway serves HTTPS: checked that port $port accepts connections, not $path"
  exit 0
fi
printf 'GET %s HTTP/1.0\r\nHost: %s\r\n\r\n' "$path" "$host" >&3
read -r -t 3 status <&3
[[ "$status" == *" 200 "* ]]
