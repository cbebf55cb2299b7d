import type { Kysely } from 'kysely';
import type { SkillsDatabase } from '../../schema.js';
import { compileRowTemplate } from '../row-template.js';

/** PostgreSQL types of the columns the recorder writes in bulk. */
const COLUMN_TYPES: Record<string, string> = {
  id: 'text',
  skill_name: 'text',
  invoked_at: 'bigint',
  session_id: 'text',
  user_id: 'text',
  workflow_path: 'text',
  workflow_phase: 'text',
  workflow_step_id: 'text',
  completed: 'integer',
  duration_seconds: 'double precision',
  user_query: 'text',
  alternatives_considered: 'text',
  selection_rank: 'integer',
  follow_up_actions: 'text',
  error_type: 'text',
  created_at: 'bigint',
  embedding: 'bytea',
  hour_start: 'bigint',
  invocation_count: 'bigint',
  completed_count: 'bigint',
  completion_rate: 'double precision',
  duration_sum: 'double precision',
  duration_count: 'bigint',
  avg_duration_seconds: 'double precision',
  unique_sessions: 'bigint',
  duration_histogram: 'text',
  date: 'bigint',
  invocations: 'bigint',
  completions: 'bigint',
  abandonments: 'bigint',
  first_used: 'bigint',
  last_used: 'bigint',
};

export interface UnnestStatement {
  sql: string;
  /** One array per column, in the statement's parameter order. */
  bind(rows: object[]): unknown[];
}

/**
 * Turn a one-row `INSERT … VALUES ($1, …, $n) …` into `INSERT … SELECT * FROM unnest($1::t[], …)`,
 * so a batch of any size is one statement with n array parameters: PostgreSQL parses and binds
 * n values instead of n × rows. Returns undefined when the statement does not have that shape
 * (the caller then runs it as an ordinary multi-row statement).
 */
export function compileUnnest(
  db: Kysely<SkillsDatabase>,
  build: Parameters<typeof compileRowTemplate>[1],
  fields: readonly string[],
): UnnestStatement | undefined {
  const template = compileRowTemplate(db, build, fields);
  const sources = template.bind(Object.fromEntries(fields.map((field) => [field, field])));
  const match = /\bvalues \((\$\d+(?:, \$\d+)*)\)/.exec(template.sql);
  if (!match) return undefined;
  const placeholders = match[1]!.split(', ');
  if (placeholders.length !== sources.length) return undefined;
  const columns = sources.map((source) => (typeof source === 'string' ? source : undefined));
  if (columns.some((column) => column === undefined || COLUMN_TYPES[column] === undefined)) return undefined;
  const unnest = columns.map((column, i) => `$${i + 1}::${COLUMN_TYPES[column!]}[]`).join(', ');
  return {
    sql: template.sql.replace(match[0], `select * from unnest(${unnest})`),
    bind(rows) {
      return columns.map((column) => rows.map((row) => (row as Record<string, unknown>)[column!] ?? null));
    },
  };
}
