import { NotFoundError } from '../errors.js';
import type { Store } from '../store.js';

/** Lifetime totals of one skill; rates are fractions 0–1. */
export interface SkillMetrics {
  skill_name: string;
  total_invocations: number;
  completed_invocations: number;
  abandoned_invocations: number;
  completion_rate: number;
  /** Sum and mean over completed invocations with a known duration; null mean when none. */
  total_duration_seconds: number;
  avg_duration_seconds: number | null;
  first_invoked: number;
  last_invoked: number;
  workflow_paths: Record<string, number>;
  common_errors: Record<string, number>;
  follow_up_actions: Record<string, number>;
  /** Invocations per workflow phase (those without a phase are not counted). */
  workflow_phases: Record<string, number>;
}

/**
 * Lifetime totals of one skill, from `skill_metrics`.
 * @throws NotFoundError when the skill was never recorded.
 * @example const m = await getSkillMetrics(store, 'pytest-run'); m.completion_rate // 0.93
 */
export async function getSkillMetrics(store: Store, skill: string): Promise<SkillMetrics> {
  const row = await store.db.selectFrom('skill_metrics').selectAll().where('skill_name', '=', skill).executeTakeFirst();
  if (!row) throw new NotFoundError('skill', skill);
  return {
    skill_name: row.skill_name,
    total_invocations: row.total_invocations,
    completed_invocations: row.completed_invocations,
    abandoned_invocations: row.abandoned_invocations,
    completion_rate: row.completion_rate,
    total_duration_seconds: row.total_duration_seconds,
    avg_duration_seconds: row.avg_duration_seconds,
    first_invoked: row.first_invoked,
    last_invoked: row.last_invoked,
    workflow_paths: parseTally(row.workflow_paths),
    common_errors: parseTally(row.common_errors),
    follow_up_actions: parseTally(row.follow_up_actions),
    workflow_phases: parseTally(row.workflow_phases),
  };
}

/** Tallies are read into null-prototype objects so keys such as `__proto__` stay plain keys. */
function parseTally(json: string): Record<string, number> {
  const tally = Object.create(null) as Record<string, number>;
  for (const [key, count] of Object.entries(JSON.parse(json) as Record<string, number>)) tally[key] = count;
  return tally;
}
