// @skills/abtest at scale: analyzeExperiment on an experiment with 1,000,000 outcomes from
// 20,000 users (50 each), on SQLite, built with recordOutcomes and kept in bench/.data; and the
// assignment of a user to a variant (the hash against the weights) at p99, with the stored
// `assign` round trip measured beside it for scale.
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeExperiment, assign, chooseVariant, createExperiment, recordOutcomes } from '@skills/abtest';
import { openStore, recordInvocations } from '@skills/storage';
import { info, quantile, report, sample, seeded } from './lib.mjs';

const OUTCOMES = Number(process.env.BENCH_OUTCOMES ?? 1_000_000);
const USERS = 20_000;
const T0 = Date.UTC(2026, 0, 5);
const DAY = 86_400_000;
const dir = join(dirname(fileURLToPath(import.meta.url)), '.data');
const path = join(dir, `abtest-${OUTCOMES}.db`);
mkdirSync(dir, { recursive: true });

if (!existsSync(path)) {
  const building = `${path}.building`;
  const store = await openStore(building);
  const random = seeded(11);
  const start = performance.now();
  // Two weeks of history before the experiment: 5 invocations per user (the CUPED covariate).
  const propensity = Array.from({ length: USERS }, () => 0.3 + 0.6 * random());
  const history = [];
  for (let u = 0; u < USERS; u++) {
    for (let k = 0; k < 5; k++) {
      history.push({
        skill_name: `skill-${k}`,
        session_id: `s${u}`,
        user_id: `user-${u}`,
        invoked_at: T0 - DAY * (1 + k),
        completed: random() < propensity[u],
        duration_seconds: 5 + 20 * random(),
      });
    }
  }
  for (let i = 0; i < history.length; i += 1000) await recordInvocations(store, history.slice(i, i + 1000));
  await createExperiment(
    store,
    { name: 'bench', controlStrategy: 'semantic', treatmentStrategy: 'workflow-aware', minSampleSize: 1000 },
    { now: T0 },
  );
  const variantOf = [];
  for (let u = 0; u < USERS; u++) variantOf.push((await assign(store, 'bench', `user-${u}`, { now: T0 + 1 })).variant);
  const perUser = OUTCOMES / USERS;
  let written = 0;
  for (let first = 0; first < USERS; first += 200) {
    const items = [];
    for (let u = first; u < first + 200; u++) {
      const p = propensity[u] + (variantOf[u] === 'treatment' ? 0.01 : 0);
      for (let k = 0; k < perUser; k++)
        items.push({ userId: `user-${u}`, completed: random() < p, durationSeconds: 5 + 20 * random(), recordedAt: T0 + DAY + k });
    }
    await recordOutcomes(store, 'bench', items);
    written += items.length;
    if (written % 200_000 === 0)
      info('building', `${written.toLocaleString('en-US')} outcomes (${((performance.now() - start) / 1000).toFixed(0)} s)`);
  }
  await store.close();
  for (const suffix of ['', '-wal', '-shm']) if (existsSync(building + suffix)) renameSync(building + suffix, path + suffix);
}

const store = await openStore(path);
const outcomes = (
  await store.db
    .selectFrom('ab_test_outcomes')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow()
).n;
info(
  'store',
  `${Number(outcomes).toLocaleString('en-US')} outcomes from ${USERS.toLocaleString('en-US')} users, 100,000 pre-exposure invocations`,
);

// First analysis: fills the CUPED covariate of all 20,000 users with one grouped query.
await store.db.updateTable('ab_test_user_stats').set({ pre_computed_at: null }).execute();
const start = performance.now();
let result = await analyzeExperiment(store, 'bench');
info('first analysis (fills pre-exposure covariates once)', `${(performance.now() - start).toFixed(1)} ms`);
const primary = result.comparisons[0];
info(
  'result',
  `verdict ${result.verdict}; completion ${primary.controlMean.toFixed(4)} → ${primary.treatmentMean.toFixed(4)}, CUPED variance reduction ${(100 * primary.cuped.varianceReduction).toFixed(1)}%`,
);

const times = await sample(
  async () => {
    result = await analyzeExperiment(store, 'bench');
  },
  30,
  3,
);
report('analyzeExperiment, 1,000,000 outcomes (median)', quantile(times, 0.5), 50, 'ms', 'lower');
info('analyzeExperiment p95', `${quantile(times, 0.95).toFixed(1)} ms`);

// Assignment: the hash of salt + user against the weights, 100,000 distinct users.
const experiment = (await import('@skills/abtest')).getExperiment;
const config = await experiment(store, 'bench');
const assignTimes = [];
for (let i = 0; i < 100_000; i++) {
  const t = performance.now();
  chooseVariant(config.variants, config.salt, `new-user-${i}`);
  assignTimes.push(performance.now() - t);
}
assignTimes.sort((a, b) => a - b);
report('assignment (chooseVariant) p99', quantile(assignTimes, 0.99), 0.05, 'ms', 'lower');

// For scale: the stored form (look up, hash, insert) on the same SQLite store.
const stored = [];
for (let i = 0; i < 2000; i++) {
  const t = performance.now();
  await assign(store, 'bench', `bench-new-${Date.now()}-${i}`);
  stored.push(performance.now() - t);
}
stored.sort((a, b) => a - b);
info('assign() with the store round trip, p50 / p99', `${quantile(stored, 0.5).toFixed(3)} / ${quantile(stored, 0.99).toFixed(3)} ms`);
// Leave the store as built: remove the users this run added.
await store.db.deleteFrom('ab_test_assignments').where('user_id', 'like', 'bench-new-%').execute();
await store.close();
