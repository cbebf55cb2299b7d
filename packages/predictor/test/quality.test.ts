import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, recordInvocations } from '@skills/storage';
import { generateWorkload, trueSuccessProbability, type WorkloadOptions } from '@skills/synth';
import { afterAll, describe, expect, it } from 'vitest';
import { brierScore, rocAuc, trainPredictor, type EvaluationReport } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'predictor-quality-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * The documented workload: 30,000 invocations, 30 users (2 groups), 8 skills, 14 days, seed 7.
 * `contextEffect: 3` triples the synthetic phase, night-hour and group effects, so that the true
 * probabilities leave clear room above the skill-rate baseline (at the default of 1 they reach
 * only AUC ≈ 0.74 against ≈ 0.68, too close to the ceiling for a +0.05 target).
 */
const WORKLOAD = { invocations: 30_000, users: 30, skills: 8, days: 14, seed: 7, contextEffect: 3 } as const;

interface Outcome {
  report: EvaluationReport;
  /** AUC and Brier of the generator's own probabilities on the same test slice. */
  oracle: { auc: number; brier: number };
}

async function evaluate(options: WorkloadOptions): Promise<Outcome> {
  const workload = generateWorkload(options);
  const store = await openStore(join(dir, `${options.successModel ?? 'structured'}.db`));
  const truth = workload.truth;
  const groupOf = new Map(truth.users.map((user) => [user.userId, user.group]));
  const probabilities: number[] = [];
  const labels: number[] = [];
  try {
    for (const batch of workload.batches()) {
      await recordInvocations(store, batch);
      for (const i of batch) {
        const hour = new Date(i.invoked_at).getUTCHours();
        const group = groupOf.get(i.user_id) as number;
        probabilities.push(trueSuccessProbability(truth, { skill: i.skill_name, phase: i.workflow_phase, hour, group, at: i.invoked_at }));
        labels.push(i.completed ? 1 : 0);
      }
    }
    const report = (await trainPredictor(store)).metrics;
    // The generator emits invocations in the store's (invoked_at, id) order: its last rows are the test slice.
    const from = labels.length - report.rows.test;
    const oracle = { auc: rocAuc(probabilities.slice(from), labels.slice(from)), brier: brierScore(probabilities.slice(from), labels.slice(from)) };
    return { report, oracle };
  } finally {
    await store.close();
  }
}

const show = (name: string, { report, oracle }: Outcome) =>
  console.log(
    `${name}: model AUC ${report.model.auc.toFixed(3)} Brier ${report.model.brier.toFixed(4)}; ` +
      `baseline AUC ${report.baseline.auc.toFixed(3)} Brier ${report.baseline.brier.toFixed(4)}; ` +
      `oracle AUC ${oracle.auc.toFixed(3)} Brier ${oracle.brier.toFixed(4)}`,
  );

describe('quality on the synthetic workload (30,000 invocations, held-out most recent 20%)', () => {
  it('structured success (contextEffect 3): AUC ≥ baseline + 0.05 and a lower Brier score', async () => {
    const outcome = await evaluate(WORKLOAD);
    show('structured, contextEffect 3', outcome);
    const { report, oracle } = outcome;
    expect(report.rows.test).toBe(6000);
    // The workload leaves room: the truth itself beats the baseline clearly.
    expect(oracle.auc).toBeGreaterThan(report.baseline.auc + 0.1);
    expect(report.model.auc).toBeGreaterThanOrEqual(report.baseline.auc + 0.05);
    expect(report.model.brier).toBeLessThan(report.baseline.brier);
    expect(report.model.auc).toBeLessThanOrEqual(oracle.auc + 0.01);
  }, 60_000);

  it('pure-chance success: the model reports no signal (AUC within 0.5 ± 0.03)', async () => {
    const outcome = await evaluate({ ...WORKLOAD, contextEffect: undefined, successModel: 'random' });
    show('random', outcome);
    expect(Math.abs(outcome.report.model.auc - 0.5)).toBeLessThan(0.03);
    expect(outcome.report.improvement.auc).toBeLessThan(0.03);
  }, 60_000);
});
