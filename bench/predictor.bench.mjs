// Success predictor: trainPredictor on a 100,000-invocation SQLite store (built first, not timed),
// then one predictSuccess call (features from the model's cached aggregates + forest + calibration)
// timed individually over 10,000 varied inputs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, recordInvocations } from '@skills/storage';
import { predictSuccess, trainPredictor } from '@skills/predictor';
import { info, quantile, report, syntheticBatches } from './lib.mjs';

const INVOCATIONS = Number(process.env.BENCH_INVOCATIONS ?? 100_000);
const PREDICTIONS = 10_000;
const workload = { invocations: INVOCATIONS, users: 500, skills: 50, days: 30, seed: 1 };
const batches = syntheticBatches(workload);
const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'skills-bench-predictor-'));
let ok = true;

const store = await openStore(join(dir, 'skills.db'));
try {
  for (const batch of batches) await recordInvocations(store, batch);

  const start = performance.now();
  const model = await trainPredictor(store);
  const trainSeconds = (performance.now() - start) / 1000;

  // Inputs drawn from the workload itself (skills, users, phases, queries, times), plus unknown ones.
  const rows = batches.flat();
  const inputs = Array.from({ length: PREDICTIONS }, (_, k) => {
    const row = rows[(k * 7919) % rows.length];
    return {
      skill: k % 50 === 0 ? `unknown-${k}` : row.skill_name,
      user: k % 40 === 0 ? null : row.user_id,
      phase: row.workflow_phase,
      query: row.user_query,
      at: row.invoked_at,
      session: k % 3 === 0 ? null : { startedAt: row.invoked_at - 60_000 * (k % 20), skillsUsed: k % 5, previousCompleted: k % 2 === 0 },
    };
  });
  for (let k = 0; k < 2000; k++) predictSuccess(model, inputs[k % inputs.length]); // warm-up (compiles the forest once)
  const times = new Float64Array(PREDICTIONS);
  let sink = 0;
  for (let k = 0; k < PREDICTIONS; k++) {
    const t = performance.now();
    sink += predictSuccess(model, inputs[k]).probability;
    times[k] = performance.now() - t;
  }
  times.sort();
  if (!(sink > 0)) throw new Error('no predictions');

  info('workload', `${INVOCATIONS.toLocaleString('en-US')} synthetic invocations, 50 skills, 500 users, 30 days`);
  info('model', `${model.options.trees} trees × ${model.options.rowsPerTree} rows, depth ≤ ${model.options.maxDepth}; ` +
    `test AUC ${model.metrics.model.auc.toFixed(3)} (baseline ${model.metrics.baseline.auc.toFixed(3)})`);
  ok = report(`trainPredictor on ${INVOCATIONS.toLocaleString('en-US')} invocations`, trainSeconds, 10, 's', 'lower') && ok;
  info('predictSuccess p50', `${quantile(times, 0.5).toFixed(4)} ms`);
  ok = report(`predictSuccess p99 (${PREDICTIONS.toLocaleString('en-US')} calls)`, quantile(times, 0.99), 0.2, 'ms', 'lower') && ok;
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(ok ? 0 : 1);
