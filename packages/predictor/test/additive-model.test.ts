import { describe, expect, it } from 'vitest';
import { additiveLogit, fitAdditive, poolCells, type AdditiveCells } from '../src/additive-model.js';

/** skill, phase slot, block, cluster (−1: none), trials, successes. */
const CELLS: [number, number, number, number, number, number][] = [
  [0, 1, 4, 0, 40, 34],
  [0, 2, 4, 1, 30, 21],
  [0, 4, 0, 0, 25, 12],
  [0, 0, 5, -1, 10, 8],
  [1, 1, 4, 1, 50, 45],
  [1, 3, 1, 0, 20, 17],
  [1, 5, 4, 1, 15, 5],
  [1, 2, 0, 0, 35, 22],
  [2, 1, 4, 0, 60, 39],
  [2, 4, 6, 1, 12, 4],
  [2, 2, 5, 0, 18, 15],
  [2, 1, 0, -1, 22, 13],
];

function cells(): AdditiveCells {
  const column = (c: number) => Int32Array.from(CELLS, (row) => row[c]!);
  return {
    skill: column(0),
    phase: column(1),
    block: column(2),
    cluster: column(3),
    trials: Float64Array.from(CELLS, (row) => row[4]),
    successes: Float64Array.from(CELLS, (row) => row[5]),
    length: CELLS.length,
  };
}

describe('fitAdditive', () => {
  it('matches an L2 logistic regression on the one-hot design (scikit-learn 1.2.1, λ = 2)', () => {
    // /usr/bin/python3, scikit-learn 1.2.1: LogisticRegression(C=1/2, solver='newton-cg', tol=1e-14, max_iter=100000) on one-hot columns
    // phase(7) block(8) cluster(2) skill(3) skill×phase skill×block cluster×skill, rows weighted by counts
    // (script: one row per outcome of each cell, sample_weight = successes / failures); decision_function per cell:
    const expected = [
      1.67503483, 0.85158576, -0.03408678, 1.29028075, 1.9436528, 1.61061304, -0.36406752, 0.55115911, 0.64897823, -0.57607146, 1.44142375,
      0.38880329,
    ];
    const model = fitAdditive(cells(), { skills: 3, clusters: 2, penalty: [2, 2, 2, 2, 2, 2, 2], maxSweeps: 20_000, tolerance: 1e-12 });
    const logits = CELLS.map(([s, p, b, c]) => additiveLogit(model, s, p, b, c));
    for (const [k, logit] of logits.entries()) expect(logit).toBeCloseTo(expected[k]!, 5);
  });

  it('estimates a heavier penalty for a block of terms with no real effect', () => {
    // 2 skills × 8 blocks, success 0.8 everywhere except skill 0 in phase 1 (0.4): the phase
    // interaction is real, the hour blocks are noise.
    const rows = { skill: [] as number[], phase: [] as number[], block: [] as number[], cluster: [] as number[], label: [] as number[] };
    for (let i = 0; i < 4000; i++) {
      const skill = i % 2;
      const phase = 1 + ((i >> 1) % 2);
      const block = (i >> 2) % 8;
      const rate = skill === 0 && phase === 1 ? 0.4 : 0.8;
      rows.skill.push(skill);
      rows.phase.push(phase);
      rows.block.push(block);
      rows.cluster.push(-1);
      // A fixed pattern instead of random draws: exactly `rate` of each 10 consecutive rows per cell.
      rows.label.push((i >> 5) % 10 < rate * 10 ? 1 : 0);
    }
    const model = fitAdditive(poolCells(rows, 0, 4000), { skills: 2, clusters: 0 });
    const [, blockPenalty, , , skillPhasePenalty, skillBlockPenalty] = model.penalty;
    expect(skillBlockPenalty).toBeGreaterThan(100);
    expect(blockPenalty).toBeGreaterThan(100);
    expect(skillPhasePenalty).toBeLessThan(10);
    expect(1 / (1 + Math.exp(-additiveLogit(model, 0, 1, 3, -1)))).toBeCloseTo(0.4, 1);
    expect(1 / (1 + Math.exp(-additiveLogit(model, 1, 1, 3, -1)))).toBeCloseTo(0.8, 1);
  });

  it('scores an unknown skill (−1) with the shared terms only', () => {
    const model = fitAdditive(cells(), { skills: 3, clusters: 2, penalty: [2, 2, 2, 2, 2, 2, 2] });
    expect(additiveLogit(model, -1, 1, 4, 0)).toBeCloseTo(model.intercept + model.phase[1]! + model.block[4]! + model.cluster[0]!, 12);
  });
});
