import { communityBaselines, recommendSkills, skillDependencies } from '@skills/collab';
import { NotFoundError, type SkillsDatabase, type Store } from '@skills/storage';
import { z } from 'zod';
import { defineTool } from '../tool-definition.js';
import { integer, iso, name } from './arguments.js';

const READ = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const;

export type RelationshipType = 'very_strong_positive' | 'strong_positive' | 'moderate_positive' | 'weak_positive';

/**
 * The original's words for a lift: ≥ 3 very strong, ≥ 2 strong, ≥ 1.5 moderate, else weak.
 * @example relationshipType(2.5) // 'strong_positive'
 */
export function relationshipType(lift: number): RelationshipType {
  if (lift >= 3) return 'very_strong_positive';
  if (lift >= 2) return 'strong_positive';
  if (lift >= 1.5) return 'moderate_positive';
  return 'weak_positive';
}

export const getCollaborativeRecommendations = defineTool({
  name: 'get_collaborative_recommendations',
  title: 'Skills a user has not tried yet',
  description:
    "Skills `user_id` has never invoked, ranked from every user's skill habits (skills that go with the ones this user " +
    "runs, EASE; or the most similar users' with model user-knn): `source: collaborative_filtering`; for a new user, or when similar users suggest too few, the skills most users " +
    "complete fill the list (`source: global_popularity`). `score` 0–1; `completion_rate` is the skill's completion rate " +
    'over everyone (0–1); `reason` says why in words that name no other user.',
  input: z.object({
    user_id: name('The user, as recorded on invocations (`user_id`).'),
    limit: integer(1, 100, 5, 'Most recommendations (1–100, default 5).'),
  }),
  output: z.object({
    user_id: z.string(),
    recommendations: z.array(
      z.object({
        skill_name: z.string(),
        score: z.number(),
        completion_rate: z.number(),
        source: z.enum(['collaborative_filtering', 'global_popularity']),
        reason: z.string(),
      }),
    ),
    timestamp: z.string(),
    message: z.string(),
  }),
  annotations: READ,
  async run(args, deps) {
    const now = deps.now();
    const found = await recommendSkills(deps.store, args.user_id, { limit: args.limit, now });
    const rates = await completionRates(
      deps.store,
      found.map((r) => r.skill),
    );
    const recommendations = found.map((r) => ({
      skill_name: r.skill,
      score: r.score,
      completion_rate: rates.get(r.skill) ?? 0,
      source: r.basis === 'popularity' ? ('global_popularity' as const) : ('collaborative_filtering' as const),
      reason: r.reason,
    }));
    const message = `Generated ${recommendations.length} recommendations for ${args.user_id}`;
    return {
      result: { user_id: args.user_id, recommendations, timestamp: iso(now), message },
      text:
        recommendations.length === 0 ? message : `${message}: ${recommendations.map((r) => `${r.skill_name} (${r.reason})`).join('; ')}`,
    };
  },
});

export const getCommunityBaselines = defineTool({
  name: 'get_community_baselines',
  title: 'How each skill does across all users',
  description:
    'Per skill, over every user: distinct users, invocations, completion rate (0–1), mean duration of completed runs ' +
    '(seconds), the workflow phase it is used in most, and its effectiveness percentile among skills (0–100); best ' +
    "completion rate first; recomputed when older than an hour. Use it to judge whether a skill's numbers are good compared with others.",
  input: z.object({ limit: integer(1, 10_000, 20, 'Most skills (1–10000, default 20).') }),
  output: z.object({
    baselines: z.array(
      z.object({
        skill_name: z.string(),
        total_users: z.number().int(),
        total_invocations: z.number().int(),
        global_completion_rate: z.number(),
        global_avg_duration_seconds: z.number().nullable(),
        most_common_workflow_phase: z.string().nullable(),
        effectiveness_percentile: z.number(),
      }),
    ),
    timestamp: z.string(),
    message: z.string(),
  }),
  // At most hourly it refreshes the derived table skill_community_baselines, nothing a user wrote.
  annotations: READ,
  async run(args, deps) {
    const now = deps.now();
    const baselines = await storedOrFreshBaselines(deps.store, now, args.limit);
    const message = `Retrieved ${baselines.length} community baselines`;
    return { result: { baselines, timestamp: iso(now), message }, text: message };
  },
});

export const getSkillDependencies = defineTool({
  name: 'get_skill_dependencies',
  title: 'Skills used together with a skill',
  description:
    'Skills that go with `skill_name`: observed together in sessions more often than chance (lift = P(both) / (P(a)·P(b)) ' +
    'over sessions; 1 is chance) and dependencies the taxonomy declares. Highest lift first, at least `min_lift` (default 1.5). ' +
    '`relationship_type`: lift ≥ 3 very_strong_positive, ≥ 2 strong_positive, ≥ 1.5 moderate_positive, else weak_positive. ' +
    'Use it to suggest what to run next.',
  input: z.object({
    skill_name: name('The skill, exactly as recorded.'),
    limit: integer(1, 1000, 10, 'Most skills (1–1000, default 10).'),
    min_lift: z
      .number({ error: 'expected a number ≥ 0' })
      .min(0, { error: 'expected a number ≥ 0' })
      .max(1e6, { error: 'expected a number ≥ 0' })
      .default(1.5)
      .describe('Lowest lift returned (default 1.5).'),
  }),
  output: z.object({
    skill_name: z.string(),
    dependencies: z.array(
      z.object({
        skill_b: z.string(),
        co_occurrence_count: z.number().int().describe('sessions with both skills (0 for a declared dependency)'),
        lift_score: z.number(),
        relationship_type: z.enum(['very_strong_positive', 'strong_positive', 'moderate_positive', 'weak_positive']),
        source: z.enum(['observed', 'declared']),
        support: z.number().nullable().describe('share of all sessions with both; null when declared'),
        confidence: z.number().nullable().describe('of the sessions with skill_name, the share that also ran skill_b'),
      }),
    ),
    timestamp: z.string(),
    message: z.string(),
  }),
  annotations: READ,
  fieldNames: { fields: { minLift: 'min_lift', skill: 'skill_name' } },
  async run(args, deps) {
    const now = deps.now();
    await requireSkill(deps.store, args.skill_name);
    const rows = await skillDependencies(deps.store, args.skill_name, { minLift: args.min_lift, limit: args.limit, now });
    const dependencies = rows.map((row) => ({
      skill_b: row.partner,
      co_occurrence_count: row.sessions,
      lift_score: row.lift,
      relationship_type: relationshipType(row.lift),
      source: row.source,
      support: row.support,
      confidence: row.confidence,
    }));
    const message = `Found ${dependencies.length} skills with lift >= ${args.min_lift}`;
    return {
      result: { skill_name: args.skill_name, dependencies, timestamp: iso(now), message },
      text:
        dependencies.length === 0
          ? message
          : `${message}: ${dependencies.map((d) => `${d.skill_b} (lift ${d.lift_score.toFixed(2)})`).join(', ')}`,
    };
  },
});

/** Baselines younger than this are served as stored; older ones are recomputed first. */
export const BASELINES_MAX_AGE_MS = 3_600_000;

/** A row of `skill_community_baselines` as the tool answers it (without `updated_at`). */
type BaselineRow = Omit<SkillsDatabase['skill_community_baselines'], 'updated_at'>;

/**
 * The stored community baselines (what `communityBaselines` last wrote), best completion rate
 * first, recomputed with `communityBaselines` when there are none or they are older than an hour
 * (as the original read its table, but never stale for long and never empty when there is data).
 */
async function storedOrFreshBaselines(store: Store, now: number, limit: number): Promise<BaselineRow[]> {
  const age = await store.db
    .selectFrom('skill_community_baselines')
    .select((eb) => eb.fn.min<number>('updated_at').as('oldest'))
    .executeTakeFirst();
  const oldest = age?.oldest === null || age?.oldest === undefined ? undefined : Number(age.oldest);
  if (oldest === undefined || now - oldest > BASELINES_MAX_AGE_MS) {
    return (await communityBaselines(store, { now })).slice(0, limit).map((b) => ({
      skill_name: b.skill,
      total_users: b.totalUsers,
      total_invocations: b.totalInvocations,
      global_completion_rate: b.completionRate,
      global_avg_duration_seconds: b.avgDurationSeconds,
      most_common_workflow_phase: b.mostCommonPhase,
      effectiveness_percentile: b.effectivenessPercentile,
    }));
  }
  const rows = await store.db
    .selectFrom('skill_community_baselines')
    .select([
      'skill_name',
      'total_users',
      'total_invocations',
      'global_completion_rate',
      'global_avg_duration_seconds',
      'most_common_workflow_phase',
      'effectiveness_percentile',
    ])
    .orderBy('global_completion_rate', 'desc')
    .orderBy('skill_name')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ ...row, total_users: Number(row.total_users), total_invocations: Number(row.total_invocations) }));
}

/** A skill is known when it was invoked or the taxonomy names it in a dependency. */
async function requireSkill(store: Store, skill: string): Promise<void> {
  const invoked = await store.db.selectFrom('skill_metrics').select('skill_name').where('skill_name', '=', skill).executeTakeFirst();
  if (invoked) return;
  const declared = await store.db
    .selectFrom('skill_dependencies')
    .select('skill_a')
    .where('skill_a', '=', skill)
    .limit(1)
    .executeTakeFirst();
  if (!declared) throw new NotFoundError('skill', skill);
}

async function completionRates(store: Store, skills: string[]): Promise<Map<string, number>> {
  if (skills.length === 0) return new Map();
  const rows = await store.db
    .selectFrom('skill_metrics')
    .select(['skill_name', 'completion_rate'])
    .where('skill_name', 'in', skills)
    .execute();
  return new Map(rows.map((row) => [row.skill_name, row.completion_rate]));
}
