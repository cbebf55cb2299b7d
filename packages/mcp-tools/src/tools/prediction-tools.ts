import { INVOCATION_LIMITS, NotFoundError } from '@skills/storage';
import { predictSuccess } from '@skills/predictor';
import { z } from 'zod';
import { latestPredictor } from '../queries/latest-predictor.js';
import { recommendForQuery } from '../queries/recommend-for-query.js';
import { defineTool } from '../tool-definition.js';
import { integer, name } from './arguments.js';

const READ = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const;

const phase = name('Workflow phase: setup, execution, verification, cleanup or rollback.', INVOCATION_LIMITS.workflow_phase);
const session = z
  .object({
    started_at: z.number().int().nonnegative().optional().describe('When the session started, epoch ms.'),
    skills_used: z.number().int().nonnegative().optional().describe('Skills invoked in the session so far.'),
    previous_completed: z.boolean().nullable().optional().describe('Whether the previous skill of the session completed.'),
  })
  .strict();

export const predictSkillSuccess = defineTool({
  name: 'predict_skill_success',
  title: 'Chance a skill will succeed',
  description:
    'The calibrated probability (0–1) that `skill_name` completes if run now for this request, phase, user and session, ' +
    "from the newest trained predictor; beside it the skill's historical completion rate (`baseline`), the three factors " +
    'that moved the probability most, and notes on anything assumed (an unknown skill or user). Use it to choose between ' +
    'candidate skills or to warn before a risky one. Needs a trained model (`skills predict train`).',
  input: z.object({
    skill_name: name('The skill you are about to run.'),
    user_query: z.string().max(INVOCATION_LIMITS.user_query).optional().describe("The request, in the user's words."),
    workflow_phase: phase.optional(),
    user_id: name('The user, as recorded on invocations.').optional(),
    session: session.optional().describe('The session so far; omit for a new session.'),
  }),
  output: z.object({
    skill_name: z.string(),
    probability: z.number(),
    baseline: z.number(),
    factors: z
      .array(z.looseObject({ effect: z.number().describe('probability with this input minus without it') }))
      .describe('the inputs that moved the probability most, largest first (as predictSuccess of @skills/predictor gives them)'),
    notes: z.array(z.string()),
    model_version: z.number().int().nullable(),
  }),
  annotations: READ,
  fieldNames: { fields: { skill: 'skill_name', query: 'user_query', phase: 'workflow_phase', user: 'user_id' } },
  async run(args, deps) {
    const model = await latestPredictor(deps.store);
    if (!model) throw new NotFoundError('predictor model', 'latest (none trained yet: run skills predict train)');
    const s = args.session;
    const prediction = predictSuccess(model, {
      skill: args.skill_name,
      query: args.user_query ?? null,
      phase: args.workflow_phase ?? null,
      user: args.user_id ?? null,
      at: deps.now(),
      ...(s === undefined
        ? {}
        : {
            session: {
              ...(s.started_at === undefined ? {} : { startedAt: s.started_at }),
              ...(s.skills_used === undefined ? {} : { skillsUsed: s.skills_used }),
              ...(s.previous_completed === undefined ? {} : { previousCompleted: s.previous_completed }),
            },
          }),
    });
    const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
    return {
      result: {
        skill_name: args.skill_name,
        ...prediction,
        factors: prediction.factors.map((f) => ({ ...f }) as Record<string, unknown> & { effect: number }),
        model_version: model.version,
      },
      text: `${args.skill_name}: ${pct(prediction.probability)} chance of success (historical ${pct(prediction.baseline)})`,
    };
  },
});

export const recommendSkillsForQuery = defineTool({
  name: 'recommend_skills_for_query',
  title: 'Which skill to use for a request',
  description:
    'Ranks the known skills for a request (and optionally a workflow phase and user): skills used for similar past ' +
    'requests (full-text search over recorded queries), how well each did in history and in that phase, and the ' +
    "predictor's chance of success when a model is trained. Each has a `score` (0–1) and a `reason`. Call it before " +
    'choosing a skill; then report the run with record_skill_invocation.',
  input: z.object({
    query: name("The request, in the user's words.", INVOCATION_LIMITS.user_query),
    workflow_phase: phase.optional(),
    user_id: name('The user, as recorded on invocations.').optional(),
    limit: integer(1, 50, 5, 'Most skills (1–50, default 5).'),
  }),
  output: z.object({
    query: z.string(),
    recommendations: z.array(
      z.object({
        skill_name: z.string(),
        score: z.number(),
        relevance: z.number().describe('share of the matched past requests that used this skill, relative to the best (0–1)'),
        matched_queries: z.number().int(),
        completion_rate: z.number().describe("over the skill's whole history (0–1)"),
        phase_share: z.number().nullable().describe("share of the skill's invocations in the requested phase; null without a phase"),
        predicted_success: z.number().nullable().describe('predictor probability; null without a trained model'),
        reason: z.string(),
      }),
    ),
    model_version: z.number().int().nullable(),
  }),
  annotations: READ,
  fieldNames: { fields: { text: 'query' } },
  async run(args, deps) {
    const model = await latestPredictor(deps.store);
    const recommendations = await recommendForQuery(deps.store, {
      query: args.query,
      phase: args.workflow_phase ?? null,
      user: args.user_id ?? null,
      limit: args.limit,
      model,
      now: deps.now(),
    });
    return {
      result: { query: args.query, recommendations, model_version: model?.version ?? null },
      text:
        recommendations.length === 0
          ? 'No skills recorded yet'
          : recommendations.map((r, i) => `${i + 1}. ${r.skill_name} (${r.score.toFixed(2)}): ${r.reason}`).join('\n'),
    };
  },
});
