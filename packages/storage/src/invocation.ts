import { monotonicFactory } from 'ulid';
import { z } from 'zod';
import type { FieldIssue } from './errors.js';

const ISO_8601 =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

/** Epoch milliseconds, or ISO-8601 text (no offset means UTC). */
const timestamp = z.union(
  [
    z.number().int().nonnegative().max(8.64e15),
    z
      .string()
      .regex(ISO_8601)
      .transform((text, ctx) => {
        const hasZone = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(text) || text.length === 10;
        const ms = Date.parse(hasZone ? text : `${text.replace(' ', 'T')}Z`);
        if (Number.isNaN(ms)) {
          ctx.addIssue({ code: 'custom', message: 'not a valid date' });
          return z.NEVER;
        }
        return ms;
      }),
  ],
  { error: 'expected epoch milliseconds (integer ≥ 0) or ISO-8601 text' },
);

const name = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);
const optionalText = (max: number) => z.string().max(max).nullish();

/**
 * One invocation as clients send it: the column names of `skill_invocation`, snake_case.
 * `id` is optional (a ULID is generated); `completed` accepts true/false (and 1/0, as the
 * original system stored it).
 */
export const invocationInputSchema = z.strictObject({
  id: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[\w.:-]+$/, 'expected letters, digits, "_", "-", ".", ":" only')
    .optional(),
  skill_name: name(200),
  invoked_at: timestamp,
  session_id: name(200),
  user_id: name(200).nullish(),
  workflow_path: optionalText(200),
  workflow_phase: optionalText(100),
  workflow_step_id: optionalText(200),
  completed: z
    .union([z.boolean(), z.literal(0), z.literal(1)], { error: 'expected a boolean' })
    .default(false),
  duration_seconds: z.number().finite().nonnegative().nullish(),
  user_query: optionalText(20_000),
  alternatives_considered: z.array(z.string().max(200)).max(100).nullish(),
  selection_rank: z.number().int().positive().nullish(),
  follow_up_actions: z.array(z.string().max(500)).max(100).nullish(),
  error_type: optionalText(1000),
  created_at: timestamp.optional(),
  embedding: z
    .union([z.instanceof(Uint8Array), z.array(z.number().finite()).max(4096)])
    .nullish(),
});

export type InvocationInput = z.input<typeof invocationInputSchema>;

/** A validated invocation, exactly as stored. */
export interface InvocationRow {
  id: string;
  skill_name: string;
  invoked_at: number;
  session_id: string;
  user_id: string | null;
  workflow_path: string | null;
  workflow_phase: string | null;
  workflow_step_id: string | null;
  completed: number;
  duration_seconds: number | null;
  user_query: string | null;
  alternatives_considered: string | null;
  selection_rank: number | null;
  follow_up_actions: string | null;
  error_type: string | null;
  created_at: number;
  embedding: Buffer | null;
}

const nextUlid = monotonicFactory();

export type ParsedItem = { ok: true; row: InvocationRow } | { ok: false; issues: FieldIssue[] };

/** Validate one item and turn it into a row; never throws. */
export function parseInvocation(item: unknown, index: number, now: number): ParsedItem {
  const result = invocationInputSchema.safeParse(item);
  if (!result.success) {
    return {
      ok: false,
      issues: result.error.issues.map((issue) => ({
        index,
        field: issue.path.join('.'),
        message: issue.message,
      })),
    };
  }
  const v = result.data;
  return {
    ok: true,
    row: {
      id: v.id ?? nextUlid(now),
      skill_name: v.skill_name,
      invoked_at: v.invoked_at,
      session_id: v.session_id,
      user_id: v.user_id ?? null,
      workflow_path: v.workflow_path ?? null,
      workflow_phase: v.workflow_phase ?? null,
      workflow_step_id: v.workflow_step_id ?? null,
      completed: v.completed === true || v.completed === 1 ? 1 : 0,
      duration_seconds: v.duration_seconds ?? null,
      user_query: v.user_query ?? null,
      alternatives_considered: v.alternatives_considered ? JSON.stringify(v.alternatives_considered) : null,
      selection_rank: v.selection_rank ?? null,
      follow_up_actions: v.follow_up_actions ? JSON.stringify(v.follow_up_actions) : null,
      error_type: v.error_type ?? null,
      created_at: v.created_at ?? now,
      embedding: toEmbedding(v.embedding),
    },
  };
}

function toEmbedding(value: Uint8Array | number[] | null | undefined): Buffer | null {
  if (value == null) return null;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return Buffer.from(Float32Array.from(value).buffer);
}
