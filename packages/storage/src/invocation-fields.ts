import { z } from 'zod';

/**
 * The invocation's fields, described once. Everything else is derived from what is here:
 * - the write side (`invocationInputSchema` and its fast path in invocation.ts) takes its limits
 *   from `INVOCATION_LIMITS`;
 * - the read side (`Invocation`, the list and search queries, the server's and MCP tools' answers)
 *   is `invocationSchema` and selects `INVOCATION_COLUMNS`;
 * - the table (`SkillInvocationTable` in schema.ts) is the read shape with booleans as 0/1, lists
 *   as JSON text and the packed embedding;
 * - synth depends on nothing (docs/architecture.md), so its `SyntheticInvocation` is a copy,
 *   held to these columns, phases and input rules by apps/cli/test/workload-shape.test.ts.
 * Migration 0001 keeps its own copy: a migration is a frozen snapshot of the schema it created.
 * Adding a field: its limit here, its zod rule in invocationInputSchema (and the fast path), its
 * read type in invocationSchema, and a migration.
 */

/** How a session went through a workflow, in the usual order (other phases are kept as given). */
export const WORKFLOW_PHASES = ['setup', 'execution', 'verification', 'cleanup', 'rollback'] as const;
export type WorkflowPhase = (typeof WORKFLOW_PHASES)[number];

/** The latest time accepted, as JavaScript's Date allows (epoch ms). */
export { MAX_EPOCH_MS } from './iso-time.js';

/**
 * The largest duration accepted (10⁹ s, about 31.7 years): far beyond any invocation, and small
 * enough that the lifetime and hourly sums (double precision) of 2⁵³ of them stay finite.
 */
export const MAX_DURATION_SECONDS = 1e9;

/**
 * What an invocation may hold: the longest text of each text field (UTF-16 code units, as zod
 * counts), the longest lists, the largest rank and embedding. The validators, the MCP tool's
 * argument schema and the clients' documentation read them from here.
 * @example INVOCATION_LIMITS.skill_name // 200
 */
export const INVOCATION_LIMITS = {
  id: 128,
  skill_name: 200,
  session_id: 200,
  user_id: 200,
  workflow_path: 200,
  workflow_phase: 100,
  workflow_step_id: 200,
  user_query: 20_000,
  error_type: 1000,
  alternatives_considered: { items: 100, length: 200 },
  follow_up_actions: { items: 100, length: 500 },
  duration_seconds: MAX_DURATION_SECONDS,
  /** `selection_rank` is an INTEGER column (32-bit on PostgreSQL). */
  selection_rank: 2_147_483_647,
  /** Float32 values of an embedding. */
  embedding: 4096,
} as const;

/** Embedding values are stored as float32: a larger magnitude would be stored as ±Infinity. */
export const MAX_FLOAT32 = 3.4028234663852886e38;

const ms = z.number().int().describe('epoch milliseconds');
const seconds = z.number().nullable().describe('seconds; null when unknown');

/**
 * One invocation as read back (`listInvocations`, `searchInvocations`), booleans and lists
 * decoded: the wire type of the server's and the MCP tools' answers, and the source of the
 * `Invocation` type. Not strict, so a field added later does not break a client.
 * @example invocationSchema.parse((await listInvocations(store)).items[0])
 */
export const invocationSchema = z.object({
  id: z.string(),
  skill_name: z.string(),
  invoked_at: ms,
  session_id: z.string(),
  user_id: z.string().nullable(),
  workflow_path: z.string().nullable(),
  workflow_phase: z.string().nullable(),
  workflow_step_id: z.string().nullable(),
  completed: z.boolean(),
  duration_seconds: seconds,
  user_query: z.string().nullable(),
  alternatives_considered: z.array(z.string()).nullable(),
  selection_rank: z.number().int().nullable(),
  follow_up_actions: z.array(z.string()).nullable(),
  error_type: z.string().nullable(),
  created_at: ms,
});

export type InvocationFields = z.infer<typeof invocationSchema>;

/**
 * The columns of `skill_invocation` a read selects (the embedding only on request), in the
 * order of `invocationSchema`, which is the order of an `Invocation`'s keys.
 */
export const INVOCATION_COLUMNS: readonly (keyof InvocationFields)[] = Object.keys(invocationSchema.shape) as (keyof InvocationFields)[];
