import { monotonicFactory } from 'ulid';
import { z } from 'zod';
import type { FieldIssue } from './errors.js';
import { INVOCATION_LIMITS, MAX_EPOCH_MS, MAX_FLOAT32 } from './invocation-fields.js';
import { parseIsoTime } from './iso-time.js';
import type { SkillInvocationTable } from './schema.js';

export { MAX_DURATION_SECONDS } from './invocation-fields.js';

const ID = /^[\w.:-]+$/;
const EXPECTED_TIME = 'expected epoch milliseconds (integer ≥ 0) or ISO-8601 text';

/** Epoch milliseconds, or ISO-8601 text (no offset means UTC). */
const timestamp = z.union([z.number(), z.string()], { error: EXPECTED_TIME }).transform((value, ctx) => {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value >= 0 && value <= MAX_EPOCH_MS) return value;
    ctx.addIssue({ code: 'custom', message: EXPECTED_TIME });
    return z.NEVER;
  }
  const time = parseIsoTime(value);
  if (!time.ok) {
    ctx.addIssue({ code: 'custom', message: time.reason === 'format' ? EXPECTED_TIME : `not a valid date: ${value}` });
    return z.NEVER;
  }
  const ms = time.ms;
  // Stored (and exported) as epoch ms, which must be ≥ 0 like a numeric timestamp: a date before
  // 1970 would be stored, exported as a negative number and then refused on re-import.
  if (ms < 0) {
    ctx.addIssue({ code: 'custom', message: `expected a date from 1970-01-01T00:00:00Z on (got ${value})` });
    return z.NEVER;
  }
  return ms;
});

/**
 * The text rule, the same on both databases: text is valid Unicode without NUL. A lone UTF-16
 * surrogate has no UTF-8 form (it would be stored as U+FFFD, so the stored row would not match its
 * own rollups), and PostgreSQL cannot store U+0000 in text at all; both are refused with the field,
 * never altered. (Invalid UTF-8 in a file is the reader's to refuse: a JS string cannot hold it.)
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is what this rule refuses
const UNSTORABLE_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Whether `text` follows the text rule. Native checks: the regular expression (with its lookbehind)
 * costs several times more per string, and this runs on every text field of every item.
 */
const isStorableText = (text: string): boolean => !text.includes('\u0000') && (text as string & { isWellFormed(): boolean }).isWellFormed();

/** Why `text` cannot be stored, or undefined when it can. */
export function unstorableTextReason(text: string): string | undefined {
  if (isStorableText(text)) return undefined;
  const found = UNSTORABLE_TEXT.exec(text);
  if (!found) return undefined;
  if (found[0] === '\u0000') return `must not contain a NUL character (U+0000) (at character ${found.index})`;
  return `must be valid Unicode: an unpaired surrogate U+${found[0].charCodeAt(0).toString(16).toUpperCase()} at character ${found.index}`;
}

const storableText = (max: number) =>
  z
    .string()
    .max(max)
    .check((ctx) => {
      const reason = unstorableTextReason(ctx.value);
      if (reason !== undefined) ctx.issues.push({ code: 'custom', message: reason, input: ctx.value });
    });
const name = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max)
    .check((ctx) => {
      const reason = unstorableTextReason(ctx.value);
      if (reason !== undefined) ctx.issues.push({ code: 'custom', message: reason, input: ctx.value });
    });
const optionalText = (max: number) => storableText(max).nullish();

const L = INVOCATION_LIMITS;
// Written out: String(MAX_FLOAT32) would say 3.4028234663852886e+38.
const FLOAT32_MESSAGE = 'expected a float32 value (magnitude at most 3.4028234663852886e38)';

/**
 * One invocation as clients send it: the column names of `skill_invocation`, snake_case.
 * `id` is optional (a ULID is generated); `completed` accepts true/false (and 1/0, as the
 * original system stored it).
 */
export const invocationInputSchema = z
  .strictObject({
    id: z.string().min(1).max(L.id).regex(ID, 'expected letters, digits, "_", "-", ".", ":" only').optional(),
    skill_name: name(L.skill_name),
    invoked_at: timestamp,
    session_id: name(L.session_id),
    user_id: name(L.user_id).nullish(),
    workflow_path: optionalText(L.workflow_path),
    workflow_phase: optionalText(L.workflow_phase),
    workflow_step_id: optionalText(L.workflow_step_id),
    completed: z.union([z.boolean(), z.literal(0), z.literal(1)], { error: 'expected a boolean' }).default(false),
    duration_seconds: z.number().finite().nonnegative().max(L.duration_seconds, `expected at most ${L.duration_seconds} seconds`).nullish(),
    user_query: optionalText(L.user_query),
    alternatives_considered: z.array(storableText(L.alternatives_considered.length)).max(L.alternatives_considered.items).nullish(),
    selection_rank: z.number().int().positive().max(L.selection_rank).nullish(),
    follow_up_actions: z.array(storableText(L.follow_up_actions.length)).max(L.follow_up_actions.items).nullish(),
    error_type: optionalText(L.error_type),
    created_at: timestamp.optional(),
    embedding: z
      .union([
        // Raw bytes are checked on the whole item (below): inside a union zod would only say "Invalid input".
        z.instanceof(Uint8Array),
        z.array(z.number().min(-MAX_FLOAT32, FLOAT32_MESSAGE).max(MAX_FLOAT32, FLOAT32_MESSAGE)).max(L.embedding),
      ])
      .nullish(),
  })
  .check((ctx) => {
    const embedding = ctx.value.embedding;
    const reason = embedding instanceof Uint8Array ? unstorableEmbeddingBytes(embedding) : undefined;
    if (reason !== undefined) ctx.issues.push({ code: 'custom', message: reason, input: embedding, path: ['embedding'] });
  });

/** Raw embedding bytes must be whole, finite float32 values: anything else cannot be read back. */
function unstorableEmbeddingBytes(bytes: Uint8Array): string | undefined {
  if (bytes.byteLength % 4 !== 0) return `expected float32 bytes: a multiple of 4 bytes (got ${bytes.byteLength})`;
  if (bytes.byteLength > L.embedding * 4) return `expected at most ${L.embedding} float32 values`;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < bytes.byteLength; i += 4) {
    if (!Number.isFinite(view.getFloat32(i, true))) return `expected finite float32 values (value ${i / 4} is not)`;
  }
  return undefined;
}

export type InvocationInput = z.input<typeof invocationInputSchema>;

/** A validated invocation, exactly as stored. */
export type InvocationRow = Omit<SkillInvocationTable, 'embedding'> & { embedding: Buffer | null };

const nextUlid = monotonicFactory();

export type ParsedItem = { ok: true; row: InvocationRow } | { ok: false; issues: FieldIssue[] };

/** Validate one item and turn it into a row; never throws. */
export function parseInvocation(item: unknown, index: number, now: number): ParsedItem {
  const fast = acceptPlainInvocation(item, now);
  return fast ? { ok: true, row: fast } : parseWithSchema(item, index, now);
}

/** The reference path: zod validates, reports every issue, and the row is built from its output. */
export function parseWithSchema(item: unknown, index: number, now: number): ParsedItem {
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

const KNOWN_KEYS = new Set(Object.keys(invocationInputSchema.shape));

/** A name already trimmed (one with surrounding space goes through zod, which trims it). */
const isName = (value: unknown, max: number): value is string =>
  typeof value === 'string' && value.length >= 1 && value.length <= max && value.trim().length === value.length && isStorableText(value);
const isOptionalText = (value: unknown, max: number) =>
  value === undefined || value === null || (typeof value === 'string' && value.length <= max && isStorableText(value));
const isMs = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= MAX_EPOCH_MS;
const isStringList = (value: unknown, maxItems: number, maxLength: number) =>
  value === undefined ||
  value === null ||
  (Array.isArray(value) &&
    value.length <= maxItems &&
    value.every((entry) => typeof entry === 'string' && entry.length <= maxLength && isStorableText(entry)));

/**
 * The common case without zod: a plain, well-formed item (numeric timestamps, no embedding).
 * It accepts a strict subset of what `invocationInputSchema` accepts and builds the same row;
 * anything else returns undefined and goes through zod, which also writes every error message.
 * A property test holds the two to agreement.
 */
export function acceptPlainInvocation(item: unknown, now: number): InvocationRow | undefined {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return undefined;
  const v = item as Record<string, unknown>;
  for (const key in v) if (!KNOWN_KEYS.has(key)) return undefined;
  if (v.id !== undefined && !(typeof v.id === 'string' && v.id.length >= 1 && v.id.length <= L.id && ID.test(v.id))) return undefined;
  if (!isName(v.skill_name, L.skill_name) || !isName(v.session_id, L.session_id) || !isMs(v.invoked_at)) return undefined;
  if (!(v.user_id === undefined || v.user_id === null || isName(v.user_id, L.user_id))) return undefined;
  if (!isOptionalText(v.workflow_path, L.workflow_path) || !isOptionalText(v.workflow_phase, L.workflow_phase)) return undefined;
  if (!isOptionalText(v.workflow_step_id, L.workflow_step_id) || !isOptionalText(v.user_query, L.user_query)) return undefined;
  if (!isOptionalText(v.error_type, L.error_type)) return undefined;
  const completed = v.completed;
  if (!(completed === undefined || completed === true || completed === false || completed === 0 || completed === 1)) return undefined;
  const duration = v.duration_seconds;
  if (!(duration === undefined || duration === null || (typeof duration === 'number' && duration >= 0 && duration <= L.duration_seconds)))
    return undefined;
  const rank = v.selection_rank;
  if (
    !(
      rank === undefined ||
      rank === null ||
      (typeof rank === 'number' && Number.isSafeInteger(rank) && rank > 0 && rank <= L.selection_rank)
    )
  )
    return undefined;
  const alternatives = L.alternatives_considered;
  const actions = L.follow_up_actions;
  if (!isStringList(v.alternatives_considered, alternatives.items, alternatives.length)) return undefined;
  if (!isStringList(v.follow_up_actions, actions.items, actions.length)) return undefined;
  if (!(v.created_at === undefined || isMs(v.created_at))) return undefined;
  if (!(v.embedding === undefined || v.embedding === null)) return undefined;
  return {
    id: (v.id as string | undefined) ?? nextUlid(now),
    skill_name: v.skill_name as string,
    invoked_at: v.invoked_at as number,
    session_id: v.session_id as string,
    user_id: (v.user_id as string | null | undefined) ?? null,
    workflow_path: (v.workflow_path as string | null | undefined) ?? null,
    workflow_phase: (v.workflow_phase as string | null | undefined) ?? null,
    workflow_step_id: (v.workflow_step_id as string | null | undefined) ?? null,
    completed: completed === true || completed === 1 ? 1 : 0,
    duration_seconds: (duration as number | null | undefined) ?? null,
    user_query: (v.user_query as string | null | undefined) ?? null,
    alternatives_considered: v.alternatives_considered ? JSON.stringify(v.alternatives_considered) : null,
    selection_rank: (rank as number | null | undefined) ?? null,
    follow_up_actions: v.follow_up_actions ? JSON.stringify(v.follow_up_actions) : null,
    error_type: (v.error_type as string | null | undefined) ?? null,
    created_at: (v.created_at as number | undefined) ?? now,
    embedding: null,
  };
}

function toEmbedding(value: Uint8Array | number[] | null | undefined): Buffer | null {
  if (value == null) return null;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return Buffer.from(Float32Array.from(value).buffer);
}
