import type { EaseModel } from './ease.js';
import type { SimilarUser } from './similar-user.js';
import type { SkillTotals, UsageStats } from './usage-stats.js';

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
export function popularityRecommendations(stats: UsageStats, exclude: Iterable<number>, limit: number): SkillRecommendation[] {
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

/**
 * Recommends skills by an item model (`buildEaseModel`): score(j) = Σ B_ij over the skills i the
 * target uses. Only positive scores are returned; never a skill in `invoked` (the target's, used
 * or not) and never a skill with 0% completion over all users. The reason names the (at most
 * two) skills of the target's that add most to the score (equal weights by name), by `nameOf`,
 * never another user. Ties between recommendations break by skill id.
 *
 * @example
 * rankByRelatedSkills(model, Uint32Array.of(0, 1), new Set([0, 1]), stats.bySkill, (id) => names[id]);
 * // [{ skill: 4, score: 0.41, reason: 'often used together with pytest-run and lint, which you use' }, …]
 */
export function rankByRelatedSkills(
  model: EaseModel,
  used: Uint32Array,
  invoked: ReadonlySet<number>,
  bySkill: ReadonlyMap<number, SkillTotals>,
  nameOf: (skill: number) => string,
  options: RecommendOptions = {},
): SkillRecommendation[] {
  const limit = options.limit ?? 10;
  const scores = model.score(used);
  const ranked: { skill: number; score: number }[] = [];
  for (let skill = 0; skill < scores.length; skill++) {
    const score = scores[skill]!;
    if (!(score > 0) || invoked.has(skill)) continue;
    const totals = bySkill.get(skill);
    if (totals === undefined || totals.completed === 0) continue;
    ranked.push({ skill, score });
  }
  ranked.sort((a, b) => b.score - a.score || a.skill - b.skill);
  const n = model.skills;
  return ranked.slice(0, Math.max(0, limit)).map(({ skill, score }) => {
    // The target's skills that add most to this one's score.
    const reasons = [...used]
      .filter((i) => i < n && model.weights[i * n + skill]! > 0)
      .map((i) => ({ name: nameOf(i), weight: model.weights[i * n + skill]! }))
      .sort((a, b) => (sameScore(a.weight, b.weight) ? 0 : b.weight - a.weight) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .slice(0, 2)
      .map((r) => r.name);
    const which = reasons.length === 2 ? `${reasons[0]} and ${reasons[1]}, which you use` : `${reasons[0]}, which you use`;
    return { skill, score, reason: `often used together with ${which}` };
  });
}

/**
 * Scores equal up to rounding (relative 1e-12): EASE's floating-point sums of the same weights in
 * another order differ in the last bits, and such ties should break by name, not by noise.
 */
export function sameScore(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b));
}

function byScoreThenSkill(a: SkillRecommendation, b: SkillRecommendation): number {
  return b.score - a.score || a.skill - b.skill;
}
