import { describe, expect, it } from 'vitest';
import { buildUsageStats, popularityRecommendations, rankByNeighbours } from '../src/index.js';
import type { SkillOutcomeRow } from '../src/index.js';

function row(user: string, skill: number, completed: number, total: number): SkillOutcomeRow {
  return { user, skill, completed, total };
}

describe('buildUsageStats', () => {
  it('sums rows per user and per skill, counting users and successful users', () => {
    const stats = buildUsageStats([row('ann', 1, 3, 4), row('ann', 1, 1, 1), row('bob', 1, 0, 2)]);
    expect(stats.byUser.get('ann')!.get(1)).toEqual({ total: 5, completed: 4 });
    expect(stats.bySkill.get(1)).toEqual({ total: 7, completed: 4, users: 2, successfulUsers: 1 });
  });

  it('rejects more completions than invocations, naming the user and skill', () => {
    expect(() => buildUsageStats([row('ann', 3, 5, 4)])).toThrow(/user ann, skill 3/);
  });
});

describe('rankByNeighbours', () => {
  it('scores by similarity-weighted completion rate over all neighbours', () => {
    const stats = buildUsageStats([
      row('me', 1, 1, 1),
      row('n1', 7, 3, 4), // 0.75
      row('n2', 7, 1, 1), // 1.0
      row('n2', 8, 1, 2), // 0.5
    ]);
    const result = rankByNeighbours(
      'me',
      [
        { user: 'n1', similarity: 0.75 },
        { user: 'n2', similarity: 0.25 },
      ],
      stats,
    );
    // skill 7: (0.75 × 0.75 + 0.25 × 1) / 1 = 0.8125; skill 8: 0.25 × 0.5 / 1 = 0.125
    expect(result).toEqual([
      { skill: 7, score: 0.8125, reason: 'used successfully by 2 of your 2 nearest users' },
      { skill: 8, score: 0.125, reason: 'used successfully by 1 of your 2 nearest users' },
    ]);
  });

  it('never recommends a skill the target has invoked, even without success', () => {
    const stats = buildUsageStats([row('me', 5, 0, 3), row('n1', 5, 2, 2), row('n1', 6, 1, 1)]);
    const result = rankByNeighbours('me', [{ user: 'n1', similarity: 0.5 }], stats);
    expect(result.map((r) => r.skill)).toEqual([6]);
  });

  it('never recommends a skill with 0% completion', () => {
    const stats = buildUsageStats([row('me', 1, 1, 1), row('n1', 9, 0, 10), row('n1', 2, 1, 2)]);
    expect(rankByNeighbours('me', [{ user: 'n1', similarity: 1 }], stats).map((r) => r.skill)).toEqual([2]);
  });

  it('says "user" for a single neighbour', () => {
    const stats = buildUsageStats([row('n1', 2, 1, 1)]);
    expect(rankByNeighbours('me', [{ user: 'n1', similarity: 1 }], stats)[0]!.reason).toBe('used successfully by 1 of your 1 nearest user');
  });

  it('respects limit and breaks score ties by skill id', () => {
    const stats = buildUsageStats([row('n1', 4, 1, 1), row('n1', 3, 1, 1), row('n1', 5, 1, 1)]);
    expect(rankByNeighbours('me', [{ user: 'n1', similarity: 1 }], stats, { limit: 2 }).map((r) => r.skill)).toEqual([3, 4]);
  });

  it('returns nothing without neighbours', () => {
    expect(rankByNeighbours('me', [], buildUsageStats([row('n1', 4, 1, 1)]))).toEqual([]);
  });
});

describe('popularityRecommendations', () => {
  const stats = buildUsageStats([
    row('a', 1, 1, 2),
    row('b', 1, 1, 2),
    row('c', 1, 2, 2),
    row('a', 2, 4, 4),
    row('b', 2, 3, 4),
    row('a', 3, 1, 1),
    row('b', 4, 0, 5),
    row('c', 4, 0, 5),
    row('d', 4, 0, 5),
  ]);

  it('ranks by users who completed the skill, then completion rate, skipping 0% skills', () => {
    expect(popularityRecommendations(stats, [], 10)).toEqual([
      { skill: 1, score: 4 / 6, reason: 'used successfully by 3 users (67% completion)' },
      { skill: 2, score: 7 / 8, reason: 'used successfully by 2 users (88% completion)' },
      { skill: 3, score: 1, reason: 'used successfully by 1 user (100% completion)' },
    ]);
  });

  it('skips excluded skills and respects limit', () => {
    expect(popularityRecommendations(stats, [1], 1).map((r) => r.skill)).toEqual([2]);
  });
});
