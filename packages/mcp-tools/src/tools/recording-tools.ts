import { invocationInputSchema, recordInvocations } from '@skills/storage';
import { z } from 'zod';
import { defineTool } from '../tool-definition.js';

// The storage schema's fields (same names, same checks) without the binary embedding and the
// server-side created_at; its whole-item checks run again in recordInvocations.
const { embedding: _embedding, created_at: _createdAt, ...shape } = invocationInputSchema.shape;
const base = z.strictObject(shape);

/** One invocation as an agent reports it: the storage schema (same names, same checks), described for a model. */
export const invocationArgsSchema = base.extend({
  id: shape.id.describe(
    'Your own unique id for this invocation (UUID or ULID). Send it, and a retry of the same report is ignored instead of counted twice.',
  ),
  skill_name: shape.skill_name.describe('The skill that ran, e.g. "pytest-run" (1–200 characters).'),
  invoked_at: shape.invoked_at.describe('When it started: epoch milliseconds, or ISO-8601 text (no offset = UTC).'),
  session_id: shape.session_id.describe('The agent session it ran in (groups invocations into sessions).'),
  user_id: shape.user_id.describe('The person the agent works for, if known (stored only as a pseudonym for per-user analytics).'),
  workflow_path: shape.workflow_path.describe('Free-form path of the workflow, e.g. "ci/test".'),
  workflow_phase: shape.workflow_phase.describe(
    'Phase: setup, execution, verification, cleanup or rollback (other values are kept as given).',
  ),
  workflow_step_id: shape.workflow_step_id.describe('Id of the workflow step, if any.'),
  completed: shape.completed.describe('Whether the skill finished successfully (default false).'),
  duration_seconds: shape.duration_seconds.describe('How long it took, seconds.'),
  user_query: shape.user_query.describe(
    "The request that led to the skill, in the user's words (used to recommend skills for similar requests).",
  ),
  alternatives_considered: shape.alternatives_considered.describe('Other skills that were considered.'),
  selection_rank: shape.selection_rank.describe('Rank of this skill among the candidates (1 = first choice).'),
  follow_up_actions: shape.follow_up_actions.describe('What was done next.'),
  error_type: shape.error_type.describe('What went wrong, when it did not complete (e.g. "TimeoutError").'),
});

const recorded = z.object({
  inserted: z.number().int().describe('invocations newly stored'),
  duplicates: z.number().int().describe('invocations whose id was already stored (ignored)'),
  ids: z.array(z.string()).describe('the id of each invocation, in input order (generated where none was sent)'),
});

export const recordSkillInvocation = defineTool({
  name: 'record_skill_invocation',
  title: 'Record one skill invocation',
  description:
    'Report that a skill ran: which skill, in which session, when, whether it completed and how long it took. Call it ' +
    'after each skill you run so the analytics stay current. Send `id` to make retries safe (the same id is stored once). ' +
    'For many invocations at once use record_skill_invocations.',
  input: invocationArgsSchema,
  output: recorded,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run(args, deps) {
    const result = await recordInvocations(deps.store, [args], { now: deps.now() });
    const id = result.ids[0]!;
    return {
      result: { inserted: result.inserted, duplicates: result.duplicates, ids: result.ids },
      text: result.inserted === 1 ? `Recorded ${args.skill_name} as ${id}` : `Already recorded: ${id} (ignored)`,
    };
  },
});

const ARGUMENT_NAMES = new Set(Object.keys(invocationArgsSchema.shape));

/**
 * The batch as recordInvocations takes it: 1–1000 objects with no argument outside the schema.
 * The values are left to recordInvocations, which checks every one (the same checks as the
 * schema: its messages name the item, `invocations.3.invoked_at`) before it writes anything, so
 * they are not checked twice (a fifth of what a batch of 100 costs through MCP beyond the write).
 */
const batchCheck = z.strictObject({
  invocations: z
    .array(z.record(z.string(), z.unknown()))
    .min(1, { error: 'expected at least one invocation' })
    .max(1000, { error: 'at most 1000 invocations per call' })
    .superRefine((items, context) => {
      items.forEach((item, index) => {
        const unknown = Object.keys(item).filter((key) => !ARGUMENT_NAMES.has(key));
        if (unknown.length > 0) {
          context.addIssue({
            code: 'unrecognized_keys',
            keys: unknown,
            path: [index],
            message: `Unrecognized key${unknown.length > 1 ? 's' : ''}: ${unknown.map((key) => `"${key}"`).join(', ')}`,
          });
        }
      });
    }),
});

export const recordSkillInvocations = defineTool({
  name: 'record_skill_invocations',
  title: 'Record a batch of skill invocations',
  description:
    'The batch form of record_skill_invocation: up to 1000 invocations stored in one transaction. Every item is checked ' +
    'first; if one is invalid nothing is stored and the error names the item (`invocations.3.invoked_at`). Items whose ' +
    '`id` is already stored are ignored, so a retried batch never counts twice.',
  input: z.object({
    invocations: z
      .array(invocationArgsSchema)
      .min(1, { error: 'expected at least one invocation' })
      .max(1000, { error: 'at most 1000 invocations per call' })
      .describe('The invocations, each as in record_skill_invocation.'),
  }),
  output: recorded,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  fieldNames: { batch: 'invocations' },
  check: batchCheck,
  async run(args, deps) {
    const result = await recordInvocations(deps.store, args.invocations, { now: deps.now() });
    return {
      result: { inserted: result.inserted, duplicates: result.duplicates, ids: result.ids },
      text: `Recorded ${result.inserted} invocations${result.duplicates > 0 ? ` (${result.duplicates} already stored, ignored)` : ''}`,
    };
  },
});
