#!/usr/bin/env bash
# Creates a development certificate authority and certificates signed by it, for cluster TLS between Souk nodes
# (mutual TLS on the event bus) and for the gateway's HTTPS, then prints the environment that uses them.
# Development only: the CA key sits next to the certificates. Requires openssl.
set -euo pipefail

usage() {
  echo "usage: scripts/dev-certs.sh [directory, default var/certs] [host address or name for the certificates, default 127.0.0.1]"
}
[[ "${1:-}" == "-h" || "${1:-}" == "--help" ]] && { usage; exit 0; }
DIR="${1:-var/certs}"
ADDRESS="${2:-127.0.0.1}"
DAYS=825
# the second argument may be an address or a host name
if [[ "$ADDRESS" =~ ^[0-9.]+$ || "$ADDRESS" == *:* ]]; then SAN="IP:$ADDRESS"; else SAN="DNS:$ADDRESS"; fi
command -v openssl >/dev/null || { echo "openssl is missing (apt-get install -y openssl)" >&2; exit 1; }
# openssl's chatter is kept out of the way, and shown when a step fails
quiet() {
  local out
  out=$("$@" 2>&1) || { printf '%s\n' "$out" >&2; echo "dev-certs: failed: $*" >&2; exit 1; }
}
mkdir -p "$DIR"
cd "$DIR"

if [[ ! -f ca.pem ]]; then
  quiet openssl req -x509 -newkey rsa:2048 -nodes -keyout ca-key.pem -out ca.pem -days "$DAYS" \
    -subj "/CN=Souk development CA"
fi

issue() {
  local name=$1
  quiet openssl req -newkey rsa:2048 -nodes -keyout "$name-key.pem" -out "$name.csr" -subj "/CN=souk-$name"
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1,%s\nextendedKeyUsage=serverAuth,clientAuth\n' "$SAN" > "$name.ext"
  quiet openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca-key.pem -CAcreateserial -out "$name.pem" -days "$DAYS" \
    -extfile "$name.ext"
  rm -f "$name.csr" "$name.ext"
}
for name in gateway user order payment https; do issue "$name"; done
chmod 600 ./*-key.pem

DIR_ABS=$(pwd)
cat <<ENV
# cluster TLS for a node of kind <node> (gateway, user, order or payment):
export SOUK_CLUSTER_TLS_CA=$DIR_ABS/ca.pem
export SOUK_CLUSTER_TLS_CERT=$DIR_ABS/<node>.pem
export SOUK_CLUSTER_TLS_KEY=$DIR_ABS/<node>-key.pem
# HTTPS at the gateway:
export SOUK_TLS_CERT=$DIR_ABS/https.pem
export SOUK_TLS_KEY=$DIR_ABS/https-key.pem
ENV
