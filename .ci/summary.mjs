// Prints vitest's JSON result as the plain closing line CI reads: "N passed, N failed".
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? '.vitest-results.json';
let r;
try {
  r = JSON.parse(readFileSync(file, 'utf8'));
} catch (err) {
  console.log(`test results missing (${err.message})`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const passed = r.numPassedTests ?? 0;
const failed = (r.numFailedTests ?? 0) + (r.numRuntimeErrorTests ?? 0);
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
const suitesFailed = r.numFailedTestSuites ?? 0;
if (suitesFailed && !failed) console.log(`${suitesFailed} test file(s) failed to load`);
console.log(`${passed} passed, ${failed + (suitesFailed && !failed ? suitesFailed : 0)} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed || suitesFailed || r.success === false ? 1 : 0);
