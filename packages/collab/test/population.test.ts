import { describe, expect, it } from 'vitest';
import { buildLshIndex, buildPopulation, nearestUsers, similarUsersExact } from '../src/index.js';
import { randomSkillSets } from './helpers.js';
import { syntheticInteractions } from './synthetic-population.js';

describe('buildPopulation', () => {
  it('adds up rows per pair and keeps only skills completed minSuccesses times in the sets', () => {
    const population = buildPopulation(
      [
        { user: 'ann', skill: 'lint', total: 2, completed: 1 },
        { user: 'ann', skill: 'lint', total: 1, completed: 1 },
        { user: 'ann', skill: 'test', total: 1, completed: 1 },
        { user: 'bob', skill: 'lint', total: 3, completed: 0 },
      ],
      { minSuccesses: 2 },
    );
    const lint = population.skillIds.idOf('lint');
    expect([...population.sets.get('ann')!]).toEqual([lint]);
    expect(population.sets.has('bob')).toBe(false);
    expect(population.stats.byUser.get('ann')!.get(lint)).toEqual({ total: 3, completed: 2 });
    expect(population.stats.bySkill.get(lint)).toEqual({ total: 6, completed: 2, users: 2, successfulUsers: 1 });
    expect(population.stats.byUser.get('nobody')).toBeUndefined();
  });

  it('rejects impossible counts, naming user and skill', () => {
    expect(() => buildPopulation([{ user: 'ann', skill: 'lint', total: 1, completed: 2 }])).toThrow(
      'completed must be an integer in [0, total] (user ann, skill lint: 2 of 1)',
    );
    expect(() => buildPopulation([], { minSuccesses: 0 })).toThrow('minSuccesses must be an integer ≥ 1 (got 0)');
  });
});

describe('nearestUsers (inverted index)', () => {
  it('equals the brute-force exact top-k on random data, ties and all', () => {
    const sets = randomSkillSets(5, 600, 40, 12);
    const rows = [...sets].flatMap(([user, skills]) => [...skills].map((skill) => ({ user, skill: `s${skill}`, total: 1, completed: 1 })));
    const population = buildPopulation(rows);
    // Brute force over the population's own ids, so both sides see the same sets.
    for (const user of [...population.sets.keys()].slice(0, 150)) {
      for (const k of [1, 5, 25]) {
        expect(nearestUsers(population, population.sets.get(user)!, k, user)).toEqual(similarUsersExact(user, population.sets, k));
      }
    }
  });

  it("counts a skill nobody else has in the asking user's set size", () => {
    const population = buildPopulation([
      { user: 'a', skill: 'x', total: 1, completed: 1 },
      { user: 'b', skill: 'x', total: 1, completed: 1 },
    ]);
    const x = population.skillIds.idOf('x');
    // {x, unseen} against {x}: 1 / 2.
    expect(nearestUsers(population, Uint32Array.of(x, 999), 5)).toEqual([
      { user: 'a', similarity: 0.5 },
      { user: 'b', similarity: 0.5 },
    ]);
  });
});

describe('LSH on the synthetic workload', () => {
  it('reaches recall@10 of at least 0.9 against the exact path', () => {
    const { all } = syntheticInteractions({ invocations: 300_000, users: 3_000, skills: 300, days: 14, seed: 21 });
    const population = buildPopulation(all);
    const lsh = buildLshIndex(population.sets, { seed: 0x5eed });
    // recall@10 by rank: the i-th LSH neighbour is as similar as the i-th exact one. Users tied at
    // the same similarity are interchangeable, so this counts ties fairly; a miss lowers a rank.
    let found = 0;
    let wanted = 0;
    const targets = [...population.sets.keys()].filter((_, i) => i % 15 === 0);
    for (const user of targets) {
      const skills = population.sets.get(user)!;
      const exact = nearestUsers(population, skills, 10, user);
      const approximate = lsh.querySet(skills, 10, user);
      exact.forEach((match, i) => {
        wanted++;
        if ((approximate[i]?.similarity ?? -1) >= match.similarity) found++;
      });
    }
    const recall = found / wanted;
    expect(targets.length).toBeGreaterThan(150);
    expect(recall).toBeGreaterThanOrEqual(0.9); // 0.992 at this seed
  });
});
