#!/usr/bin/env bash
# Installs everything the test suite needs (npm packages, Debian's chromium for the browser test, Debian's
# redis-server for the shared-cache test) and runs all of it: lint and format check, build, unit, e2e (Express and
# Fastify, real HTTP) and browser tests, then the consumer matrix.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ -x /usr/bin/redis-server ] || missing+=(redis-server)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian's ${missing[*]} for the browser and shared-cache tests..."
  as_root=""
  [ "$(id -u)" = 0 ] || as_root="sudo"
  $as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The package's service is not wanted: the test starts its own server on a free port.
  if [[ " ${missing[*]} " == *" redis-server "* ]]; then
    $as_root systemctl disable --now redis-server >/dev/null 2>&1 || true
  fi
fi

npm ci --no-audit --no-fund
npm run build
npm run lint
mkdir -p test-output
status=0
npx jest --ci --json --outputFile=test-output/jest-results.json || status=$?
# The consumer matrix: the packed tarball in Nest 10, 11 and 12 apps, on Node 20, 22 and 24, and the public types
# under TypeScript 5.9, 6 and 7 (scripts/compat.mjs; it prints its own count, added into the summary below).
rm -f test-output/compat/results.json
node scripts/compat.mjs --prebuilt || status=$?
node -e '
const r = require("./test-output/jest-results.json");
let c = { passed: 0, failed: 1 };
try { c = require("./test-output/compat/results.json"); } catch {}
const passed = r.numPassedTests + c.passed;
const failed = r.numFailedTests + r.numRuntimeErrorTestSuites + c.failed;
console.log(`${passed} passed, ${failed} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""));
'
exit $status
