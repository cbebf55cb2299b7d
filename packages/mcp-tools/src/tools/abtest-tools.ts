import { analyzeExperiment, assign, createExperiment, getExperiment, recordOutcome, METRICS } from '@skills/abtest';
import { EXPERIMENT_STATUSES } from '@skills/storage';
import { z } from 'zod';
import { defineTool } from '../tool-definition.js';
import { name } from './arguments.js';

const experiment = z
  .looseObject({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    controlStrategy: z.string(),
    treatmentStrategy: z.string(),
    variants: z.array(z.object({ name: z.string(), strategy: z.string(), weight: z.number() })),
    assignmentRatio: z.number(),
    metrics: z.array(z.enum(METRICS)),
    minSampleSize: z.number().int(),
    startDate: z.number(),
    endDate: z.number().nullable(),
    status: z.enum(EXPERIMENT_STATUSES),
  })
  .describe('the experiment as stored (names as in @skills/abtest and `skills abtest --json`)');

const test = name('The experiment: its name (test_name) or id.');

/** The library's field names, as this tool's arguments spell them. */
const EXPERIMENT_FIELDS = {
  name: 'test_name',
  controlStrategy: 'control_strategy',
  treatmentStrategy: 'treatment_strategy',
  assignmentRatio: 'assignment_ratio',
  minSampleSize: 'min_sample_size',
};

export const createAbTest = defineTool({
  name: 'create_ab_test',
  title: 'Start an A/B test',
  description:
    'Start an experiment comparing two skill-recommendation strategies (control vs treatment). Users are then assigned ' +
    'with assign_ab_test_group, their outcomes recorded with record_ab_test_outcome, and the result read with ' +
    'analyze_ab_test (a sequential test that is safe to check every day). The name must be new.',
  input: z.object({
    test_name: name('A new, unique name, e.g. "search-v2".'),
    description: z.string().max(2000).optional().describe('What is being tested and why.'),
    control_strategy: name('The current strategy (control).'),
    treatment_strategy: name('The strategy being tried (treatment).'),
    assignment_ratio: z.number().gt(0).lt(1).default(0.5).describe('Share of users in control (default 0.5).'),
    min_sample_size: z
      .number()
      .int()
      .min(1)
      .max(100_000_000)
      .default(100)
      .describe('Users with outcomes per group before any verdict (default 100).'),
    metrics: z
      .array(z.enum(METRICS))
      .min(1)
      .max(3)
      .optional()
      .describe('What is compared per user; the first decides the verdict (default completion_rate, duration).'),
  }),
  output: z.object({ experiment }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  fieldNames: { fields: EXPERIMENT_FIELDS },
  async run(args, deps) {
    const created = await createExperiment(
      deps.store,
      {
        name: args.test_name,
        controlStrategy: args.control_strategy,
        treatmentStrategy: args.treatment_strategy,
        assignmentRatio: args.assignment_ratio,
        minSampleSize: args.min_sample_size,
        ...(args.description === undefined ? {} : { description: args.description }),
        ...(args.metrics === undefined ? {} : { metrics: args.metrics }),
      },
      { now: deps.now() },
    );
    const { salt: _salt, ...shown } = created;
    return {
      result: { experiment: shown },
      text: `Started ${created.name}: ${created.controlStrategy} (control) vs ${created.treatmentStrategy}`,
    };
  },
});

export const assignAbTestGroup = defineTool({
  name: 'assign_ab_test_group',
  title: 'Which group a user is in',
  description:
    'The group (`control` or `treatment`) of a user in a running experiment: assigned on first call by a stable hash, ' +
    'the same answer on every later call. Use the strategy of that group for this user.',
  input: z.object({ test, user_id: name('The user.') }),
  output: z.object({
    test_id: z.string(),
    user_id: z.string(),
    group: z.string().describe('the variant name: control or treatment'),
    strategy: z.string(),
    assigned_at: z.number(),
    is_new: z.boolean(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  fieldNames: { fields: { userId: 'user_id' } },
  async run(args, deps) {
    const a = await assign(deps.store, args.test, args.user_id, { now: deps.now() });
    const e = await getExperiment(deps.store, a.experimentId);
    const strategy = e.variants.find((v) => v.name === a.variant)?.strategy ?? a.variant;
    return {
      result: { test_id: a.experimentId, user_id: a.userId, group: a.variant, strategy, assigned_at: a.assignedAt, is_new: a.isNew },
      text: `${a.userId} is in ${a.variant} (${strategy})${a.isNew ? ', newly assigned' : ''}`,
    };
  },
});

export const recordAbTestOutcome = defineTool({
  name: 'record_ab_test_outcome',
  title: 'Record an A/B test outcome',
  description:
    'Record how it went for an assigned user in an experiment: whether the skill completed, how long it took and an ' +
    'optional 1–5 rating. The user must have been assigned first (assign_ab_test_group).',
  input: z.object({
    test,
    user_id: name('The user (assigned before).'),
    completed: z.boolean().describe('Whether the skill completed.'),
    duration_seconds: z.number().nonnegative().finite().optional().describe('How long it took, seconds.'),
    user_rating: z.number().min(1).max(5).optional().describe("The user's rating, 1–5."),
    skill_name: name('The skill the outcome is about.').optional(),
  }),
  output: z.object({ test: z.string(), user_id: z.string(), recorded: z.literal(1) }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  fieldNames: { fields: { durationSeconds: 'duration_seconds', rating: 'user_rating', skillName: 'skill_name', userId: 'user_id' } },
  async run(args, deps) {
    await recordOutcome(
      deps.store,
      args.test,
      args.user_id,
      {
        completed: args.completed,
        ...(args.duration_seconds === undefined ? {} : { durationSeconds: args.duration_seconds }),
        ...(args.user_rating === undefined ? {} : { rating: args.user_rating }),
        ...(args.skill_name === undefined ? {} : { skillName: args.skill_name }),
      },
      { now: deps.now() },
    );
    return {
      result: { test: args.test, user_id: args.user_id, recorded: 1 as const },
      text: `Recorded an outcome for ${args.user_id} in ${args.test}`,
    };
  },
});

const analysisSchema = z
  .looseObject({
    experimentId: z.string(),
    name: z.string(),
    status: z.string(),
    primaryMetric: z.string(),
    verdict: z.enum(['treatment_wins', 'control_wins', 'no_difference', 'keep_running', 'invalid_srm']),
    winner: z.string().nullable(),
    reason: z.string(),
    variants: z.array(z.looseObject({})),
    comparisons: z.array(z.looseObject({})),
  })
  .describe('as `analyzeExperiment` of @skills/abtest returns it');

export const analyzeAbTest = defineTool({
  name: 'analyze_ab_test',
  title: 'A/B test result',
  description:
    "The analysis of an experiment, per user: each group's figures, every metric compared (difference, interval, p-values " +
    'corrected for multiple comparisons), a sample-ratio check, and the verdict (`treatment_wins`, `control_wins`, ' +
    '`no_difference`, `keep_running`, `invalid_srm`) with its reason in words. Safe to call at any time.',
  input: z.object({ test }),
  output: z.object({
    analysis: analysisSchema,
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run(args, deps) {
    const analysis = await analyzeExperiment(deps.store, args.test, { now: deps.now() });
    // JSON has no NaN or Infinity: the client sees what JSON.stringify makes of them (null).
    const plain = JSON.parse(JSON.stringify(analysis)) as z.input<typeof analysisSchema>;
    return { result: { analysis: plain }, text: `${analysis.name}: ${analysis.verdict} — ${analysis.reason}` };
  },
});
