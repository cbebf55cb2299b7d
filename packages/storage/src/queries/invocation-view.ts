import type { Selectable } from 'kysely';
import { INVOCATION_COLUMNS, type InvocationFields } from '../invocation-fields.js';
import type { SkillInvocationTable } from '../schema.js';

/** An invocation as read back: booleans and lists decoded (the fields of `invocationSchema`). */
export interface Invocation extends InvocationFields {
  /** Present only when asked for (`includeEmbedding`); float32 values. */
  embedding?: number[] | null;
}

export { INVOCATION_COLUMNS };

type StoredRow = Pick<Selectable<SkillInvocationTable>, (typeof INVOCATION_COLUMNS)[number]> & {
  embedding?: Buffer | Uint8Array | null;
};

export function toInvocation(row: StoredRow): Invocation {
  const invocation: Invocation = {
    id: row.id,
    skill_name: row.skill_name,
    invoked_at: Number(row.invoked_at),
    session_id: row.session_id,
    user_id: row.user_id,
    workflow_path: row.workflow_path,
    workflow_phase: row.workflow_phase,
    workflow_step_id: row.workflow_step_id,
    completed: Number(row.completed) === 1,
    duration_seconds: row.duration_seconds,
    user_query: row.user_query,
    alternatives_considered: row.alternatives_considered ? (JSON.parse(row.alternatives_considered) as string[]) : null,
    selection_rank: row.selection_rank,
    follow_up_actions: row.follow_up_actions ? (JSON.parse(row.follow_up_actions) as string[]) : null,
    error_type: row.error_type,
    created_at: Number(row.created_at),
  };
  if ('embedding' in row) {
    const bytes = row.embedding;
    invocation.embedding = bytes
      ? Array.from(new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)))
      : null;
  }
  return invocation;
}
