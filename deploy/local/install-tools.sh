#!/usr/bin/env bash
# Installs the servers that tests and local start need (nats-server, FerretDB) and kustomize once per machine into a
# per-user cache outside the repo. Idempotent: a second run with the binaries present returns at once.
# Prints the cache folder's bin path on its last line so callers can `eval` or read it.
set -euo pipefail

NATS_SERVER_VERSION="v2.15.2"
FERRETDB_VERSION="v1.24.2"
KUSTOMIZE_VERSION="v5.8.1"
# The RO-Crate community's validator (PyPI), and the npm package whose lib/defaults.js carries a copy of the
# RO-Crate 1.1 JSON-LD context (later versions carry 1.2's; PyPI's rocrate carries 1.3's).
ROC_VALIDATOR_VERSION="0.13.0"
RO_CRATE_CONTEXT_PACKAGE="ro-crate@3.5.1"
SCHEMATHESIS_VERSION="4.32.5"

TOOLS_DIR="${CAIRN_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cairn-tools}"
BIN_DIR="$TOOLS_DIR/bin"
NATS_BIN="$BIN_DIR/nats-server-$NATS_SERVER_VERSION"
FERRET_BIN="$BIN_DIR/ferretdb-$FERRETDB_VERSION-idindex"
KUSTOMIZE_BIN="$BIN_DIR/kustomize-$KUSTOMIZE_VERSION"
SCHEMATHESIS_VENV="$TOOLS_DIR/schemathesis-$SCHEMATHESIS_VERSION"
mkdir -p "$BIN_DIR"

log() { printf '[install-tools] %s\n' "$*" >&2; }

require_go() {
  if ! command -v go >/dev/null 2>&1; then
    log "Go is needed once to build nats-server and FerretDB, and was not found on PATH."
    log "Install Go (e.g. 'apt-get install golang-go' or /usr/local/go) and run this script again."
    exit 1
  fi
}

install_nats_server() {
  [ -x "$NATS_BIN" ] && return 0
  require_go
  log "building nats-server $NATS_SERVER_VERSION (once per machine)"
  local gobin
  gobin=$(mktemp -d)
  GOBIN="$gobin" GOFLAGS=-mod=mod go install "github.com/nats-io/nats-server/v2@$NATS_SERVER_VERSION"
  mv "$gobin/nats-server" "$NATS_BIN"
  rm -rf "$gobin"
}

install_ferretdb() {
  [ -x "$FERRET_BIN" ] && return 0
  require_go
  log "building FerretDB $FERRETDB_VERSION (once per machine)"
  local module_dir work
  module_dir=$(go mod download -json "github.com/FerretDB/FerretDB@$FERRETDB_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
  [ -d "$module_dir" ] || { log "could not download the FerretDB module"; exit 1; }
  work=$(mktemp -d)
  cp -r "$module_dir/." "$work/"
  chmod -R u+w "$work"
  # The module does not ship the generated version file its build/version package embeds.
  printf '%s' "$FERRETDB_VERSION" > "$work/build/version/version.txt"
  # v1.24.2's SQLite backend filters `{_id: x}` with `_ferretdb_sjson->'$._id'` but builds the unique _id
  # index on `_ferretdb_sjson->"_id"`; SQLite matches index expressions literally, so every _id lookup,
  # update and delete was a full table scan. Filtering with the index's own expression makes them
  # index searches (test: libs/testing/src/ferretdb-id-index.int.test.ts).
  local metadata="$work/internal/backends/sqlite/metadata/metadata.go"
  local scanning_line=$'\tIDColumn = DefaultColumn + "->\'$._id\'"'
  local indexed_line=$'\tIDColumn = DefaultColumn + "->\\"_id\\""'
  grep -qxF "$scanning_line" "$metadata" || { log "FerretDB patch: the IDColumn line to replace was not found in $metadata"; exit 1; }
  SCANNING="$scanning_line" INDEXED="$indexed_line" awk '$0 == ENVIRON["SCANNING"] { print ENVIRON["INDEXED"]; next } { print }' \
    "$metadata" > "$metadata.patched" && mv "$metadata.patched" "$metadata"
  grep -qxF "$indexed_line" "$metadata" || { log "FerretDB patch: IDColumn was not rewritten"; exit 1; }
  (cd "$work" && CGO_ENABLED=0 go build -o "$FERRET_BIN" ./cmd/ferretdb)
  rm -rf "$work"
}

# Renders the Kubernetes overlays for the deployment checks (test/deploy); no cluster is needed.
install_kustomize() {
  [ -x "$KUSTOMIZE_BIN" ] && return 0
  require_go
  log "building kustomize $KUSTOMIZE_VERSION (once per machine)"
  local gobin
  gobin=$(mktemp -d)
  GOBIN="$gobin" GOFLAGS=-mod=mod go install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION"
  mv "$gobin/kustomize" "$KUSTOMIZE_BIN"
  rm -rf "$gobin"
}

# roc-validator in a virtual environment of its own, its HTTP cache holding the RO-Crate 1.1 context (it runs
# --offline in the tests: nothing is fetched from the web there). Where Python or the registries are missing,
# the crate validation tests report themselves skipped with the reason.
ROC_VALIDATOR_DIR="$TOOLS_DIR/roc-validator-$ROC_VALIDATOR_VERSION"
install_roc_validator() {
  [ -x "$ROC_VALIDATOR_DIR/bin/rocrate-validator" ] && [ -s "$ROC_VALIDATOR_DIR/http-cache.sqlite" ] && return 0
  if ! command -v python3 >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    log "cannot install roc-validator (needs python3 and npm): the RO-Crate validation tests will be skipped"
    return 0
  fi
  log "installing roc-validator $ROC_VALIDATOR_VERSION and its offline cache (once per machine)"
  local work
  work=$(mktemp -d)
  if python3 -m venv "$ROC_VALIDATOR_DIR" >&2 && "$ROC_VALIDATOR_DIR/bin/pip" install -q "roc-validator==$ROC_VALIDATOR_VERSION" >&2 \
    && (cd "$work" && npm pack -q "$RO_CRATE_CONTEXT_PACKAGE" >/dev/null && tar xzf ./*.tgz) \
    && node -e "const c = require(process.argv[1]).standardContexts['https://w3id.org/ro/crate/1.1/context']; if (!c) process.exit(1); require('fs').writeFileSync(process.argv[2], JSON.stringify(c))" \
      "$work/package/lib/defaults.js" "$work/ro-crate-1.1-context.jsonld" \
    && "$ROC_VALIDATOR_DIR/bin/python" "$(dirname "$0")/seed-validator-cache.py" "$ROC_VALIDATOR_DIR/http-cache" \
      https://w3id.org/ro/crate/1.1/context "$work/ro-crate-1.1-context.jsonld" >&2; then
    log "roc-validator ready: $ROC_VALIDATOR_DIR/bin/rocrate-validator (cache $ROC_VALIDATOR_DIR/http-cache.sqlite)"
  else
    log "roc-validator could not be installed: the RO-Crate validation tests will be skipped"
    rm -f "$ROC_VALIDATOR_DIR/http-cache.sqlite"
  fi
  rm -rf "$work"
}

# Debian's packages, as root with apt-get; elsewhere (no root, no apt) says what follows without them.
install_debian_packages() {
  local without=$1
  shift
  [ $# -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    log "cannot install $* here (needs root and apt-get): $without"
    return 0
  fi
  log "installing Debian's $* (once per machine)"
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"; } >&2; then
    log "apt-get could not install $*: $without"
  fi
}

# The runner's local backend runs every job under bubblewrap (services/runner, "The runner"); npm start
# runs that runner, so bubblewrap is installed for it too, not only for the tests.
SANDBOX_WITHOUT="the runner refuses to start unless CAIRN_RUNNER_SANDBOX=none (jobs unsandboxed)"

# With --for-tests (the test command and CI), what only some tests need, from Debian's packages as root:
# Slurm and MUNGE for the Slurm runner backend (a private single-node cluster, libs/testing/src/
# slurm-cluster.ts), Chromium for the console's browser tests, and bubblewrap for the runner's sandbox.
# Slurm and Chromium are not needed to run Cairn; where they cannot be installed (no root, no apt) those
# tests report themselves skipped with the reason.
install_test_packages() {
  local wanted=()
  { [ -x /usr/sbin/slurmctld ] && [ -x /usr/sbin/slurmd ] && [ -x /usr/bin/sbatch ] && [ -x /usr/sbin/munged ]; } || wanted+=(slurmctld slurmd slurm-client munge)
  [ -x /usr/bin/chromium ] || wanted+=(chromium fonts-dejavu-core)
  command -v bwrap >/dev/null 2>&1 || wanted+=(bubblewrap)
  # One apt-get run for all of them; install_openbabel then finds obabel there.
  command -v obabel >/dev/null 2>&1 || wanted+=(openbabel)
  install_debian_packages "the tests that need them will be skipped; without bubblewrap $SANDBOX_WITHOUT" "${wanted[@]}"
}

# The OpenAPI fuzz test (test/openapi/schemathesis.e2e.test.ts) runs Schemathesis from PyPI, in its own venv in the
# cache. Without Python 3 and its venv module the test reports itself skipped with the reason.
install_schemathesis() {
  # The marker is written last, so an interrupted install is redone, never half used.
  [ -f "$SCHEMATHESIS_VENV/.installed" ] && return 0
  if ! command -v python3 >/dev/null 2>&1; then
    log "python3 was not found on PATH: the OpenAPI fuzz test will be skipped"
    return 0
  fi
  log "installing Schemathesis $SCHEMATHESIS_VERSION from PyPI into $SCHEMATHESIS_VENV (once per machine)"
  rm -rf "$SCHEMATHESIS_VENV"
  if { python3 -m venv "$SCHEMATHESIS_VENV" && "$SCHEMATHESIS_VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"; } >&2; then
    touch "$SCHEMATHESIS_VENV/.installed"
  else
    rm -rf "$SCHEMATHESIS_VENV"
    log "Schemathesis could not be installed (python3 -m venv, or pip from PyPI, failed): the OpenAPI fuzz test will be skipped"
  fi
}

install_sandbox() {
  command -v bwrap >/dev/null 2>&1 || install_debian_packages "$SANDBOX_WITHOUT" bubblewrap
}

# The demo template Render Molecule runs Open Babel's obabel (deploy/templates/README.md): Debian's openbabel,
# 4 packages, 3.8 MB to download, 17 MB on disk, about 7 s to install. Both npm start and the tests need it.
install_openbabel() {
  command -v obabel >/dev/null 2>&1 || install_debian_packages "Render Molecule jobs fail (obabel not found) and its tests are skipped" openbabel
}

# The demo template DIALS runs dials.import and dials.find_spots: Debian's dials is about 340 packages, 405 MB to
# download and 2.3 GB on disk, and took 8 min 14 s to install here (niced, on a loaded 2-core machine). With it
# .ci/run on a fresh machine (18.7 min without it on a quiet machine) would go past its 25 minutes, so it is not
# installed by default: --with-dials (or CAIRN_WITH_DIALS=1) installs it, for npm start and for the tests that
# run DIALS; without it those tests and the demo's DIALS step say they are skipped, and why.
install_dials() {
  command -v dials.import >/dev/null 2>&1 || install_debian_packages "the DIALS template's jobs fail (dials.import not found) and its tests are skipped" dials
}

for option in "$@"; do
  case "$option" in
    --for-tests) FOR_TESTS=1 ;;
    --with-dials) CAIRN_WITH_DIALS=1 ;;
    *) log "unknown option $option (options: --for-tests, --with-dials)"; exit 2 ;;
  esac
done
install_nats_server
install_ferretdb
install_kustomize
if [ -n "${FOR_TESTS:-}" ]; then install_test_packages; install_roc_validator; install_schemathesis; else install_sandbox; fi
[ -f "$SCHEMATHESIS_VENV/.installed" ] && ln -sf "$SCHEMATHESIS_VENV/bin/schemathesis" "$BIN_DIR/schemathesis"
install_openbabel
if [ "${CAIRN_WITH_DIALS:-}" = 1 ]; then install_dials; fi
ln -sf "$NATS_BIN" "$BIN_DIR/nats-server"
ln -sf "$FERRET_BIN" "$BIN_DIR/ferretdb"
ln -sf "$KUSTOMIZE_BIN" "$BIN_DIR/kustomize"
echo "$BIN_DIR"
