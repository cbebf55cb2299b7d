import { IDE_PATHS, recommendForIde, recordIdeFeedback, type IdeContextInput, type IdeFeedbackInput } from '@skills/integrations';
import type { ServerPlugin } from '../build-server.js';

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
  app.post(IDE_PATHS.recommendations, { onRequest: async (request) => checkAccess(request, 'read') }, async (request) => recommendForIde(store, request.body as IdeContextInput));

  app.post(IDE_PATHS.feedback, { onRequest: async (request) => checkAccess(request, 'write') }, async (request) => {
    const report = await recordIdeFeedback(store, request.body as IdeFeedbackInput);
    request.log.info({ source: 'ide', invocation: report.invocation_id, skill: report.skill_name, rank: report.selection_rank, recorded: report.recorded }, 'IDE feedback');
    return report;
  });
};
