#!/usr/bin/env bash
# `npm test`: installs what is missing, builds everything, starts the local stack if it is not up, runs
# every suite against it (unit, integration, emulator conformance, browser), then stops what it started.
# Extra arguments filter the test files by substring: `npm test -- kafka`.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS

bash scripts/ensure-install.sh
bash scripts/ensure-chromium.sh
echo "== build" >&2
npm run -s build
echo "== lint" >&2
npx eslint . && npx prettier --check . >/dev/null
echo "== API types" >&2
npm run -s api:check

source scripts/stack-guard.sh
trap stack_guard_down EXIT
echo "== stack" >&2
stack_guard_up

node graph-emulator/dist/src/cli.js ensure-ca >/dev/null
source scripts/local-env.sh
echo "== migrate" >&2
npm run -s migrate

echo "== tests" >&2
node scripts/run-tests.mjs "$@"
echo "npm test finished in $((SECONDS - started))s" >&2
