import type { CiStatus } from '../ci/ci-job.js';
import { parseCiTime } from '../ci/ci-job.js';
import { isObject, rejected, textOf, type CiMapped } from '../ci/mapped.js';
import { inferStage } from '../ci/stages.js';

/** The GitHub webhook events that carry skill runs (`X-GitHub-Event`). */
export const GITHUB_EVENTS = ['workflow_job', 'workflow_run'] as const;

/**
 * A GitHub Actions webhook delivery as finished CI jobs: a completed `workflow_job` is one job
 * (skill = the job's name, session = the run, user = the sender), a completed `workflow_run` is the
 * pipeline run's outcome (kept for the reports, not an invocation). Other actions (`queued`,
 * `in_progress`, `requested`) and other events are ignored with the reason.
 * @example mapGithubEvent('workflow_job', payload) // { jobs: [{ name: 'linters', status: 'failure', … }] }
 */
export function mapGithubEvent(event: string | undefined, payload: unknown): CiMapped {
  if (!event) return rejected('X-GitHub-Event', 'missing header: expected the event name (workflow_job, workflow_run)');
  if (!isObject(payload)) return rejected('', 'expected a JSON object (a GitHub webhook payload)');
  if (event === 'workflow_job') return mapWorkflowJob(payload);
  if (event === 'workflow_run') return mapWorkflowRun(payload);
  return { ignored: `event ${event} is not mapped (only ${GITHUB_EVENTS.join(', ')})` };
}

function mapWorkflowJob(payload: Record<string, unknown>): CiMapped {
  const job = payload.workflow_job;
  if (!isObject(job)) return rejected('workflow_job', 'expected an object');
  const action = textOf(payload.action);
  if (action !== 'completed') return { ignored: `workflow_job action ${action ?? '(none)'}: only completed jobs are recorded` };
  const id = textOf(job.id);
  if (id === undefined) return rejected('workflow_job.id', 'expected the job id');
  const runId = textOf(job.run_id);
  if (runId === undefined) return rejected('workflow_job.run_id', 'expected the run id');
  const name = textOf(job.name);
  if (name === undefined) return rejected('workflow_job.name', 'expected the job name');
  const conclusion = textOf(job.conclusion);
  const status = statusOf(conclusion);
  if (status === 'skipped') return { ignored: 'workflow_job skipped: nothing ran' };
  const started = parseCiTime(job.started_at) ?? parseCiTime(job.created_at);
  if (started === undefined) return rejected('workflow_job.started_at', 'expected an ISO-8601 time');
  const completed = parseCiTime(job.completed_at);
  const repository = repositoryOf(payload);
  const workflow = textOf(job.workflow_name) ?? 'workflow';
  const failedStep = Array.isArray(job.steps) ? job.steps.find((s) => isObject(s) && s.conclusion === 'failure') : undefined;
  return {
    jobs: [
      {
        kind: 'job',
        provider: 'github',
        jobId: id,
        pipeline: repository ? `${repository}/${workflow}` : workflow,
        repository,
        runId,
        attempt: positive(job.run_attempt),
        name,
        stage: inferStage(name, workflow),
        stageName: null,
        commit: textOf(job.head_sha) ?? null,
        branch: textOf(job.head_branch) ?? null,
        actor: loginOf(payload.sender),
        status,
        error:
          status === 'success'
            ? null
            : isObject(failedStep) && textOf(failedStep.name)
              ? `step failed: ${textOf(failedStep.name)}`
              : (conclusion ?? 'failure'),
        startedAt: started,
        durationSeconds: completed !== undefined && completed >= started ? (completed - started) / 1000 : null,
      },
    ],
  };
}

function mapWorkflowRun(payload: Record<string, unknown>): CiMapped {
  const run = payload.workflow_run;
  if (!isObject(run)) return rejected('workflow_run', 'expected an object');
  const action = textOf(payload.action);
  if (action !== 'completed') return { ignored: `workflow_run action ${action ?? '(none)'}: only completed runs are recorded` };
  const id = textOf(run.id);
  if (id === undefined) return rejected('workflow_run.id', 'expected the run id');
  const workflow =
    textOf(run.name) ?? (isObject(payload.workflow) ? textOf(payload.workflow.name) : undefined) ?? textOf(run.path) ?? 'workflow';
  const started = parseCiTime(run.run_started_at) ?? parseCiTime(run.created_at);
  if (started === undefined) return rejected('workflow_run.run_started_at', 'expected an ISO-8601 time');
  const ended = parseCiTime(run.updated_at);
  const attempt = positive(run.run_attempt);
  const repository = repositoryOf(payload);
  const conclusion = textOf(run.conclusion);
  const status = statusOf(conclusion);
  return {
    jobs: [
      {
        kind: 'pipeline',
        provider: 'github',
        jobId: `${id}.${attempt}`,
        pipeline: repository ? `${repository}/${workflow}` : workflow,
        repository,
        runId: id,
        attempt,
        name: workflow,
        stage: null,
        stageName: null,
        commit: textOf(run.head_sha) ?? null,
        branch: textOf(run.head_branch) ?? null,
        actor: loginOf(run.triggering_actor) ?? loginOf(run.actor) ?? loginOf(payload.sender),
        status,
        error: status === 'success' ? null : (conclusion ?? 'failure'),
        startedAt: started,
        durationSeconds: ended !== undefined && ended >= started ? (ended - started) / 1000 : null,
      },
    ],
  };
}

function statusOf(conclusion: string | undefined): CiStatus {
  switch (conclusion) {
    case 'success':
    case 'neutral':
      return 'success';
    case 'cancelled':
      return 'cancelled';
    case 'timed_out':
      return 'timed_out';
    case 'skipped':
      return 'skipped';
    default:
      return 'failure';
  }
}

function repositoryOf(payload: Record<string, unknown>): string | null {
  return isObject(payload.repository) ? (textOf(payload.repository.full_name) ?? null) : null;
}

function loginOf(user: unknown): string | null {
  return isObject(user) ? (textOf(user.login) ?? null) : null;
}

function positive(value: unknown): number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1 ? value : 1;
}
