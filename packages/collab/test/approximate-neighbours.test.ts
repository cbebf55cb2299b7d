import { describe, expect, it } from 'vitest';
import { buildLshIndex, buildPopulation, calibrateLsh, nearestUsers, nearestUsersApproximate } from '../src/index.js';
import type { Population } from '../src/index.js';
import { groupedPopulation, randomSkillSets } from './helpers.js';

function populationOf(sets: Map<string, Uint32Array>): Population {
  return buildPopulation([...sets].flatMap(([user, skills]) => [...skills].map((s) => ({ user, skill: `s${s}`, total: 1, completed: 1 }))));
}

/** Recall@10 by rank (a tied user counts as found), as the benchmarks measure it. */
function recall(population: Population, answer: (skills: Uint32Array, user: string) => { similarity: number }[]): number {
  let found = 0;
  let wanted = 0;
  population.users.forEach((user, i) => {
    if (i % 5 !== 0) return;
    const skills = population.sets.get(user)!;
    const got = answer(skills, user);
    nearestUsers(population, skills, 10, user).forEach((match, rank) => {
      wanted++;
      if ((got[rank]?.similarity ?? -1) >= match.similarity) found++;
    });
  });
  return found / wanted;
}

describe('calibrateLsh and nearestUsersApproximate', () => {
  it('gives the probability a pair at Jaccard J is a candidate: 1 − (1 − J^rows)^bands', () => {
    const index = buildLshIndex(new Map([['a', Uint32Array.of(1)]]));
    expect(index.candidateProbability(0.2)).toBeCloseTo(1 - (1 - 0.04) ** 64, 15);
    expect(index.candidateProbability(0)).toBe(0);
    expect(index.candidateProbability(1)).toBe(1);
  });

  it('answers exactly where the sampled recall is low, so recall is 1 where LSH alone finds 56%', () => {
    // 1,000 users with 4–20 random skills of 200: the 10th neighbour's Jaccard is ≈ 0.1–0.2.
    const population = populationOf(new Map([...randomSkillSets(31, 1_000, 200, 20)].filter(([, s]) => s.length >= 4)));
    const index = buildLshIndex(population.sets, { seed: 3 });
    const calibration = calibrateLsh(population, index);
    expect(calibration.sampled).toBe(50);
    expect(calibration.useLsh).toBe(false);
    expect(calibration.recall).toBe(0.58);
    const lshAlone = recall(population, (skills, user) => index.querySet(skills, 10, user));
    let exact = 0;
    const withCalibration = recall(population, (skills, user) => {
      const answer = nearestUsersApproximate(population, index, skills, 10, user, calibration);
      if (answer.method === 'exact') exact++;
      return answer.neighbours;
    });
    expect(lshAlone).toBeCloseTo(0.5602, 4);
    expect(withCalibration).toBe(1);
    expect(exact).toBe(166); // every one of the 166 queries
  });

  it("keeps LSH where the population's neighbours are close, and goes exact when LSH finds fewer than k", () => {
    const population = populationOf(
      groupedPopulation({ seed: 8, users: 1_000, skills: 300, groups: 10, favourites: 20, fromGroup: 16, random: 2 }),
    );
    const index = buildLshIndex(population.sets, { seed: 3 });
    const calibration = calibrateLsh(population, index);
    expect(calibration.useLsh).toBe(true);
    expect(calibration.recall).toBe(1);
    const user = population.users[0]!;
    const skills = population.sets.get(user)!;
    const answer = nearestUsersApproximate(population, index, skills, 10, user, calibration);
    expect(answer.method).toBe('lsh');
    expect(answer.neighbours).toEqual(nearestUsers(population, skills, 10, user));
    // 5,000 neighbours wanted: LSH's candidates are fewer, so the exact index answers.
    expect(nearestUsersApproximate(population, index, skills, 5_000, user, calibration).method).toBe('exact');
  });

  it('rejects bad calibration options', () => {
    const population = populationOf(new Map([['a', Uint32Array.of(1)]]));
    const index = buildLshIndex(population.sets);
    expect(() => calibrateLsh(population, index, { minRecall: 2 })).toThrow('minRecall: expected a number from 0 to 1 (got 2)');
    expect(() => calibrateLsh(population, index, { sample: 0 })).toThrow('sample: expected an integer ≥ 1 (got 0)');
  });
});
