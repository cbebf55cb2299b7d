import type { Insertable, Kysely } from 'kysely';
import type { SkillInvocationTable, SkillMetricsTable, SkillsDatabase } from '../../packages/storage/src/schema.js';
import type { SkillsViews } from '../src/index.js';

/** The tables and the views, as the tests read and write them. */
export type TestSchema = SkillsDatabase & SkillsViews;

export const DAY = 86_400_000;
/** 2026-01-01T00:00:00Z: past 2^31 so BIGINT timestamps are exercised. */
export const T0 = Date.UTC(2026, 0, 1);

type V1Invocation = Omit<Insertable<SkillInvocationTable>, 'embedding' | 'workflow_phase' | 'workflow_step_id'>;

/** An invocation row; without workflow fields it is valid from V1 on. */
export function invocation(
  id: string,
  fields: Partial<V1Invocation> & Partial<Pick<SkillInvocationTable, 'workflow_phase' | 'workflow_step_id'>> = {},
): Insertable<SkillInvocationTable> {
  return {
    id,
    skill_name: 'pytest-run',
    invoked_at: T0,
    session_id: 'session-1',
    completed: 0,
    created_at: T0,
    ...fields,
  };
}

export async function insertInvocations(db: Kysely<TestSchema>, rows: Insertable<SkillInvocationTable>[]): Promise<void> {
  await db.insertInto('skill_invocation').values(rows).execute();
}

/** A skill_metrics row with one abandoned invocation, overridden by `fields`. */
export function metricsRow(skill_name: string, fields: Partial<Insertable<SkillMetricsTable>> = {}): Insertable<SkillMetricsTable> {
  return {
    skill_name,
    total_invocations: 1,
    completed_invocations: 0,
    abandoned_invocations: 1,
    total_duration_seconds: 0,
    timed_completions: 0,
    avg_duration_seconds: null,
    completion_rate: 0,
    first_invoked: T0,
    last_invoked: T0,
    workflow_paths: '{}',
    common_errors: '{}',
    follow_up_actions: '{}',
    workflow_phases: '{}',
    updated_at: T0,
    ...fields,
  };
}
