import { createHash, timingSafeEqual } from 'node:crypto';
import type { CiJob, CiStatus } from '../ci/ci-job.js';
import { parseCiTime } from '../ci/ci-job.js';
import { isObject, rejected, textOf, type CiMapped } from '../ci/mapped.js';
import { inferStage } from '../ci/stages.js';

/**
 * Whether the `X-Gitlab-Token` header equals the configured secret token, in constant time (both
 * hashed first, so the comparison does not leak the length either).
 */
export function verifyGitlabToken(secret: string, token: string | undefined): boolean {
  if (typeof token !== 'string' || token === '') return false;
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(secret), digest(token));
}

const FINAL: Readonly<Record<string, CiStatus>> = { success: 'success', failed: 'failure', canceled: 'cancelled', cancelled: 'cancelled' };

/**
 * A GitLab webhook delivery (Pipeline Hook, Job Hook) as finished CI jobs. A pipeline event
 * carries its jobs (`builds`): each finished one is a job, and a finished pipeline its run's
 * outcome; a job event is one job. Jobs still running, created, manual or skipped are left for a
 * later event; the same job from a pipeline and a job event is one invocation (its build id).
 * @example mapGitlabEvent(payload) // { jobs: [{ name: 'build-image', stage: 'build', … }, …] }
 */
export function mapGitlabEvent(payload: unknown): CiMapped {
  if (!isObject(payload)) return rejected('', 'expected a JSON object (a GitLab webhook payload)');
  const kind = textOf(payload.object_kind);
  if (kind === 'pipeline') return mapPipeline(payload);
  if (kind === 'build') return mapJob(payload);
  return { ignored: `object_kind ${kind ?? '(none)'} is not mapped (only pipeline and build)` };
}

function mapPipeline(payload: Record<string, unknown>): CiMapped {
  const attributes = payload.object_attributes;
  if (!isObject(attributes)) return rejected('object_attributes', 'expected an object');
  const pipelineId = textOf(attributes.id);
  if (pipelineId === undefined) return rejected('object_attributes.id', 'expected the pipeline id');
  const project = projectPath(payload);
  const actor = isObject(payload.user) ? (textOf(payload.user.username) ?? null) : null;
  const commit = textOf(attributes.sha) ?? null;
  const branch = textOf(attributes.ref) ?? null;
  const base = { provider: 'gitlab', pipeline: project, repository: project, runId: pipelineId, commit, branch, actor } as const;
  const jobs: CiJob[] = [];
  const builds = Array.isArray(payload.builds) ? payload.builds : [];
  for (const [index, build] of builds.entries()) {
    if (!isObject(build)) return rejected(`builds.${index}`, 'expected an object');
    const status = FINAL[textOf(build.status) ?? ''];
    if (status === undefined) continue;
    const id = textOf(build.id);
    const name = textOf(build.name);
    if (id === undefined || name === undefined) return rejected(`builds.${index}.${id === undefined ? 'id' : 'name'}`, 'expected a value');
    const started = parseCiTime(build.started_at) ?? parseCiTime(build.created_at);
    if (started === undefined) return rejected(`builds.${index}.started_at`, 'expected a time');
    const finished = parseCiTime(build.finished_at);
    const stageName = textOf(build.stage) ?? null;
    const stage = inferStage(stageName, name);
    jobs.push({
      ...base,
      kind: 'job',
      jobId: id,
      attempt: 1,
      name,
      stage,
      stageName: stage === stageName ? null : stageName,
      status,
      error: status === 'success' ? null : (textOf(build.failure_reason) ?? textOf(build.status) ?? 'failed'),
      startedAt: started,
      durationSeconds: finished !== undefined && finished >= started ? (finished - started) / 1000 : null,
    });
  }
  const status = FINAL[textOf(attributes.status) ?? ''];
  const started = parseCiTime(attributes.created_at);
  if (status !== undefined && started !== undefined) {
    const duration = typeof attributes.duration === 'number' && attributes.duration >= 0 ? attributes.duration : null;
    jobs.push({
      ...base,
      kind: 'pipeline',
      jobId: pipelineId,
      attempt: 1,
      name: textOf(attributes.name) ?? project,
      stage: null,
      stageName: null,
      status,
      error: status === 'success' ? null : (textOf(attributes.status) ?? 'failed'),
      startedAt: started,
      durationSeconds: duration,
    });
  }
  if (jobs.length === 0) return { ignored: `pipeline ${pipelineId} ${textOf(attributes.status) ?? ''}: no finished jobs yet`.trim() };
  return { jobs };
}

function mapJob(payload: Record<string, unknown>): CiMapped {
  const id = textOf(payload.build_id);
  if (id === undefined) return rejected('build_id', 'expected the job id');
  const name = textOf(payload.build_name);
  if (name === undefined) return rejected('build_name', 'expected the job name');
  const statusText = textOf(payload.build_status);
  const status = FINAL[statusText ?? ''];
  if (status === undefined) return { ignored: `job ${id} ${statusText ?? '(no status)'}: only finished jobs are recorded` };
  const started = parseCiTime(payload.build_started_at) ?? parseCiTime(payload.build_created_at);
  if (started === undefined) return rejected('build_started_at', 'expected a time');
  const finished = parseCiTime(payload.build_finished_at);
  const duration =
    typeof payload.build_duration === 'number' && payload.build_duration >= 0
      ? payload.build_duration
      : finished !== undefined && finished >= started
        ? (finished - started) / 1000
        : null;
  const project = projectPath(payload);
  const stageName = textOf(payload.build_stage) ?? null;
  const stage = inferStage(stageName, name);
  const retries = typeof payload.retries_count === 'number' && payload.retries_count >= 0 ? payload.retries_count : 0;
  return {
    jobs: [
      {
        kind: 'job',
        provider: 'gitlab',
        jobId: id,
        pipeline: project,
        repository: project,
        runId: textOf(payload.pipeline_id) ?? textOf(isObject(payload.commit) ? payload.commit.id : undefined) ?? 'unknown-pipeline',
        attempt: retries + 1,
        name,
        stage,
        stageName: stage === stageName ? null : stageName,
        commit: textOf(payload.sha) ?? null,
        branch: textOf(payload.ref) ?? null,
        actor: isObject(payload.user) ? (textOf(payload.user.username) ?? null) : null,
        status,
        error: status === 'success' ? null : (textOf(payload.build_failure_reason) ?? statusText ?? 'failed'),
        startedAt: started,
        durationSeconds: duration,
      },
    ],
  };
}

/** `group/project`: from `project.path_with_namespace`, else the repository's homepage, else the project name. */
function projectPath(payload: Record<string, unknown>): string {
  if (isObject(payload.project)) {
    const path = textOf(payload.project.path_with_namespace);
    if (path) return path;
  }
  if (isObject(payload.repository)) {
    const homepage = textOf(payload.repository.homepage);
    if (homepage) {
      try {
        const path = new URL(homepage).pathname.replace(/^\/+|\/+$/g, '');
        if (path) return path;
      } catch {
        // not a URL: fall through
      }
    }
  }
  return textOf(payload.project_name) ?? 'gitlab-project';
}
