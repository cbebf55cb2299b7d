import type { SimilarUser } from './similar-user.js';
import type { UsageStats } from './usage-stats.js';

/** A skill suggested to a user, with the score it was ranked by and a sentence saying why. */
export interface SkillRecommendation {
  readonly skill: number;
  /** 0–1; see `rankByNeighbours` and `popularityRecommendations` for what it measures. */
  readonly score: number;
  readonly reason: string;
}

export interface RecommendOptions {
  /** Most recommendations to return. Default 10. */
  readonly limit?: number;
}

/**
 * Recommends skills the target has never invoked, ranked by neighbours' similarity-weighted
 * success: score(s) = Σ sim(n) × completionRate(n, s) / Σ sim(n), the sums over all given
 * neighbours (a neighbour who never tried s adds 0 to the top), so a skill many close neighbours
 * complete beats one a single neighbour completes. Never returned: skills the target has invoked
 * at all, skills whose completion rate over all users is 0%, and skills with score 0. Ties break by
 * skill id.
 *
 * @example
 * rankByNeighbours('ann', [{ user: 'bob', similarity: 0.5 }, { user: 'cy', similarity: 0.5 }], stats);
 * // [{ skill: 7, score: 0.9, reason: 'used successfully by 2 of your 2 nearest users' }]
 */
export function rankByNeighbours(
  target: string,
  neighbours: readonly SimilarUser[],
  stats: UsageStats,
  options: RecommendOptions = {},
): SkillRecommendation[] {
  const limit = options.limit ?? 10;
  const used = stats.byUser.get(target) ?? new Map();
  let totalSimilarity = 0;
  const weighted = new Map<number, number>();
  const succeeded = new Map<number, number>();
  for (const { user, similarity } of neighbours) {
    if (user === target || similarity <= 0) continue;
    totalSimilarity += similarity;
    for (const [skill, outcome] of stats.byUser.get(user) ?? []) {
      if (outcome.total === 0 || outcome.completed === 0 || used.has(skill)) continue;
      weighted.set(skill, (weighted.get(skill) ?? 0) + similarity * (outcome.completed / outcome.total));
      succeeded.set(skill, (succeeded.get(skill) ?? 0) + 1);
    }
  }
  const nearest = neighbours.filter((n) => n.user !== target && n.similarity > 0).length;
  const recommendations: SkillRecommendation[] = [];
  for (const [skill, sum] of weighted) {
    const totals = stats.bySkill.get(skill);
    if (totals === undefined || totals.completed === 0) continue;
    const count = succeeded.get(skill)!;
    recommendations.push({
      skill,
      score: sum / totalSimilarity,
      reason: `used successfully by ${count} of your ${nearest} nearest ${nearest === 1 ? 'user' : 'users'}`,
    });
  }
  return recommendations.sort(byScoreThenSkill).slice(0, Math.max(0, limit));
}

/**
 * The cold-start fallback for users with no neighbours: skills ranked by how many users completed
 * them at least once, then by overall completion rate, then by skill id. The score is the overall
 * completion rate. Skills in `exclude` (e.g. the user's own) and 0%-completion skills are skipped.
 *
 * @example
 * popularityRecommendations(stats, [1], 5);
 * // [{ skill: 4, score: 0.875, reason: 'used successfully by 12 users (88% completion)' }, …]
 */
export function popularityRecommendations(
  stats: UsageStats,
  exclude: Iterable<number>,
  limit: number,
): SkillRecommendation[] {
  const skip = new Set(exclude);
  const ranked: { skill: number; users: number; rate: number }[] = [];
  for (const [skill, totals] of stats.bySkill) {
    if (skip.has(skill) || totals.completed === 0 || totals.total === 0) continue;
    ranked.push({ skill, users: totals.successfulUsers, rate: totals.completed / totals.total });
  }
  ranked.sort((a, b) => b.users - a.users || b.rate - a.rate || a.skill - b.skill);
  return ranked.slice(0, Math.max(0, limit)).map(({ skill, users, rate }) => ({
    skill,
    score: rate,
    reason: `used successfully by ${users} ${users === 1 ? 'user' : 'users'} (${Math.round(rate * 100)}% completion)`,
  }));
}

function byScoreThenSkill(a: SkillRecommendation, b: SkillRecommendation): number {
  return b.score - a.score || a.skill - b.skill;
}
