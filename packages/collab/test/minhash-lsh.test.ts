import { describe, expect, it } from 'vitest';
import { buildLshIndex, createMinHasher, estimateJaccard, jaccard, similarUsersExact } from '../src/index.js';
import { groupedPopulation, randomSkillSets } from './helpers.js';

describe('createMinHasher', () => {
  it('gives the same signature for the same seed and set', () => {
    const set = Uint32Array.of(3, 17, 400);
    const first = createMinHasher({ seed: 9 }).signature(set);
    const second = createMinHasher({ seed: 9 }).signature(set);
    expect(first).toEqual(second);
    expect(first.length).toBe(128);
  });

  it('gives identical sets identical signatures and an estimate of 1', () => {
    const hasher = createMinHasher({ permutations: 64, seed: 1 });
    const signature = hasher.signature(Uint32Array.of(1, 2, 3));
    expect(estimateJaccard(signature, hasher.signature(Uint32Array.of(1, 2, 3)))).toBe(1);
  });

  it('estimates Jaccard within 0.1 on average over random pairs', () => {
    const hasher = createMinHasher({ permutations: 128, seed: 3 });
    const sets = [...randomSkillSets(21, 400, 50, 30).values()].filter((s) => s.length > 0);
    let error = 0;
    let pairs = 0;
    for (let i = 0; i + 1 < sets.length; i += 2) {
      const exact = jaccard(sets[i]!, sets[i + 1]!);
      error += Math.abs(estimateJaccard(hasher.signature(sets[i]!), hasher.signature(sets[i + 1]!)) - exact);
      pairs++;
    }
    expect(error / pairs).toBeLessThan(0.1);
  });

  it('rejects signatures of different lengths', () => {
    expect(() => estimateJaccard(new Uint32Array(2), new Uint32Array(3))).toThrow(/2 vs 3/);
  });
});

describe('buildLshIndex', () => {
  const original = new Map([
    ['user1', Uint32Array.of(0, 1, 2)],
    ['user2', Uint32Array.of(0, 1, 3)],
    ['user3', Uint32Array.of(1, 2, 4)],
    ['loner', Uint32Array.of(90, 91, 92)],
  ]);

  it('uses 64 bands of 2 rows by default', () => {
    const index = buildLshIndex(original);
    expect([index.bands, index.rows]).toEqual([64, 2]);
  });

  it('re-ranks candidates by exact Jaccard on the original fixture', () => {
    expect(buildLshIndex(original, { seed: 2 }).query('user1', 10)).toEqual([
      { user: 'user2', similarity: 0.5 },
      { user: 'user3', similarity: 0.5 },
    ]);
  });

  it('never returns the target or an unknown user', () => {
    const index = buildLshIndex(original, { seed: 2 });
    expect(index.candidates('user1')).not.toContain('user1');
    expect(index.query('nobody', 10)).toEqual([]);
  });

  it('rejects a band count that does not divide the permutations', () => {
    expect(() => buildLshIndex(original, { permutations: 128, bands: 48 })).toThrow(/bands must divide/);
  });

  it('reaches recall@10 ≥ 0.9 against the exact path on 2,000 grouped users', () => {
    const sets = groupedPopulation({
      seed: 2026,
      users: 2000,
      skills: 500,
      groups: 20,
      favourites: 25,
      fromGroup: 16,
      random: 4,
    });
    const index = buildLshIndex(sets, { seed: 7 });
    const targets = [...sets.keys()].filter((_, i) => i % 10 === 0);
    let hits = 0;
    let wanted = 0;
    let candidates = 0;
    for (const target of targets) {
      const exact = similarUsersExact(target, sets, 10).map((n) => n.user);
      const approximate = new Set(index.query(target, 10).map((n) => n.user));
      hits += exact.filter((user) => approximate.has(user)).length;
      wanted += exact.length;
      candidates += index.candidates(target).length;
    }
    const recall = hits / wanted;
    console.info(
      `LSH recall@10 = ${recall.toFixed(4)} over ${targets.length} targets; mean candidates ${(candidates / targets.length).toFixed(1)} of ${sets.size - 1}`,
    );
    expect(recall).toBeGreaterThanOrEqual(0.9);
  });
});
