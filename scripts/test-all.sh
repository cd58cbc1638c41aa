#!/usr/bin/env bash
# Installs everything the test suite needs (npm packages, Debian's chromium for the browser test) and runs all of
# it: lint and format check, build, unit, e2e (Express and Fastify, real HTTP) and browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser test..."
  as_root=""
  [ "$(id -u)" = 0 ] || as_root="sudo"
  $as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

npm ci --no-audit --no-fund
npm run build
npm run lint
mkdir -p test-output
status=0
npx jest --ci --json --outputFile=test-output/jest-results.json || status=$?
node -e '
const r = require("./test-output/jest-results.json");
console.log(`${r.numPassedTests} passed, ${r.numFailedTests + r.numRuntimeErrorTestSuites} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""));
'
exit $status
