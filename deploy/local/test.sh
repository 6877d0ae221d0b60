#!/usr/bin/env bash
# Every check the project has: typecheck, lint, then all tests (unit, real-server integration, e2e).
# Jest's JSON results go to test-results/jest.json, which .ci/run summarises.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash deploy/local/install-tools.sh --for-tests >/dev/null
echo "== typecheck"; npm run -s typecheck
export NX_DAEMON=false NX_NO_CLOUD=true
# The module-boundary rule reads the Nx project graph, which must be computed first.
echo "== lint"; npx nx show projects >/dev/null && npx eslint . --max-warnings=0
# Every imported package declared, every declared one used (.depcheckrc.yml says what it cannot see).
npx depcheck
echo "== build"; npm run -s build
mkdir -p test-results && rm -f test-results/jest.json
echo "== tests"
npx jest --ci --json --outputFile=test-results/jest.json "$@"
