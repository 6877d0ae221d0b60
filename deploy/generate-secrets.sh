#!/usr/bin/env bash
# The secrets of Cairn's own deployments on your machine, generated here and never committed (both folders
# are in .gitignore): the stores' passwords, KurrentDB's certificates, and the local overlay's dev-token
# secret. docker-compose.yml and deploy/k8s/overlays/local read them; neither starts without them.
#   bash deploy/generate-secrets.sh            (from the repository root; run it again: it keeps what exists)
# Writes:
#   deploy/docker/secrets/               compose: mongo-password, mongo-url, esdb-url, kurrentdb.env,
#                                        kurrentdb-ca.crt, kurrentdb-node.crt, kurrentdb-node.key
#   deploy/k8s/overlays/local/secrets/   local overlay: auth.env, stores.env, mongo.env, kurrentdb.env,
#                                        ca.crt, node.crt, node.key
# A password is never replaced: the stores keep the one they were first started with (delete the folder
# and the stores' volumes to start over).
set -euo pipefail

root="$(cd "${1:-$(dirname "$0")/..}" && pwd)"
compose="$root/deploy/docker/secrets"
local_overlay="$root/deploy/k8s/overlays/local/secrets"
# The folders are yours alone; the files in them readable, because compose mounts each one into a
# container whose user is not yours (the services run as node, MongoDB as mongodb).
mkdir -p "$compose" "$local_overlay"
chmod 700 "$compose" "$local_overlay"

random() { openssl rand -hex 24; }

# Writes $1 with the rest as its content, unless it exists.
keep_or_write() {
  local file="$1"
  shift
  [[ -e "$file" ]] || { printf '%s\n' "$@" >"$file" && chmod 644 "$file"; }
}

# Reads KEY=value from an env file.
value_of() { sed -n "s/^$2=//p" "$1"; }

# KurrentDB runs with TLS (no insecure mode): a private CA and a node certificate for the names the
# services reach it by, in compose and in the local overlay's namespace.
certificates() {
  local dir="$1" ca="$1/$2" crt="$1/$3" key="$1/$4"
  [[ -e "$crt" ]] && return
  local ca_key
  ca_key="$(mktemp)"
  openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj '/CN=Cairn local KurrentDB CA' -keyout "$ca_key" -out "$ca" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj '/CN=eventstore' -keyout "$key" -out "$dir/node.csr" 2>/dev/null
  printf 'subjectAltName=DNS:eventstore,DNS:eventstore.cairn,DNS:eventstore.cairn.svc,DNS:eventstore.cairn.svc.cluster.local,DNS:eventstore-0.eventstore,DNS:eventstore-0.eventstore.cairn.svc.cluster.local,DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n' >"$dir/node.ext"
  openssl x509 -req -in "$dir/node.csr" -CA "$ca" -CAkey "$ca_key" -CAcreateserial -days 825 -extfile "$dir/node.ext" -out "$crt" 2>/dev/null
  rm -f "$ca_key" "$dir/node.csr" "$dir/node.ext" "$dir"/*.srl
  chmod 644 "$ca" "$crt" "$key"
}

# Compose: a file per secret (services read MONGO_URL_FILE and CAIRN_ESDB_URL_FILE), env files for the stores.
keep_or_write "$compose/mongo-password" "$(random)"
keep_or_write "$compose/kurrentdb.env" "KURRENTDB_DEFAULT_ADMIN_PASSWORD=$(random)"
keep_or_write "$compose/mongo-url" "mongodb://cairn:$(cat "$compose/mongo-password")@mongo:27017/?authSource=admin"
keep_or_write "$compose/esdb-url" "esdb://admin:$(value_of "$compose/kurrentdb.env" KURRENTDB_DEFAULT_ADMIN_PASSWORD)@eventstore:2113?tls=true&tlsCAFile=/run/secrets/kurrentdb-ca.crt"
certificates "$compose" kurrentdb-ca.crt kurrentdb-node.crt kurrentdb-node.key

# The local overlay: env files and certificate files for its secretGenerator.
keep_or_write "$local_overlay/auth.env" "CAIRN_DEV_JWT_SECRET=$(openssl rand -base64 48 | tr -d '\n')"
keep_or_write "$local_overlay/mongo.env" "MONGO_INITDB_ROOT_USERNAME=cairn" "MONGO_INITDB_ROOT_PASSWORD=$(random)"
keep_or_write "$local_overlay/kurrentdb.env" "KURRENTDB_DEFAULT_ADMIN_PASSWORD=$(random)"
keep_or_write "$local_overlay/stores.env" \
  "MONGO_URL=mongodb://cairn:$(value_of "$local_overlay/mongo.env" MONGO_INITDB_ROOT_PASSWORD)@mongo:27017/?authSource=admin" \
  "CAIRN_ESDB_URL=esdb://admin:$(value_of "$local_overlay/kurrentdb.env" KURRENTDB_DEFAULT_ADMIN_PASSWORD)@eventstore:2113?tls=true&tlsCAFile=/etc/cairn/kurrentdb-ca/ca.crt"
certificates "$local_overlay" ca.crt node.crt node.key

echo "Secrets in $compose and $local_overlay (not in git)."
