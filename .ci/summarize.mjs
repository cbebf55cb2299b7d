// Reads vitest's JSON report: fails when no test ran or no PostgreSQL test ran, and prints the
// plain total "N passed, N failed" as the very last line.
import { existsSync, readFileSync } from 'node:fs';

const file = process.argv[2] ?? '.vitest-report.json';
if (!existsSync(file)) {
  console.log('ci: no vitest report was written');
  console.log('0 passed, 0 failed');
  process.exit(1);
}
const report = JSON.parse(readFileSync(file, 'utf8'));
const tests = report.testResults.flatMap((suite) => suite.assertionResults);
const passed = tests.filter((t) => t.status === 'passed').length;
const failed = tests.filter((t) => t.status === 'failed').length;
const skipped = tests.length - passed - failed;
const postgres = tests.filter((t) => t.status === 'passed' && /[[(]'?postgres\b/.test(t.fullName)).length;
const suitesFailed = report.testResults.filter((s) => s.status === 'failed' && s.assertionResults.length === 0).length;

let ok = failed === 0 && passed > 0 && suitesFailed === 0;
console.log(`ci: ${postgres} PostgreSQL tests passed`);
if (postgres === 0) {
  console.log('ci: no PostgreSQL test ran: is SKILLS_TEST_PG_URL set and PostgreSQL up?');
  ok = false;
}
if (skipped > 0) {
  console.log(`ci: ${skipped} tests were skipped or todo`);
  ok = false;
}
if (suitesFailed > 0) console.log(`ci: ${suitesFailed} test files failed to load`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(ok ? 0 : 1);
