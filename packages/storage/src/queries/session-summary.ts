import type { SessionSkillSummaryView } from '@skills/migrations';
import { z } from 'zod';
import { NotFoundError } from '../errors.js';
import type { SessionSkillsTable } from '../schema.js';
import type { Store } from '../store.js';

/**
 * The row of the `v_session_skill_summary` view, with its skills; the view sums every known
 * duration, this only those of completed invocations (as the original's summary did).
 */
export interface SessionSummary extends Omit<SessionSkillSummaryView, 'total_duration_seconds'> {
  /** Sum of known durations of the session's completed invocations. */
  total_duration_seconds: number;
  /** Per skill, most used first. */
  skills: Pick<SessionSkillsTable, 'skill_name' | 'invocation_count' | 'first_used' | 'last_used'>[];
}

const ms = z.number().int().describe('epoch milliseconds');

/**
 * A `SessionSummary` as the server's and the MCP tools' answers carry it (their wire type).
 * @example sessionSummarySchema.parse(await sessionSummary(store, 'sess-42'))
 */
export const sessionSummarySchema = z.object({
  session_id: z.string(),
  unique_skills: z.number().int(),
  total_invocations: z.number().int(),
  completed_count: z.number().int(),
  abandoned_count: z.number().int(),
  total_duration_seconds: z.number(),
  first_skill_at: ms,
  last_skill_at: ms,
  skills: z.array(z.object({ skill_name: z.string(), invocation_count: z.number().int(), first_used: ms, last_used: ms })),
}) satisfies z.ZodType<SessionSummary>;

/**
 * What happened in one session.
 * @throws NotFoundError for a session with no recorded invocation.
 * @example const s = await sessionSummary(store, 'sess-42'); s.unique_skills // 3
 */
export async function sessionSummary(store: Store, sessionId: string): Promise<SessionSummary> {
  const skills = await store.db
    .selectFrom('session_skills')
    .select(['skill_name', 'invocation_count', 'first_used', 'last_used'])
    .where('session_id', '=', sessionId)
    .orderBy('invocation_count', 'desc')
    .orderBy('skill_name')
    .execute();
  if (skills.length === 0) throw new NotFoundError('session', sessionId);
  const totals = await store.db
    .selectFrom('skill_invocation')
    .select((eb) => [
      eb.fn.countAll<number>().as('total'),
      eb.fn.sum<number>('completed').as('completed'),
      eb.fn.sum<number>(eb.case().when('completed', '=', 1).then(eb.ref('duration_seconds')).end()).as('duration'),
    ])
    .where('session_id', '=', sessionId)
    .executeTakeFirstOrThrow();
  const total = Number(totals.total);
  const completed = Number(totals.completed);
  return {
    session_id: sessionId,
    unique_skills: skills.length,
    total_invocations: total,
    completed_count: completed,
    abandoned_count: total - completed,
    total_duration_seconds: Number(totals.duration ?? 0),
    first_skill_at: Math.min(...skills.map((skill) => skill.first_used)),
    last_skill_at: Math.max(...skills.map((skill) => skill.last_used)),
    skills,
  };
}
