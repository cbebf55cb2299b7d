import { hasUserPseudonyms, UserPseudonymSecretError, writeTransaction, type Store } from '@skills/storage';
import { effectivenessPercentiles } from '../percentiles.js';
import { compareRate, type RateComparison } from '../significance.js';
import { readTarget } from './collab-cache.js';

/** One skill's figures over all users, as stored in `skill_community_baselines`. Rates are 0–1. */
export interface CommunityBaseline {
  readonly skill: string;
  /** Distinct users who invoked the skill (invocations without a user are not a user). */
  readonly totalUsers: number;
  readonly totalInvocations: number;
  readonly completionRate: number;
  /** Mean duration of completed invocations with a known duration; null when there are none. */
  readonly avgDurationSeconds: number | null;
  /** The phase the skill is invoked in most (ties: alphabetical first); null when none was given. */
  readonly mostCommonPhase: string | null;
  /** Share of skills with a lower completion rate, plus half of those with the same, × 100. */
  readonly effectivenessPercentile: number;
  readonly updatedAt: number;
}

export interface CommunityBaselinesOptions {
  /** Clock (epoch ms) written as `updated_at`. */
  readonly now?: number;
}

/**
 * Computes every skill's community baseline from the rollups (`skill_metrics` and
 * `skill_user_interactions`, never the raw invocations, so it takes well under a second at ten
 * million invocations), replaces the rows of `skill_community_baselines` in one transaction and
 * returns them, best completion rate first. No user id is read or written.
 *
 * @example
 * const baselines = await communityBaselines(store);
 * baselines[0]; // { skill: 'git-commit', totalUsers: 812, completionRate: 0.97, effectivenessPercentile: 99.9, … }
 */
export async function communityBaselines(store: Store, options: CommunityBaselinesOptions = {}): Promise<CommunityBaseline[]> {
  requirePseudonyms(store, 'community baselines');
  const now = options.now ?? Date.now();
  const metrics = await store.db
    .selectFrom('skill_metrics')
    .select(['skill_name', 'total_invocations', 'completion_rate', 'avg_duration_seconds', 'workflow_phases'])
    .where('total_invocations', '>', 0)
    .execute();
  const users = await store.db
    .selectFrom('skill_user_interactions')
    .select((eb) => ['skill_name', eb.fn.countAll<number>().as('users')])
    .groupBy('skill_name')
    .execute();
  const usersBySkill = new Map(users.map((row) => [row.skill_name, Number(row.users)]));
  const percentiles = effectivenessPercentiles(new Map(metrics.map((row) => [row.skill_name, row.completion_rate])));
  const baselines = metrics
    .map(
      (row): CommunityBaseline => ({
        skill: row.skill_name,
        totalUsers: usersBySkill.get(row.skill_name) ?? 0,
        totalInvocations: Number(row.total_invocations),
        completionRate: row.completion_rate,
        avgDurationSeconds: row.avg_duration_seconds,
        mostCommonPhase: mostCommon(row.workflow_phases),
        effectivenessPercentile: percentiles.get(row.skill_name)!,
        updatedAt: now,
      }),
    )
    .sort((a, b) => b.completionRate - a.completionRate || (a.skill < b.skill ? -1 : 1));

  const rows = baselines.map((b) => ({
    skill_name: b.skill,
    total_users: b.totalUsers,
    total_invocations: b.totalInvocations,
    global_completion_rate: b.completionRate,
    global_avg_duration_seconds: b.avgDurationSeconds,
    most_common_workflow_phase: b.mostCommonPhase,
    effectiveness_percentile: b.effectivenessPercentile,
    updated_at: now,
  }));
  await writeTransaction(store, async (trx) => {
    await trx.deleteFrom('skill_community_baselines').execute();
    for (let i = 0; i < rows.length; i += 1000)
      await trx
        .insertInto('skill_community_baselines')
        .values(rows.slice(i, i + 1000))
        .execute();
  });
  return baselines;
}

/** One skill of a user's, against everyone else's invocations of it. */
export interface CommunityComparison extends Omit<RateComparison, 'globalRate' | 'difference'> {
  readonly skill: string;
  /** Everybody else's completion rate; null when nobody else invoked the skill. */
  readonly globalRate: number | null;
  /** userRate − globalRate; null with globalRate. */
  readonly difference: number | null;
  readonly userInvocations: number;
  readonly userCompleted: number;
  /** Invocations of the skill by everybody else (the user's own are taken out of the baseline). */
  readonly communityInvocations: number;
  /** The skill's percentile among skills, from the last `communityBaselines` run (null before one). */
  readonly effectivenessPercentile: number | null;
}

export interface CompareWithCommunityOptions {
  /** Significance level of the exact binomial test. Default 0.05. */
  readonly alpha?: number;
}

/**
 * For every skill `userId` has invoked: their completion rate against everyone else's, with an
 * exact two-sided binomial test, so "above" or "below" is said only when the difference is
 * significant (2 of 3 against 80% is `indistinguishable`). Skills nobody else has invoked are
 * compared with nothing and reported `indistinguishable` with p = 1. Sorted by skill name.
 *
 * @example
 * await compareWithCommunity(store, 'ann');
 * // [{ skill: 'pytest-run', userRate: 0.5, globalRate: 0.9, pValue: 1.2e-9, verdict: 'below', … }, …]
 */
export async function compareWithCommunity(
  store: Store,
  userId: string,
  options: CompareWithCommunityOptions = {},
): Promise<CommunityComparison[]> {
  const alpha = options.alpha ?? 0.05;
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha: expected a number between 0 and 1 (got ${String(alpha)})`);
  const target = await readTarget(store, userId);
  const skills = [...target.outcomes.keys()];
  if (skills.length === 0) return [];
  const metrics = await store.db
    .selectFrom('skill_metrics as m')
    .leftJoin('skill_community_baselines as b', 'b.skill_name', 'm.skill_name')
    .select(['m.skill_name', 'm.total_invocations', 'm.completed_invocations', 'b.effectiveness_percentile'])
    .where('m.skill_name', 'in', skills)
    .execute();
  const bySkill = new Map(metrics.map((row) => [row.skill_name, row]));
  return skills.map((skill): CommunityComparison => {
    const mine = target.outcomes.get(skill)!;
    const all = bySkill.get(skill);
    const othersTotal = Number(all?.total_invocations ?? 0) - mine.total;
    const othersCompleted = Number(all?.completed_invocations ?? 0) - mine.completed;
    const base = {
      skill,
      userInvocations: mine.total,
      userCompleted: mine.completed,
      communityInvocations: Math.max(0, othersTotal),
      effectivenessPercentile: all?.effectiveness_percentile ?? null,
    };
    if (othersTotal <= 0) {
      const userRate = mine.completed / mine.total;
      return { ...base, userRate, globalRate: null, difference: null, pValue: 1, significant: false, verdict: 'indistinguishable' };
    }
    return { ...base, ...compareRate(mine.completed, mine.total, othersCompleted / othersTotal, { alpha }) };
  });
}

/** The key with the highest count of a JSON tally (ties: the smallest key); null for an empty one. */
function mostCommon(tally: string): string | null {
  let best: string | null = null;
  let bestCount = 0;
  for (const [key, count] of Object.entries(JSON.parse(tally) as Record<string, number>)) {
    if (count > bestCount || (count === bestCount && best !== null && key < best)) {
      best = key;
      bestCount = count;
    }
  }
  return best;
}

function requirePseudonyms(store: Store, what: string): void {
  if (!hasUserPseudonyms(store)) {
    throw new UserPseudonymSecretError(
      'required',
      `${what} need the store to be opened with userPseudonymSecret (users are counted from pseudonymised interactions)`,
    );
  }
}
