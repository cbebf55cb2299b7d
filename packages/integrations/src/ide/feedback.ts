import { randomUUID } from 'node:crypto';
import { recordInvocations, type InvocationInput, type Store } from '@skills/storage';
import { forgetIdeHistory } from './recommend.js';
import {
  IDE_ACTIVITY_PHASES,
  ideFeedbackSchema,
  parseOrThrow,
  type IdeFeedback,
  type IdeFeedbackInput,
  type IdeFeedbackReport,
} from './protocol.js';

export interface IdeFeedbackOptions {
  /** Clock (epoch ms), for `invoked_at` when the report has none. */
  now?: (() => number) | undefined;
}

/**
 * The invocation a feedback report becomes: the picked skill, `alternatives_considered` = the
 * other recommended skills in their order, `selection_rank` = the pick's 1-based position among
 * the recommended (null when it was not recommended), the activity's phase, the project as
 * `workflow_path`, the activity as `workflow_step_id`. Pure.
 */
export function feedbackInvocation(feedback: IdeFeedback, now: number): InvocationInput & { id: string } {
  const position = feedback.recommended.indexOf(feedback.selected);
  return {
    id: `ide:${feedback.feedback_id ?? randomUUID()}`,
    skill_name: feedback.selected,
    session_id: feedback.session_id,
    user_id: feedback.user_id ?? null,
    invoked_at: feedback.invoked_at ?? now,
    completed: feedback.completed,
    duration_seconds: feedback.duration_seconds ?? null,
    user_query: feedback.query ?? null,
    workflow_path: feedback.project ?? null,
    workflow_phase: feedback.activity === undefined ? null : IDE_ACTIVITY_PHASES[feedback.activity],
    workflow_step_id: feedback.activity ?? null,
    alternatives_considered: feedback.recommended.filter((name) => name !== feedback.selected),
    selection_rank: position === -1 ? null : position + 1,
    error_type: feedback.completed ? null : (feedback.error ?? 'failed'),
  };
}

/**
 * The IDE protocol's feedback call, in process: validate the report (a `ValidationError` naming
 * the field otherwise, nothing written) and record it as one invocation. A report sent again with
 * the same `feedback_id` is recorded once.
 * @example await recordIdeFeedback(store, { feedback_id: 'f-1', session_id: 'ide-s1', recommended: ['pytest-run', 'mypy-check'], selected: 'pytest-run', completed: true, duration_seconds: 3.2 })
 */
export async function recordIdeFeedback(
  store: Store,
  report: IdeFeedbackInput,
  options: IdeFeedbackOptions = {},
): Promise<IdeFeedbackReport> {
  const feedback = parseOrThrow(ideFeedbackSchema, report, 'feedback');
  const invocation = feedbackInvocation(feedback, (options.now ?? Date.now)());
  // Without skipInvalid a storage rule broken by the report throws its ValidationError: nothing written.
  const result = await recordInvocations(store, [invocation]);
  forgetIdeHistory(store);
  return {
    invocation_id: invocation.id,
    skill_name: invocation.skill_name,
    selection_rank: invocation.selection_rank ?? null,
    alternatives_considered: invocation.alternatives_considered ?? [],
    recorded: result.inserted === 1,
  };
}
