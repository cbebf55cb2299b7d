import { describe, expect, it } from 'vitest';
import { buildSkillSets, jaccard, similarUsersExact } from '../src/index.js';
import { randomSkillSets, referenceJaccard } from './helpers.js';

const [a, b, c, d, e] = [0, 1, 2, 3, 4];

describe('jaccard', () => {
  it('counts distinct skills, not rows: {a,b,c} once vs {a,b,c,d,e} three times is 0.6', () => {
    const rows = [
      ...[a, b, c].map((skill) => ({ user: 'A', skill, completed: 1 })),
      ...[a, b, c, d, e].flatMap((skill) => [1, 2, 3].map(() => ({ user: 'B', skill, completed: 1 }))),
    ];
    const sets = buildSkillSets(rows);
    expect(jaccard(sets.get('A')!, sets.get('B')!)).toBe(0.6);
  });

  it('is 1 for identical sets and 0 for disjoint ones', () => {
    expect(jaccard(Uint32Array.of(1, 5), Uint32Array.of(1, 5))).toBe(1);
    expect(jaccard(Uint32Array.of(1, 5), Uint32Array.of(2, 6))).toBe(0);
  });

  it('is 0 for two empty sets', () => {
    expect(jaccard(new Uint32Array(0), new Uint32Array(0))).toBe(0);
  });

  it('matches a Set-based reference on 300 random pairs', () => {
    const sets = [...randomSkillSets(11, 600, 60, 25).values()];
    for (let i = 0; i < sets.length; i += 2) {
      const left = sets[i]!;
      const right = sets[i + 1]!;
      expect(jaccard(left, right)).toBe(referenceJaccard(left, right));
    }
  });
});

describe('similarUsersExact', () => {
  const original = new Map([
    ['user1', Uint32Array.of(a, b, c)],
    ['user2', Uint32Array.of(a, b, d)],
    ['user3', Uint32Array.of(b, c, e)],
  ]);

  it("finds user2 and user3 at 0.5 each as user1's similar users", () => {
    expect(similarUsersExact('user1', original, 10)).toEqual([
      { user: 'user2', similarity: 0.5 },
      { user: 'user3', similarity: 0.5 },
    ]);
  });

  it('breaks ties by user id and cuts at k', () => {
    expect(similarUsersExact('user1', original, 1)).toEqual([{ user: 'user2', similarity: 0.5 }]);
  });

  it('excludes users sharing nothing with the target', () => {
    const sets = new Map([...original, ['user4', Uint32Array.of(9)]]);
    expect(similarUsersExact('user1', sets, 10).map((n) => n.user)).toEqual(['user2', 'user3']);
  });

  it('returns nothing for an unknown target', () => {
    expect(similarUsersExact('nobody', original, 10)).toEqual([]);
  });

  it('matches a brute-force Set-based ranking on random data', () => {
    const sets = randomSkillSets(5, 400, 40, 12);
    for (const target of ['user-0000', 'user-0123', 'user-0399']) {
      const mine = sets.get(target)!;
      const expected = [...sets]
        .filter(([user]) => user !== target)
        .map(([user, theirs]) => ({ user, similarity: referenceJaccard(mine, theirs) }))
        .filter((n) => n.similarity > 0)
        .sort((x, y) => y.similarity - x.similarity || (x.user < y.user ? -1 : 1))
        .slice(0, 15);
      expect(similarUsersExact(target, sets, 15)).toEqual(expected);
    }
  });
});
