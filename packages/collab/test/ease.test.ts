import { describe, expect, it } from 'vitest';
import {
  buildEaseModel,
  buildPopulation,
  buildUsageStats,
  chooseEaseLambda,
  easeFromGram,
  gramMatrix,
  rankByRelatedSkills,
} from '../src/index.js';
import type { EaseModel, InteractionRow } from '../src/index.js';
import { groupedPopulation } from './helpers.js';

/** The numpy fixture below: 6 users × 5 skills a–e, every listed skill completed once. */
const USED = [
  ['a', 'b', 'e'],
  ['a', 'b', 'c'],
  ['b', 'c', 'd'],
  ['a', 'd', 'e'],
  ['a', 'b', 'd'],
  ['c', 'd', 'e'],
];
const rows: InteractionRow[] = USED.flatMap((skills, u) => skills.map((skill) => ({ user: `user${u}`, skill, total: 1, completed: 1 })));

/**
 * Reference: /usr/bin/python3 3.11.2, numpy 1.24.2 (Debian):
 *   X = the 0/1 matrix of USED (rows users, columns a–e); G = X.T @ X
 *   P = np.linalg.inv(G + 2.0 * np.eye(5)); B = -P / np.diag(P); np.fill_diagonal(B, 0.0)
 *   X[0] @ B  (user0's scores)
 */
const NUMPY_GRAM = [
  [4, 3, 1, 2, 2],
  [3, 4, 2, 2, 1],
  [1, 2, 3, 2, 1],
  [2, 2, 2, 4, 2],
  [2, 1, 1, 2, 3],
];
const NUMPY_B = [
  [0.0, 0.43999999999999995, -0.08, 0.1333333333333333, 0.27999999999999997],
  [0.44000000000000006, 0.0, 0.27999999999999997, 0.1333333333333333, -0.07999999999999999],
  [-0.08, 0.28, 0.0, 0.26666666666666666, 0.08000000000000003],
  [0.11999999999999998, 0.11999999999999998, 0.24000000000000002, 0.0, 0.23999999999999996],
  [0.28, -0.08000000000000002, 0.08000000000000002, 0.2666666666666667, 0.0],
];
const NUMPY_USER0 = [0.7200000000000001, 0.35999999999999993, 0.27999999999999997, 0.5333333333333333, 0.19999999999999998];

/** The population's ids in skill-name order a–e (ids follow first appearance: a b e c d). */
function byName(population: ReturnType<typeof buildPopulation>): number[] {
  return ['a', 'b', 'c', 'd', 'e'].map((name) => population.skillIds.idOf(name));
}

describe('gramMatrix', () => {
  it('counts users per skill pair, as X.T @ X', () => {
    const population = buildPopulation(rows);
    const ids = byName(population);
    const gram = gramMatrix(population);
    const n = population.skillIds.size;
    expect(ids.map((i) => ids.map((j) => gram[i * n + j]))).toEqual(NUMPY_GRAM);
  });
});

describe('easeFromGram', () => {
  it('matches numpy: B = −P / diag(P) with a zero diagonal, P = (G + 2I)⁻¹', () => {
    const gram = Float64Array.from(NUMPY_GRAM.flat());
    const model = easeFromGram(gram, 5, 2);
    for (let i = 0; i < 5; i++) {
      for (let j = 0; j < 5; j++) expect(model.weights[i * 5 + j]).toBeCloseTo(NUMPY_B[i]![j]!, 13);
    }
    const scores = model.score(Uint32Array.of(0, 1, 4));
    for (const [j, score] of scores.entries()) expect(score).toBeCloseTo(NUMPY_USER0[j]!, 13);
    expect(gram[0]).toBe(4); // the input is not changed
  });

  it('gives the same scores through a population, whatever the id order', () => {
    const population = buildPopulation(rows);
    const ids = byName(population);
    const model = buildEaseModel(population, { lambda: 2 });
    const scores = model.score(population.sets.get('user0')!);
    expect(ids.map((id) => scores[id])).toEqual(NUMPY_USER0.map((value) => expect.closeTo(value, 13)));
    expect(model.lambda).toBe(2);
  });

  it('ignores skill ids outside the model and rejects bad input', () => {
    const model = easeFromGram(Float64Array.of(2, 1, 1, 1), 2, 1);
    expect(Array.from(model.score(Uint32Array.of(0, 7)))).toEqual([0, 1 / 3]);
    expect(() => easeFromGram(Float64Array.of(1, 2, 3), 2, 1)).toThrow('gram: expected 4 entries for 2 skills (got 3)');
    expect(() => easeFromGram(Float64Array.of(1, 0, 0, 1), 2, 0)).toThrow('lambda: expected a number > 0 (got 0)');
    expect(() => buildEaseModel(buildPopulation(rows), { lambdaShare: -1 })).toThrow('lambdaShare: expected a number > 0 (got -1)');
  });
});

describe('chooseEaseLambda', () => {
  it('uses the fallback share when fewer than 50 users could be held out', () => {
    expect(chooseEaseLambda(buildPopulation(rows))).toEqual({ share: 0.25, chosenBy: 'default', trials: [] });
  });

  it('tries a grid by factor 4, then the halves around the best, on held-out skills', () => {
    const sets = groupedPopulation({ seed: 5, users: 600, skills: 120, groups: 12, favourites: 15, fromGroup: 8, random: 3 });
    const population = buildPopulation(
      [...sets].flatMap(([user, skills]) => [...skills].map((s) => ({ user, skill: `s${s}`, total: 1, completed: 1 }))),
    );
    const choice = chooseEaseLambda(population);
    expect(choice.chosenBy).toBe('validation');
    expect(choice.trials.map((t) => t.share)).toEqual(expect.arrayContaining([0.0625, 0.25, 1, 4, 16]));
    expect(choice.trials).toHaveLength(7);
    const best = Math.max(...choice.trials.map((t) => t.ndcg));
    expect(choice.trials.find((t) => t.share === choice.share)!.ndcg).toBe(best);
    const fitted = buildEaseModel(population);
    expect(fitted.share).toBe(choice.share);
    expect(fitted.choice).toEqual(choice);
  });
});

describe('rankByRelatedSkills', () => {
  it("ranks positive scores, skips invoked and never-completed skills, and names the user's own skills that add most", () => {
    // Model over ids 0–2: using 0 adds 0.5 to 2 and 0.2 to 1; using 1 adds 0.3 to 2.
    const weights = Float64Array.of(0, 0.2, 0.5, 0, 0, 0.3, 0, 0, 0);
    const model: EaseModel = {
      skills: 3,
      lambda: 1,
      weights,
      score: (used) => {
        const scores = new Float64Array(3);
        for (const i of used) for (let j = 0; j < 3; j++) scores[j]! += weights[i * 3 + j]!;
        return scores;
      },
    };
    const stats = buildUsageStats([
      { user: 'x', skill: 0, total: 1, completed: 1 },
      { user: 'x', skill: 1, total: 1, completed: 1 },
      { user: 'x', skill: 2, total: 1, completed: 1 },
    ]);
    const names = ['lint', 'test', 'coverage'];
    const ranked = rankByRelatedSkills(model, Uint32Array.of(0, 1), new Set([0, 1]), stats.bySkill, (id) => names[id]!);
    expect(ranked).toEqual([{ skill: 2, score: 0.8, reason: 'often used together with lint and test, which you use' }]);
    // Only skill 0 used: 1 is not invoked, so it is a candidate; a single contributor is named alone.
    expect(rankByRelatedSkills(model, Uint32Array.of(0), new Set([0]), stats.bySkill, (id) => names[id]!)).toEqual([
      { skill: 2, score: 0.5, reason: 'often used together with lint, which you use' },
      { skill: 1, score: 0.2, reason: 'often used together with lint, which you use' },
    ]);
    // A skill nobody completes is never recommended.
    const failing = buildUsageStats([
      { user: 'x', skill: 2, total: 3, completed: 0 },
      { user: 'x', skill: 1, total: 1, completed: 1 },
    ]);
    expect(rankByRelatedSkills(model, Uint32Array.of(0), new Set([0]), failing.bySkill, (id) => names[id]!).map((r) => r.skill)).toEqual([
      1,
    ]);
  });
});

/**
 * Popularity damping, reference: the numpy session above, then
 *   Bd = B / np.maximum(1.0, np.diag(G)) ** 0.5;  X[0] @ Bd
 */
const NUMPY_USER0_DAMPED = [0.36000000000000004, 0.17999999999999997, 0.16165807537309523, 0.26666666666666666, 0.11547005383792515];

describe('popularity damping (popularityExponent)', () => {
  it('divides column j of B by max(1, G_jj)^α, as numpy does', () => {
    const population = buildPopulation(rows);
    const ids = byName(population);
    const model = buildEaseModel(population, { lambda: 2, popularityExponent: 0.5 });
    const scores = model.score(population.sets.get('user0')!);
    expect(ids.map((id) => scores[id])).toEqual(NUMPY_USER0_DAMPED.map((value) => expect.closeTo(value, 13)));
    expect(model.exponent).toBe(0.5);
    expect(buildEaseModel(population, { lambda: 2 }).exponent).toBe(0);
    expect(() => buildEaseModel(population, { popularityExponent: -1 })).toThrow('popularityExponent: expected a number >= 0 (got -1)');
  });

  it('is chosen with λ on the same held-out skills when neither is given (α = 0 tried too), and left at 0 for a fixed λ share', () => {
    const sets = groupedPopulation({ seed: 5, users: 600, skills: 120, groups: 12, favourites: 15, fromGroup: 8, random: 3 });
    const population = buildPopulation(
      [...sets].flatMap(([user, skills]) => [...skills].map((s) => ({ user, skill: `s${s}`, total: 1, completed: 1 }))),
    );
    const fitted = buildEaseModel(population);
    expect(fitted.debias!.trials.map((t) => t.exponent)).toEqual([0, 0.125, 0.25, 0.375, 0.5]);
    // α = 0 is the chosen λ's own trial.
    expect(fitted.debias!.trials[0]!.ndcg).toBe(fitted.choice!.trials.find((t) => t.share === fitted.share)!.ndcg);
    const best = Math.max(...fitted.debias!.trials.map((t) => t.ndcg));
    expect(fitted.debias!.trials.find((t) => t.exponent === fitted.exponent)!.ndcg).toBe(best);
    const fixed = buildEaseModel(population, { lambdaShare: fitted.share! });
    expect(fixed.exponent).toBe(0);
    expect(fixed.debias).toBeUndefined();
  });

  it('keeps plain EASE where the population is too small to validate on', () => {
    expect(buildEaseModel(buildPopulation(rows)).exponent).toBe(0);
  });
});
