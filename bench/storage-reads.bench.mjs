// Reads served from rollups at scale: topSkills over the last 24 h and the hourly series of one
// skill over 30 days, on a SQLite store of 10 million invocations (500 skills, 30 days). The
// store is built once with recordInvocations and kept in bench/.data for later runs. The limit
// each figure is held against is printed beside it, with a plain full scan of the same answer
// measured in the same run for scale.
import { existsSync, mkdirSync, renameSync, statSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateWorkload } from '@skills/synth';
import { hourlySeries, openStore, recordInvocations, topSkills } from '@skills/storage';
import { info, quantile, report, sample } from './lib.mjs';

const INVOCATIONS = Number(process.env.BENCH_INVOCATIONS ?? 10_000_000);
const options = { invocations: INVOCATIONS, users: 20_000, skills: 500, days: 30, seed: 7, batchSize: 1000 };
const dir = join(dirname(fileURLToPath(import.meta.url)), '.data');
const path = join(dir, `reads-${INVOCATIONS}.db`);
mkdirSync(dir, { recursive: true });

const workload = generateWorkload(options);
if (!existsSync(path)) {
  const building = `${path}.building`;
  const store = await openStore(building);
  const start = performance.now();
  let written = 0;
  for (const batch of workload.batches()) {
    await recordInvocations(store, batch);
    written += batch.length;
    if (written % 1_000_000 === 0) {
      const rate = written / ((performance.now() - start) / 1000);
      console.log(`      building: ${written.toLocaleString('en-US')} invocations (${Math.round(rate).toLocaleString('en-US')}/s)`);
    }
  }
  await store.close();
  for (const suffix of ['', '-wal', '-shm']) if (existsSync(building + suffix)) renameSync(building + suffix, path + suffix);
}

const store = await openStore(path);
const end = workload.truth.end;
const size = readdirSync(dir)
  .filter((f) => f.startsWith(`reads-${INVOCATIONS}.db`))
  .reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
info(
  'store',
  `${INVOCATIONS.toLocaleString('en-US')} invocations, 500 skills, 30 days: ${(size / 2 ** 20).toFixed(0)} MiB on disk (${(size / INVOCATIONS).toFixed(0)} bytes/invocation)`,
);

const top = await sample(() => topSkills(store, { since: end - 86_400_000, until: end, limit: 10 }), 100, 10);
const busiest = (await topSkills(store, { since: end - 86_400_000, until: end, limit: 1 }))[0].skill_name;
const series = await sample(() => hourlySeries(store, busiest, { since: end - 30 * 86_400_000, until: end }), 200, 20);
let ok = true;
ok = report('topSkills, last 24 h, median', quantile(top, 0.5), 5, 'ms', 'lower') && ok;
info('topSkills p95', `${quantile(top, 0.95).toFixed(3)} ms`);
ok = report(`hourlySeries(${busiest}), 30 days, median`, quantile(series, 0.5), 2, 'ms', 'lower') && ok;
info('hourlySeries p95', `${quantile(series, 0.95).toFixed(3)} ms`);

// For scale: the same top-skills answer computed from raw invocations.
const scan = await sample(
  () =>
    store.db
      .selectFrom('skill_invocation')
      .select((eb) => ['skill_name', eb.fn.countAll().as('n')])
      .where('invoked_at', '>=', end - 86_400_000)
      .where('invoked_at', '<', end)
      .groupBy('skill_name')
      .orderBy('n', 'desc')
      .limit(10)
      .execute(),
  5,
  1,
);
info('same top 10 from raw invocations (index range scan)', `${quantile(scan, 0.5).toFixed(1)} ms`);
await store.close();
process.exit(ok ? 0 : 1);
