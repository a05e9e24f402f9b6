#!/usr/bin/env bash
# npm test: unit + integration (vitest) on PGlite; next build; integration again on PostgreSQL when
# TEST_DATABASE_URL is set (its scale-out tests run two production instances behind nginx); then the
# Playwright e2e suite against the production build. Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
mkdir -p test-results
rm -f test-results/*.json
status=0

echo "== tests indexed by rule (every RFC clause lib/oauth cites is named by a test title)"
node scripts/check-rfc-tests.mjs || status=1

echo "== vitest (unit + integration on PGlite)"
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest-pglite.json || status=1

# Before the PostgreSQL run: its scale-out tests (test/features/scale-out/) start production instances.
echo "== next build"
npx next build || status=1

if [ -n "${TEST_DATABASE_URL:-}" ]; then
  echo "== vitest (integration on PostgreSQL: $TEST_DATABASE_URL)"
  TEST_DB=postgres npx vitest run test/ --exclude test/features/storage/embedded-db.test.ts --reporter=default --reporter=json --outputFile.json=test-results/vitest-postgres.json || status=1
else
  echo "(TEST_DATABASE_URL not set: integration tests ran on PGlite only)"
fi

echo "== playwright (e2e in Chromium)"
npx playwright test || status=1

node scripts/test-summary.mjs || status=1
exit $status
