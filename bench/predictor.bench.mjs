// Success predictor, two parts.
// Quality: the default synthetic workload of `skills seed` (200 users, 40 skills, 30 days, seed 42,
// no contextEffect) at 40,000 and 200,000 invocations in SQLite stores; the held-out most recent
// 20% scored as deployed (tallies frozen); beside it the skill-rate baseline (running, as the
// issue measured it, and frozen) and the oracle (synth's trueSuccessProbability on the same rows).
// Share of the room = (model AUC − baseline AUC) / (oracle AUC − baseline AUC).
// Speed: trainPredictor on 100,000 invocations (500 users, 50 skills, 30 days, seed 1), then one
// predictSuccess call timed individually over 10,000 varied inputs.
// BENCH_SEEDS=42,1,2,3 repeats the quality part over several seeds and reports the mean too;
// BENCH_QUALITY_SIZES=40000 chooses the sizes (empty: none); BENCH_INVOCATIONS the speed part's (0: none).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, recordInvocations } from '@skills/storage';
import { generateWorkload, trueSuccessProbability } from '@skills/synth';
import { expectedCalibrationError, predictSuccess, rocAuc, trainPredictor } from '@skills/predictor';
import { info, quantile, report, syntheticBatches } from './lib.mjs';

const QUALITY_SIZES = (process.env.BENCH_QUALITY_SIZES ?? '40000,200000').split(',').filter(Boolean).map(Number);
const SEEDS = (process.env.BENCH_SEEDS ?? '42').split(',').map(Number);
const INVOCATIONS = Number(process.env.BENCH_INVOCATIONS ?? 100_000);
const PREDICTIONS = 10_000;
const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'skills-bench-predictor-'));
let ok = true;

/** Records the workload, trains with the defaults, scores the oracle on the test slice. */
async function quality(options) {
  const workload = generateWorkload(options);
  const groupOf = new Map(workload.truth.users.map((user) => [user.userId, user.group]));
  const store = await openStore(join(dir, `quality-${options.invocations}-${options.seed}.db`));
  const truth = [];
  const labels = [];
  try {
    for (const batch of workload.batches()) {
      await recordInvocations(store, batch);
      for (const i of batch) {
        const hour = new Date(i.invoked_at).getUTCHours();
        truth.push(
          trueSuccessProbability(workload.truth, {
            skill: i.skill_name,
            phase: i.workflow_phase,
            hour,
            group: groupOf.get(i.user_id),
            at: i.invoked_at,
          }),
        );
        labels.push(i.completed ? 1 : 0);
      }
    }
    const started = performance.now();
    const model = await trainPredictor(store);
    const seconds = (performance.now() - started) / 1000;
    // The generator emits rows in the store's (invoked_at, id) order: its last rows are the test slice.
    const from = labels.length - model.metrics.rows.test;
    const oracle = rocAuc(truth.slice(from), labels.slice(from));
    // The oracle's own ECE on the same rows: how far a perfectly calibrated model lands by chance.
    const oracleEce = expectedCalibrationError(truth.slice(from), labels.slice(from));
    const m = model.metrics;
    const room = (auc, base) => (auc - base) / (oracle - base);
    return {
      oracle,
      oracleEce,
      model: m.model,
      baseline: m.baseline,
      running: m.running,
      roomRunning: room(m.model.auc, m.running.baseline.auc),
      roomFrozen: room(m.model.auc, m.baseline.auc),
      clusters: m.context.clusters,
      weights: model.stacking.weights,
      seconds,
    };
  } finally {
    await store.close();
  }
}

try {
  for (const invocations of QUALITY_SIZES) {
    const runs = [];
    for (const seed of SEEDS) {
      const q = await quality({ invocations, users: 200, skills: 40, days: 30, seed });
      runs.push(q);
      const size = `${invocations.toLocaleString('en-US')}, seed ${seed}`;
      info(
        `quality ${size}`,
        `oracle AUC ${q.oracle.toFixed(3)}; model ${q.model.auc.toFixed(3)} (running tallies ${q.running.model.auc.toFixed(3)}); ` +
          `baseline running ${q.running.baseline.auc.toFixed(3)}, frozen ${q.baseline.auc.toFixed(3)}; ` +
          `${q.clusters} usage clusters; stack weights forest ${q.weights[0].toFixed(2)}, context ${q.weights[1].toFixed(2)}, baseline ${q.weights[2].toFixed(2)}; trained in ${q.seconds.toFixed(1)} s`,
      );
      info(
        `ECE ${size}`,
        `model ${q.model.ece.toFixed(4)} (running ${q.running.model.ece.toFixed(4)}); baseline frozen ${q.baseline.ece.toFixed(4)}, running ${q.running.baseline.ece.toFixed(4)}; oracle ${q.oracleEce.toFixed(4)}`,
      );
      info(`share of the room ${size}`, `vs the frozen baseline ${(q.roomFrozen * 100).toFixed(1)} %`);
      ok = report(`share of the oracle's room over the running baseline, ${size}`, q.roomRunning * 100, 65, '%', 'higher') && ok;
      ok = report(`model ECE minus baseline ECE (both frozen), ${size}`, (q.model.ece - q.baseline.ece) * 1e4, 0, '× 10⁻⁴', 'lower') && ok;
    }
    if (runs.length > 1) {
      const mean = (f) => runs.reduce((sum, r) => sum + f(r), 0) / runs.length;
      info(
        `mean over seeds ${SEEDS.join(',')}, ${invocations.toLocaleString('en-US')}`,
        `share of the room ${(mean((r) => r.roomRunning) * 100).toFixed(1)} %; ECE model ${mean((r) => r.model.ece).toFixed(4)}, baseline frozen ${mean((r) => r.baseline.ece).toFixed(4)}, running ${mean((r) => r.running.baseline.ece).toFixed(4)}, oracle ${mean((r) => r.oracleEce).toFixed(4)}; model ECE ≤ frozen baseline's on ${runs.filter((r) => r.model.ece <= r.baseline.ece).length} of ${runs.length} seeds`,
      );
    }
  }

  // BENCH_INVOCATIONS=0: the quality part only.
  const workload = { invocations: INVOCATIONS, users: 500, skills: 50, days: 30, seed: 1 };
  const batches = INVOCATIONS > 0 ? syntheticBatches(workload) : [];
  const store = INVOCATIONS > 0 ? await openStore(join(dir, 'speed.db')) : null;
  if (store)
    try {
      for (const batch of batches) await recordInvocations(store, batch);

      const start = performance.now();
      const cpu = process.cpuUsage();
      const model = await trainPredictor(store);
      const trainSeconds = (performance.now() - start) / 1000;
      // On a shared machine the wall clock includes waiting for a core; the CPU time does not.
      const used = process.cpuUsage(cpu);
      const cpuSeconds = (used.user + used.system) / 1e6;

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
          session:
            k % 3 === 0 ? null : { startedAt: row.invoked_at - 60_000 * (k % 20), skillsUsed: k % 5, previousCompleted: k % 2 === 0 },
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

      info('speed workload', `${INVOCATIONS.toLocaleString('en-US')} synthetic invocations, 50 skills, 500 users, 30 days, seed 1`);
      info(
        'model',
        `${model.options.trees} trees × ${model.options.rowsPerTree} rows, depth ≤ ${model.options.maxDepth}, ${model.metrics.context.clusters} usage clusters; ` +
          `test AUC ${model.metrics.model.auc.toFixed(3)} (baseline ${model.metrics.running.baseline.auc.toFixed(3)} running, ${model.metrics.baseline.auc.toFixed(3)} frozen)`,
      );
      info('trainPredictor CPU time (this process, user + system)', `${cpuSeconds.toFixed(1)} s`);
      ok = report(`trainPredictor on ${INVOCATIONS.toLocaleString('en-US')} invocations`, trainSeconds, 10, 's', 'lower') && ok;
      info('predictSuccess p50', `${quantile(times, 0.5).toFixed(4)} ms`);
      ok =
        report(
          `predictSuccess p99 (${PREDICTIONS.toLocaleString('en-US')} calls, with factors)`,
          quantile(times, 0.99),
          0.2,
          'ms',
          'lower',
        ) && ok;
    } finally {
      await store.close();
    }
  info(
    'load average',
    (await import('node:os'))
      .loadavg()
      .map((v) => v.toFixed(1))
      .join(' '),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(ok ? 0 : 1);
