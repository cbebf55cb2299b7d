import {
  IDE_PATHS,
  ideContextSchema,
  ideFeedbackSchema,
  recommendForIde,
  recordIdeFeedback,
  type IdeContextInput,
  type IdeFeedbackInput,
} from '@skills/integrations';
import { z } from 'zod';
import type { ServerPlugin } from '../build-server.js';
import { errorBodySchema } from '../http-errors.js';
import type { DocumentedRoute } from '../openapi.js';

/**
 * The IDE plugin protocol on the server (@skills/integrations' `recommendForIde` and
 * `recordIdeFeedback`; its `createIdeClient` speaks it):
 * - `POST /v1/integrations/ide/recommendations`: a plugin's context (language or file type,
 *   project, activity, query, code at the cursor with line and column) → ranked skills with
 *   reasons; behind a read token;
 * - `POST /v1/integrations/ide/feedback`: what the developer picked among them and whether it
 *   worked → one invocation with `alternatives_considered` and `selection_rank`; behind a write token.
 * A bad field answers 400 `validation_failed` naming it (nothing written): the body is validated
 * by the calls themselves, whatever its declared type.
 */
export const ideIntegrationRoutes: ServerPlugin = async (app, { store, checkAccess }) => {
  app.post(IDE_PATHS.recommendations, { onRequest: async (request) => checkAccess(request, 'read') }, async (request) =>
    recommendForIde(store, request.body as IdeContextInput),
  );

  app.post(IDE_PATHS.feedback, { onRequest: async (request) => checkAccess(request, 'write') }, async (request) => {
    const report = await recordIdeFeedback(store, request.body as IdeFeedbackInput);
    request.log.info(
      { source: 'ide', invocation: report.invocation_id, skill: report.skill_name, rank: report.selection_rank, recorded: report.recorded },
      'IDE feedback',
    );
    return report;
  });
};

const recommendationsSchema = z.object({
  language: z.string(),
  workflow_phase: z.string().nullable().describe('the phase the activity maps to; null without an activity'),
  recommendations: z.array(
    z.object({
      skill_name: z.string(),
      rank: z.number().int().min(1).describe("1-based: what feedback's selection_rank refers to"),
      score: z.number().min(0).max(1),
      confidence: z.number().min(0).max(1).describe('how sure the code at the cursor makes us; 0 when the code does not suggest it'),
      source: z.enum(['code', 'history', 'both']),
      reasons: z.array(z.string()),
      description: z.string().nullable(),
      estimated_duration_seconds: z.number().nullable(),
      runs: z.number().int(),
      completion_rate: z.number().min(0).max(1).nullable(),
      keyboard_shortcut: z.string().nullable(),
    }),
  ),
});
const feedbackReportSchema = z.object({
  invocation_id: z.string(),
  skill_name: z.string(),
  selection_rank: z.number().int().min(1).nullable().describe('1-based position of selected in recommended; null when not among them'),
  alternatives_considered: z.array(z.string()),
  recorded: z.boolean().describe('false when this feedback id was recorded before (nothing written twice)'),
});
const invalid = {
  status: 400,
  description: 'Malformed JSON or an invalid field (named, e.g. cursor.line); nothing written',
  schema: errorBodySchema,
};

/** The IDE protocol's routes as the OpenAPI document lists them. */
export const ideOperations: DocumentedRoute[] = [
  {
    method: 'POST',
    url: IDE_PATHS.recommendations,
    operationId: 'ideRecommendations',
    summary: "Ranked skill recommendations, with reasons, for an IDE plugin's context",
    access: 'read',
    body: {
      schema: ideContextSchema,
      description: "The plugin's context: file type or language, project, activity, query, code at the cursor",
    },
    responses: [{ status: 200, description: 'The recommendations', schema: recommendationsSchema }, invalid],
  },
  {
    method: 'POST',
    url: IDE_PATHS.feedback,
    operationId: 'ideFeedback',
    summary: 'What the developer picked among the recommendations and whether it worked (one invocation)',
    access: 'write',
    body: { schema: ideFeedbackSchema, description: 'The pick: recommended skills in their order, the selected one, completed' },
    responses: [{ status: 200, description: 'Recorded (or known: recorded false)', schema: feedbackReportSchema }, invalid],
  },
];
