#!/usr/bin/env bash
# The secrets of Cairn's own deployments on your machine, generated here and never committed (both folders
# are in .gitignore): the stores' passwords and certificates, and the local overlay's dev-token
# secret. docker-compose.yml and deploy/k8s/overlays/local read them; neither starts without them.
#   bash deploy/generate-secrets.sh            (from the repository root; run it again: it keeps what exists)
# Writes:
#   deploy/docker/secrets/               compose: mongo-password, mongo-url, esdb-url, kurrentdb.env, audit-signing-key.pem,
#                                        ca.crt (and ca.key), kurrentdb-node.crt, kurrentdb-node.key, mongo.pem,
#                                        nats.crt, nats.key, nats/ (an NKEY seed per identity, auth.conf)
#   deploy/k8s/overlays/local/secrets/   local overlay: auth.env, stores.env, mongo.env, kurrentdb.env, audit-signing-key.pem,
#                                        ca.crt (and ca.key), node.crt, node.key, mongo.pem, nats.crt, nats.key, nats/
# NATS credentials are issued by deploy/nats/issue-credentials.ts: run this from the repository root after
# `npm ci`.
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

# Both stores run with TLS: a private CA (its key stays here, in ca.key, to sign more), a certificate for
# KurrentDB and one for MongoDB (certificate and key in one PEM, as mongod reads it), each for the names
# the services reach it by, in compose and in the local overlay's namespace.
signed_by_ca() {
  local dir="$1" name="$2" crt="$3" key="$4"
  [[ -e "$crt" ]] && return
  local names="DNS:$name,DNS:$name.cairn,DNS:$name.cairn.svc,DNS:$name.cairn.svc.cluster.local,DNS:$name-0.$name,DNS:$name-0.$name.cairn.svc.cluster.local,DNS:localhost,IP:127.0.0.1"
  openssl req -newkey rsa:2048 -nodes -subj "/CN=$name" -keyout "$key" -out "$dir/$name.csr" 2>/dev/null
  printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth,clientAuth\n' "$names" >"$dir/$name.ext"
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -days 825 -extfile "$dir/$name.ext" -out "$crt" 2>/dev/null
  rm -f "$dir/$name.csr" "$dir/$name.ext" "$dir/ca.srl"
  chmod 644 "$crt" "$key"
}

certificates() {
  local dir="$1" kurrentdb_crt="$1/$2" kurrentdb_key="$1/$3" mongo_pem="$1/$4"
  if [[ ! -e "$dir/ca.crt" ]]; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj '/CN=Cairn local stores CA' -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
    chmod 600 "$dir/ca.key"
    chmod 644 "$dir/ca.crt"
  fi
  signed_by_ca "$dir" eventstore "$kurrentdb_crt" "$kurrentdb_key"
  signed_by_ca "$dir" nats "$dir/nats.crt" "$dir/nats.key"
  if [[ ! -e "$mongo_pem" ]]; then
    signed_by_ca "$dir" mongo "$dir/mongo.crt" "$dir/mongo.key"
    cat "$dir/mongo.crt" "$dir/mongo.key" >"$mongo_pem"
    rm -f "$dir/mongo.crt" "$dir/mongo.key"
    chmod 644 "$mongo_pem"
  fi
}

# Compose: a file per secret (services read MONGO_URL_FILE and CAIRN_ESDB_URL_FILE), env files for the stores.
keep_or_write "$compose/mongo-password" "$(random)"
keep_or_write "$compose/kurrentdb.env" "KURRENTDB_DEFAULT_ADMIN_PASSWORD=$(random)"
keep_or_write "$compose/mongo-url" "mongodb://cairn:$(cat "$compose/mongo-password")@mongo:27017/?authSource=admin&tls=true&tlsCAFile=/run/secrets/ca.crt"
keep_or_write "$compose/esdb-url" "esdb://admin:$(value_of "$compose/kurrentdb.env" KURRENTDB_DEFAULT_ADMIN_PASSWORD)@eventstore:2113?tls=true&tlsCAFile=/run/secrets/ca.crt"
certificates "$compose" kurrentdb-node.crt kurrentdb-node.key mongo.pem

# The local overlay: env files and certificate files for its secretGenerator.
keep_or_write "$local_overlay/auth.env" "CAIRN_DEV_JWT_SECRET=$(openssl rand -base64 48 | tr -d '\n')"
keep_or_write "$local_overlay/mongo.env" "MONGO_INITDB_ROOT_USERNAME=cairn" "MONGO_INITDB_ROOT_PASSWORD=$(random)"
keep_or_write "$local_overlay/kurrentdb.env" "KURRENTDB_DEFAULT_ADMIN_PASSWORD=$(random)"
keep_or_write "$local_overlay/stores.env" \
  "MONGO_URL=mongodb://cairn:$(value_of "$local_overlay/mongo.env" MONGO_INITDB_ROOT_PASSWORD)@mongo:27017/?authSource=admin&tls=true&tlsCAFile=/etc/cairn/stores-ca/ca.crt" \
  "CAIRN_ESDB_URL=esdb://admin:$(value_of "$local_overlay/kurrentdb.env" KURRENTDB_DEFAULT_ADMIN_PASSWORD)@eventstore:2113?tls=true&tlsCAFile=/etc/cairn/stores-ca/ca.crt"
certificates "$local_overlay" node.crt node.key mongo.pem

# The access service's Ed25519 key for signing audit chain heads (CAIRN_AUDIT_SIGNING_KEY_FILE), PKCS #8
# PEM, with its public half beside it for auditors (docs/audit-bundle.md says how to rotate it).
audit_signing_key() {
  local key="$1/audit-signing-key.pem"
  [[ -e "$key" ]] && return
  openssl genpkey -algorithm ed25519 -out "$key" 2>/dev/null
  openssl pkey -in "$key" -pubout -out "$key.pub"
  chmod 644 "$key" "$key.pub"
}
audit_signing_key "$compose"
audit_signing_key "$local_overlay"

# NATS: an NKEY seed for each identity (the four services, the CLI, the operator and the runners that
# compose or the local overlay runs: one per pod of its runner StatefulSet, runner-0 to runner-2) and
# auth.conf, the server's authorization for them. Each process mounts only its own seed. Readable (the
# folder is yours alone) for the same reason as the files above.
issue_nats_credentials() {
  local dir="$1"
  shift
  mkdir -p "$dir"
  chmod 700 "$dir"
  TS_NODE_PROJECT="$PWD/tsconfig.json" npx --no-install ts-node --transpile-only -r tsconfig-paths/register "$root/deploy/nats/issue-credentials.ts" "$dir" \
    service:access service:projects service:jobs service:logbook cli operator "$@" >/dev/null
  chmod 644 "$dir"/*.nk "$dir/auth.conf"
}
issue_nats_credentials "$compose/nats" runner:runner-compose
issue_nats_credentials "$local_overlay/nats" runner:runner-0 runner:runner-1 runner:runner-2

echo "Secrets in $compose and $local_overlay (not in git)."
