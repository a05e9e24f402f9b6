// Sums the JSON reports of every runner into the one closing line CI reads: "N passed, N failed".
import fs from 'node:fs';

let passed = 0;
let failed = Number(process.argv.find((a) => a.startsWith('--extra-failed='))?.split('=')[1] ?? 0);
let skipped = 0;
for (const f of fs.existsSync('test-results') ? fs.readdirSync('test-results') : []) {
  if (!f.endsWith('.json')) continue;
  const r = JSON.parse(fs.readFileSync(`test-results/${f}`, 'utf8'));
  if ('numPassedTests' in r) {
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    skipped += r.numPendingTests + (r.numTodoTests ?? 0);
    if (r.numFailedTestSuites && !r.numFailedTests) failed += r.numFailedTestSuites;
  } else if (r.stats) {
    passed += r.stats.expected;
    failed += r.stats.unexpected + (r.stats.flaky ?? 0);
    skipped += r.stats.skipped;
    if (r.errors?.length) failed += r.errors.length;
  }
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
