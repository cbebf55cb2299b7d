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
 * Small workloads, so the file runs in seconds (the full-size figures are `pnpm bench predictor`'s):
 * 20,000 invocations, 30 users (2 groups), 8 skills, 14 days, seed 7, with `contextEffect: 3`
 * (the synthetic phase, night-hour and group effects tripled: clear room above the skill rate),
 * and the default strength on 100 users (2 groups) and 20 skills. A 10-tree forest.
 */
const WORKLOAD = { invocations: 20_000, users: 30, skills: 8, days: 14, seed: 7, contextEffect: 3 } as const;
const DEFAULT_STRENGTH = { invocations: 20_000, users: 100, skills: 20, days: 14, seed: 7 } as const;
const TRAIN = { trees: 10 } as const;

interface Outcome {
  report: EvaluationReport;
  /** AUC and Brier of the generator's own probabilities on the same test slice. */
  oracle: { auc: number; brier: number };
}

async function evaluate(options: WorkloadOptions): Promise<Outcome> {
  const workload = generateWorkload(options);
  const store = await openStore(join(dir, `${options.successModel ?? 'structured'}-${options.contextEffect ?? 1}.db`));
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
    const report = (await trainPredictor(store, TRAIN)).metrics;
    // The generator emits invocations in the store's (invoked_at, id) order: its last rows are the test slice.
    const from = labels.length - report.rows.test;
    const oracle = {
      auc: rocAuc(probabilities.slice(from), labels.slice(from)),
      brier: brierScore(probabilities.slice(from), labels.slice(from)),
    };
    return { report, oracle };
  } finally {
    await store.close();
  }
}

const show = (name: string, { report, oracle }: Outcome) =>
  console.log(
    `${name}: model AUC ${report.model.auc.toFixed(3)} Brier ${report.model.brier.toFixed(4)} ECE ${report.model.ece.toFixed(4)}; ` +
      `baseline AUC ${report.baseline.auc.toFixed(3)} Brier ${report.baseline.brier.toFixed(4)} ECE ${report.baseline.ece.toFixed(4)} ` +
      `(running ${report.running.baseline.auc.toFixed(3)}); oracle AUC ${oracle.auc.toFixed(3)} Brier ${oracle.brier.toFixed(4)}; ` +
      `room captured ${(((report.model.auc - report.running.baseline.auc) / (oracle.auc - report.running.baseline.auc)) * 100).toFixed(0)}%`,
  );

describe('quality on the synthetic workload (20,000 invocations, held-out most recent 20%, scored as deployed)', () => {
  it('structured success (contextEffect 3): AUC ≥ baseline + 0.05 and a lower Brier score', async () => {
    const outcome = await evaluate(WORKLOAD);
    show('structured, contextEffect 3', outcome);
    const { report, oracle } = outcome;
    expect(report.rows.test).toBe(4000);
    // The workload leaves room: the truth itself beats the baseline clearly.
    expect(oracle.auc).toBeGreaterThan(report.baseline.auc + 0.1);
    expect(report.model.auc).toBeGreaterThanOrEqual(report.baseline.auc + 0.05);
    expect(report.model.brier).toBeLessThan(report.baseline.brier);
    expect(report.model.auc).toBeLessThanOrEqual(oracle.auc + 0.01);
  }, 60_000);

  it('default strength: more than half of the room between the running skill rate and the oracle', async () => {
    const outcome = await evaluate(DEFAULT_STRENGTH);
    show('structured, default strength', outcome);
    const { report, oracle } = outcome;
    const room = (report.model.auc - report.running.baseline.auc) / (oracle.auc - report.running.baseline.auc);
    expect(room).toBeGreaterThan(0.5);
    expect(report.model.brier).toBeLessThan(report.baseline.brier);
  }, 60_000);

  it('pure-chance success: the model reports no signal (AUC within 0.5 ± 0.03, Brier within 0.002 of the baseline)', async () => {
    const outcome = await evaluate({ ...WORKLOAD, contextEffect: undefined, successModel: 'random' });
    show('random', outcome);
    expect(Math.abs(outcome.report.model.auc - 0.5)).toBeLessThan(0.03);
    expect(outcome.report.model.brier - outcome.report.baseline.brier).toBeLessThan(0.002);
  }, 60_000);
});
