#!/usr/bin/env bash
# `npm start`: installs the servers if needed, builds (services and the console), and runs the whole platform until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -d node_modules ] || npm ci --no-audit --no-fund
if ! bash deploy/local/install-tools.sh >/dev/null; then
  if [ -z "${NATS_URL:-}" ] || [ -z "${MONGO_URL:-}" ]; then
    echo "Could not install nats-server/FerretDB (see above). Install Go, or set NATS_URL and MONGO_URL to running servers." >&2
    exit 1
  fi
fi
npm run -s build
exec node -r ./deploy/local/register.js dist/deploy/local/start.js
