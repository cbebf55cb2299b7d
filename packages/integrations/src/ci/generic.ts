import { WORKFLOW_PHASES } from '@skills/storage';
import { z } from 'zod';
import { parseCiTime, type CiJob, type CiStatus } from './ci-job.js';
import type { CiMapped } from './mapped.js';
import { CI_STAGES, inferStage } from './stages.js';

const name = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);
const id = z
  .union([z.string().trim().min(1).max(120), z.number().int().nonnegative()], { error: 'expected an id (text or a non-negative integer)' })
  .transform(String);
const time = z.union([z.number(), z.string()], { error: 'expected epoch milliseconds or ISO-8601 text' }).transform((value, ctx) => {
  const ms = parseCiTime(value);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: 'expected epoch milliseconds or ISO-8601 text' });
    return z.NEVER;
  }
  return ms;
});

const STATUS: Readonly<Record<string, CiStatus>> = {
  success: 'success',
  passed: 'success',
  failure: 'failure',
  failed: 'failure',
  cancelled: 'cancelled',
  canceled: 'cancelled',
  timed_out: 'timed_out',
  skipped: 'skipped',
};

/** One job of a generic CI run. */
export const ciJobInputSchema = z.strictObject({
  /** Unique per attempt; default `<run_id>.<attempt>.<name>`. */
  id: id.optional(),
  name: name(200),
  /** build, test, lint, security, deploy, publish — or a name containing one (`unit-tests`); else give `phase`. */
  stage: name(100),
  /** The workflow phase, when the stage is none of ours. */
  phase: z.enum(WORKFLOW_PHASES).optional(),
  status: z.enum(Object.keys(STATUS) as [string, ...string[]], { error: `expected one of ${Object.keys(STATUS).join(', ')}` }),
  started_at: time,
  finished_at: time.optional(),
  duration_seconds: z.number().finite().nonnegative().max(1e9).optional(),
  error: z.string().max(1000).optional(),
});

/**
 * The generic CI form: one run of a pipeline with its finished jobs, for CI systems without a
 * mapper of their own (Jenkins, CircleCI, Buildkite, a script). POST it to `/v1/integrations/ci`.
 */
export const ciRunInputSchema = z.strictObject({
  /** Names the system (`jenkins`); default `ci`. */
  provider: z
    .string()
    .regex(/^[a-z][a-z0-9_-]{0,39}$/, 'expected a lower-case name such as jenkins')
    .default('ci'),
  pipeline: name(200),
  run_id: id,
  attempt: z.number().int().min(1).max(1000).default(1),
  repository: name(200).optional(),
  commit: name(100).optional(),
  branch: name(200).optional(),
  /** Who ran it: the invocations' user. */
  actor: name(200).optional(),
  jobs: z.array(ciJobInputSchema).min(1, 'expected at least one job').max(1000),
});

export type CiRunInput = z.input<typeof ciRunInputSchema>;

/**
 * A generic CI run as jobs, validated: every problem named by its field
 * (`jobs.2.stage: unknown CI stage "package": …`), nothing mapped when any is wrong.
 * @example mapCiRun({ pipeline: 'api', run_id: 7, jobs: [{ name: 'pytest', stage: 'test', status: 'success', started_at: '2026-12-02T10:00:00Z', duration_seconds: 42 }] })
 */
export function mapCiRun(input: unknown): CiMapped | { issues: { field: string; message: string }[] } {
  const parsed = ciRunInputSchema.safeParse(input);
  const issues = parsed.success ? [] : parsed.error.issues.map((issue) => ({ field: issue.path.join('.'), message: issue.message }));
  if (!parsed.success) return { issues };
  const run = parsed.data;
  const jobs: CiJob[] = [];
  for (const [index, job] of run.jobs.entries()) {
    const stage = inferStage(job.stage);
    if (stage === null && job.phase === undefined) {
      issues.push({
        field: `jobs.${index}.stage`,
        message: `unknown CI stage "${job.stage}": expected ${CI_STAGES.join(', ')} (or a name containing one, such as unit-tests), or give phase`,
      });
      continue;
    }
    const status = STATUS[job.status]!;
    if (status === 'skipped') continue;
    const duration =
      job.duration_seconds ??
      (job.finished_at !== undefined && job.finished_at >= job.started_at ? (job.finished_at - job.started_at) / 1000 : null);
    jobs.push({
      kind: 'job',
      provider: run.provider,
      jobId: job.id ?? `${run.run_id}.${run.attempt}.${job.name}`,
      pipeline: run.pipeline,
      repository: run.repository ?? null,
      runId: run.run_id,
      attempt: run.attempt,
      name: job.name,
      stage,
      stageName: stage === null || stage !== job.stage ? job.stage : null,
      commit: run.commit ?? null,
      branch: run.branch ?? null,
      actor: run.actor ?? null,
      status,
      error: status === 'success' ? null : (job.error ?? status),
      startedAt: job.started_at,
      durationSeconds: duration,
      phase: stage === null ? job.phase : undefined,
    });
  }
  if (issues.length > 0) return { issues };
  return { jobs };
}
