// Anomaly scan and trend at scale, on the 10-million-invocation SQLite store that
// storage-reads.bench.mjs builds (500 skills, 30 days, seed 7; BENCH_INVOCATIONS picks another
// size, which that benchmark must have built first). Both figures read the hourly rollups
// (`skill_time_series`) the way production does; the store is opened read-only, so the scan runs
// with `dryRun` (it judges and returns what it would record, and writes nothing).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hourlySeries, openStore, topSkills } from '@skills/storage';
import { generateWorkload } from '@skills/synth';
import { detectAndRecordAnomalies, detectAnomalies, skillTrend, trend } from '@skills/timeseries';
import { info, quantile, report, sample } from './lib.mjs';

const INVOCATIONS = Number(process.env.BENCH_INVOCATIONS ?? 10_000_000);
const path = join(dirname(fileURLToPath(import.meta.url)), '.data', `reads-${INVOCATIONS}.db`);
if (!existsSync(path)) {
  console.log(`FAIL  no store at ${path}: run \`node bench/storage-reads.bench.mjs\` first (it builds it)`);
  process.exit(1);
}
// The workload's clock: its window ends at truth.end, so "now" is the end of day 30.
const { truth } = generateWorkload({ invocations: INVOCATIONS, users: 20_000, skills: 500, days: 30, seed: 7 });
const now = truth.end + 5 * 60_000;
const store = await openStore(path, { readonly: true });
let ok = true;

// Full scan: every skill, the last complete hour, robust method (reads, judges, checks open anomalies).
const scan = await sample(() => detectAndRecordAnomalies(store, { now, dryRun: true }), 30, 3);
const result = await detectAndRecordAnomalies(store, { now, dryRun: true });
info(
  'store',
  `${INVOCATIONS.toLocaleString('en-US')} invocations, ${result.skills} skills judged for the hour from ${new Date(result.since).toISOString()}`,
);
ok = report('full anomaly scan of all skills (robust), median', quantile(scan, 0.5), 100, 'ms', 'lower') && ok;
info('scan p95', `${quantile(scan, 0.95).toFixed(1)} ms; anomalies it would open: ${result.detected.length}`);
const catchUp = await sample(() => detectAndRecordAnomalies(store, { now, since: now - 24 * 3_600_000, dryRun: true }), 3, 1);
info('catch-up scan of the last 24 hours (skills anomalies --detect --since 24h), median', `${quantile(catchUp, 0.5).toFixed(0)} ms`);
const zscan = await sample(() => detectAndRecordAnomalies(store, { now, dryRun: true, method: 'zscore' }), 10, 2);
const zresult = await detectAndRecordAnomalies(store, { now, dryRun: true, method: 'zscore' });
info(
  'same scan with the z-score method, median',
  `${quantile(zscan, 0.5).toFixed(1)} ms; anomalies it would open: ${zresult.detected.length}`,
);

// Trend of one skill: 7 days from the rollups (as `skills trend` runs it), and over 30 days.
const busiest = (await topSkills(store, { since: truth.end - 86_400_000, until: truth.end, limit: 1 }))[0].skill_name;
const week = await sample(() => skillTrend(store, busiest, { metric: 'completion_rate', days: 7, until: now }), 200, 20);
ok = report(`trend of one skill (${busiest}, 7 days, from the store), median`, quantile(week, 0.5), 2, 'ms', 'lower') && ok;
info('trend p95', `${quantile(week, 0.95).toFixed(3)} ms`);
const month = await sample(() => skillTrend(store, busiest, { metric: 'invocation_count', days: 30, until: now }), 100, 10);
info('trend over 30 days (volume), median', `${quantile(month, 0.5).toFixed(3)} ms`);

// The pure functions alone, on series already in memory.
const series = await hourlySeries(store, busiest, { since: truth.start, until: truth.end });
const pureTrend = await sample(() => trend(series, 'completion_rate', { days: 30 }), 200, 20);
info('trend() on 30 days in memory, median', `${quantile(pureTrend, 0.5).toFixed(3)} ms`);
const pureDetect = await sample(() => detectAnomalies(series, { until: truth.end }), 200, 20);
info('detectAnomalies() of the last hour of one skill in memory, median', `${(quantile(pureDetect, 0.5) * 1000).toFixed(0)} µs`);

await store.close();
process.exit(ok ? 0 : 1);
