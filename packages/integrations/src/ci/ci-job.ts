import { createHash } from 'node:crypto';
import type { InvocationInput } from '@skills/storage';
import { STAGE_PHASES, type CiStage } from './stages.js';

/** Where a CI job came from. */
export type CiProvider = 'github' | 'gitlab' | string;

/** How a job or pipeline run ended. `success` completes its invocation; everything else does not. */
export type CiStatus = 'success' | 'failure' | 'cancelled' | 'timed_out' | 'skipped';

/**
 * One finished CI job (or pipeline run, `kind: 'pipeline'`), whatever the provider: what every
 * CI mapper (GitHub Actions, GitLab, the generic form) reduces a delivery to.
 */
export interface CiJob {
  kind: 'job' | 'pipeline';
  provider: CiProvider;
  /** The provider's id of this job (GitHub job id, GitLab build id), unique per attempt. */
  jobId: string;
  /** The pipeline: `<repository>/<workflow>` on GitHub, the project path on GitLab. */
  pipeline: string;
  repository: string | null;
  /** The run (GitHub run id, GitLab pipeline id): the invocation's session. */
  runId: string;
  /** 1 for the first run of a job, 2 for its first retry… */
  attempt: number;
  /** The job's name: the skill's name. */
  name: string;
  stage: CiStage | null;
  /** The stage's name as the provider gave it, when it is not one of ours (GitLab's `coordinated:tag`). */
  stageName: string | null;
  /** The workflow phase, when the stage is none of ours and the sender named one (generic form). */
  phase?: string | undefined;
  commit: string | null;
  branch: string | null;
  /** Who ran it (GitHub actor, GitLab user name). */
  actor: string | null;
  status: CiStatus;
  /** Why it failed (the failing step, the failure reason), when it did. */
  error: string | null;
  startedAt: number;
  durationSeconds: number | null;
}

/** The invocation id of a job: `<provider>:job:<jobId>` (hashed when not id-safe), so a redelivery lands on the same id. */
export function ciInvocationId(job: Pick<CiJob, 'provider' | 'kind' | 'jobId'>): string {
  const raw = `${job.provider}:${job.kind}:${job.jobId}`;
  return /^[\w.:-]{1,120}$/.test(raw)
    ? raw
    : `${job.provider.replace(/[^\w.-]/g, '_').slice(0, 40)}:${job.kind}:h${createHash('sha256').update(raw).digest('hex').slice(0, 40)}`;
}

/** The session of a job's invocation: its run. */
export function ciSessionId(job: Pick<CiJob, 'provider' | 'pipeline' | 'runId'>): string {
  const session = `${job.provider}:${job.pipeline}:${job.runId}`;
  return session.length <= 200 ? session : `${job.provider}:h${createHash('sha256').update(session).digest('hex').slice(0, 40)}`;
}

/**
 * A job as an invocation: skill = the job's name, session = the run, user = the actor, phase from
 * the stage, `workflow_path` = the pipeline, `workflow_step_id` = the stage, outcome and real
 * duration from the provider, error type = why it failed.
 */
export function ciInvocation(job: CiJob): InvocationInput {
  return {
    id: ciInvocationId(job),
    skill_name: job.name.slice(0, 200),
    session_id: ciSessionId(job),
    user_id: job.actor,
    invoked_at: job.startedAt,
    completed: job.status === 'success',
    duration_seconds: job.durationSeconds,
    workflow_phase: job.stage ? STAGE_PHASES[job.stage] : (job.phase ?? null),
    workflow_path: job.pipeline.slice(0, 200),
    workflow_step_id: job.stage ?? job.stageName?.slice(0, 200) ?? null,
    error_type: job.status === 'success' ? null : (job.error ?? job.status).slice(0, 1000),
    user_query: job.stage ? `CI/CD stage: ${job.stage}` : null,
  };
}

/** Epoch ms of an ISO-8601 text (or GitLab's `2016-08-12 15:23:28 UTC`), or undefined. */
export function parseCiTime(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return Math.round(value);
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const text = value
    .trim()
    .replace(/ UTC$/, 'Z')
    .replace(/^(\d{4}-\d\d-\d\d) /, '$1T');
  const ms = Date.parse(text);
  return Number.isNaN(ms) || ms < 0 ? undefined : ms;
}
