import type { Store } from '@skills/storage';
import { isCiStage, STAGE_PHASES, STAGE_SKILLS } from './stages.js';
import { ciDb, type CiJobsTable } from './tables.js';

export interface StageAnalytics {
  stage: string;
  /** From the stage (null for a stage that is none of build, test, lint, security, deploy, publish). */
  workflow_phase: string | null;
  total_runs: number;
  successful_runs: number;
  /** 0–1 */
  success_rate: number;
  /** Mean duration of the successful runs whose duration is known (seconds); null if none. */
  avg_duration_seconds: number | null;
  /** The jobs (skills) of the stage, sorted. */
  skills_used: string[];
  /** Why runs failed → how often. */
  common_failures: Record<string, number>;
}

export interface Bottleneck {
  stage: string;
  success_rate: number;
  avg_duration_seconds: number | null;
  /** `high` under 50 % success, else `medium` (every stage under 80 %). */
  severity: 'high' | 'medium';
}

export interface FlakyStep {
  /** The job's name. */
  name: string;
  stage: string | null;
  /** Commits on which it failed and then passed on a retry. */
  commits: number;
  /** The latest such commit, with its failed attempts before the pass. */
  latest: { commit: string; failures: number; failed_at: number; passed_at: number };
}

export interface Recommendation {
  priority: 'high' | 'medium' | 'low';
  stage: string;
  message: string;
}

export interface PipelineReport {
  pipeline: string;
  provider: string | null;
  repository: string | null;
  /** The window read (epoch ms; `until` exclusive). */
  since: number;
  until: number;
  /** Runs of the pipeline in the window (distinct run ids). */
  runs: number;
  /** Finished jobs in the window. */
  jobs: number;
  /** Successful jobs / jobs (0–1); null with no jobs. */
  overall_success_rate: number | null;
  /** From the providers' pipeline-run outcomes (GitHub workflow_run, GitLab pipeline events), when they were sent. */
  pipeline_runs: { total: number; successful: number; success_rate: number } | null;
  stages: StageAnalytics[];
  bottlenecks: Bottleneck[];
  flaky_steps: FlakyStep[];
  recommendations: Recommendation[];
}

export interface PipelineSummary {
  pipeline: string;
  provider: string;
  repository: string | null;
  runs: number;
  jobs: number;
  success_rate: number | null;
  last_run_at: number;
}

export interface PipelineWindow {
  since?: number | undefined;
  until?: number | undefined;
}

export type CiJobRow = Pick<
  CiJobsTable,
  | 'kind'
  | 'provider'
  | 'repository'
  | 'run_id'
  | 'attempt'
  | 'name'
  | 'stage'
  | 'commit_sha'
  | 'status'
  | 'error'
  | 'started_at'
  | 'duration_seconds'
>;

const COLUMNS = [
  'kind',
  'provider',
  'repository',
  'run_id',
  'attempt',
  'name',
  'stage',
  'commit_sha',
  'status',
  'error',
  'started_at',
  'duration_seconds',
] as const;

/**
 * The report of one pipeline over a time window (default: the last 7 days): only that pipeline's
 * jobs, only inside the window (the original read every pipeline and ignored the window).
 * @example await pipelineReport(store, 'octo-org/octo-repo/CI', { since: Date.now() - 7 * 86_400_000 })
 */
export async function pipelineReport(
  store: Store,
  pipeline: string,
  window: PipelineWindow = {},
  now = Date.now(),
): Promise<PipelineReport> {
  const until = window.until ?? now + 1;
  const since = window.since ?? until - 7 * 86_400_000;
  const rows = await ciDb(store)
    .selectFrom('ci_jobs')
    .select(COLUMNS)
    .where('pipeline', '=', pipeline)
    .where('started_at', '>=', since)
    .where('started_at', '<', until)
    .orderBy('started_at')
    .execute();
  return analyzePipeline(
    pipeline,
    rows.map((r) => ({ ...r, started_at: Number(r.started_at), attempt: Number(r.attempt) })),
    { since, until },
  );
}

/** Every pipeline with runs in the window, most recent first. */
export async function listPipelines(store: Store, window: PipelineWindow = {}, now = Date.now()): Promise<PipelineSummary[]> {
  const until = window.until ?? now + 1;
  const since = window.since ?? until - 7 * 86_400_000;
  const rows = await ciDb(store)
    .selectFrom('ci_jobs')
    .select((eb) => [
      'pipeline',
      eb.fn.max('provider').as('provider'),
      eb.fn.max('repository').as('repository'),
      eb.fn.count<number>('run_id').distinct().as('runs'),
      eb.fn.sum<number>(eb.case().when('kind', '=', 'job').then(1).else(0).end()).as('jobs'),
      eb.fn
        .sum<number>(
          eb
            .case()
            .when(eb.and([eb('kind', '=', 'job'), eb('status', '=', 'success')]))
            .then(1)
            .else(0)
            .end(),
        )
        .as('successes'),
      eb.fn.max('started_at').as('last_run_at'),
    ])
    .where('started_at', '>=', since)
    .where('started_at', '<', until)
    .groupBy('pipeline')
    .execute();
  return rows
    .map((r) => {
      const jobs = Number(r.jobs);
      return {
        pipeline: r.pipeline,
        provider: r.provider as string,
        repository: (r.repository as string | null) ?? null,
        runs: Number(r.runs),
        jobs,
        success_rate: jobs > 0 ? Number(r.successes) / jobs : null,
        last_run_at: Number(r.last_run_at),
      };
    })
    .sort((a, b) => b.last_run_at - a.last_run_at || a.pipeline.localeCompare(b.pipeline));
}

/**
 * The pure part of `pipelineReport`: stage success rates and durations, bottlenecks (success under
 * 80 %), flaky steps (a job that failed and then passed on a retry of the same commit) and
 * recommendations (success under 70 %: high; slower than 300 s on average: medium; a flaky job:
 * medium; the usual skills of a stage it never used: low).
 */
export function analyzePipeline(pipeline: string, rows: readonly CiJobRow[], window: { since: number; until: number }): PipelineReport {
  const jobs = rows.filter((r) => r.kind === 'job');
  const runs = rows.filter((r) => r.kind === 'pipeline');
  const byStage = new Map<string, CiJobRow[]>();
  for (const job of jobs) {
    const stage = job.stage ?? 'other';
    byStage.set(stage, [...(byStage.get(stage) ?? []), job]);
  }
  const stages: StageAnalytics[] = [...byStage]
    .map(([stage, list]) => {
      const ok = list.filter((j) => j.status === 'success');
      const timed = ok.filter((j) => j.duration_seconds !== null);
      const failures: Record<string, number> = {};
      for (const j of list) if (j.status !== 'success') failures[j.error ?? j.status] = (failures[j.error ?? j.status] ?? 0) + 1;
      return {
        stage,
        workflow_phase: isCiStage(stage) ? STAGE_PHASES[stage] : null,
        total_runs: list.length,
        successful_runs: ok.length,
        success_rate: ok.length / list.length,
        avg_duration_seconds: timed.length > 0 ? round(timed.reduce((s, j) => s + j.duration_seconds!, 0) / timed.length) : null,
        skills_used: [...new Set(list.map((j) => j.name))].sort(),
        common_failures: failures,
      };
    })
    .sort((a, b) => stageOrder(a.stage) - stageOrder(b.stage) || a.stage.localeCompare(b.stage));

  const bottlenecks: Bottleneck[] = stages
    .filter((s) => s.success_rate < 0.8)
    .map(
      (s): Bottleneck => ({
        stage: s.stage,
        success_rate: s.success_rate,
        avg_duration_seconds: s.avg_duration_seconds,
        severity: s.success_rate < 0.5 ? 'high' : 'medium',
      }),
    )
    .sort((a, b) => a.success_rate - b.success_rate || a.stage.localeCompare(b.stage));

  const flaky = flakySteps(jobs);
  const recommendations: Recommendation[] = [];
  for (const s of stages) {
    if (s.success_rate < 0.7) {
      const top = Object.entries(s.common_failures).sort((a, b) => b[1] - a[1])[0];
      recommendations.push({
        priority: 'high',
        stage: s.stage,
        message: `Stage '${s.stage}' has low success rate (${percent(s.success_rate)}). Investigate common failures${top ? ` (most often: ${top[0]}, ${top[1]}x)` : ''}.`,
      });
    }
    // Independent of the success rate (as in the original): a failing stage can be slow too.
    if (s.avg_duration_seconds !== null && s.avg_duration_seconds > 300) {
      recommendations.push({
        priority: 'medium',
        stage: s.stage,
        message: `Stage '${s.stage}' is slow (${Math.round(s.avg_duration_seconds)}s avg). Consider optimization or parallelization.`,
      });
    }
  }
  for (const f of flaky) {
    recommendations.push({
      priority: 'medium',
      stage: f.stage ?? 'other',
      message: `Job '${f.name}' is flaky: it failed and then passed on a retry of the same commit (${f.commits} commit${f.commits === 1 ? '' : 's'}). Fix or quarantine it.`,
    });
  }
  for (const s of stages) {
    if (!isCiStage(s.stage)) continue;
    const missing = STAGE_SKILLS[s.stage].filter((skill) => !s.skills_used.includes(skill));
    if (missing.length > 0)
      recommendations.push({ priority: 'low', stage: s.stage, message: `Consider adding skills to '${s.stage}': ${missing.join(', ')}` });
  }
  const order = { high: 0, medium: 1, low: 2 } as const;
  recommendations.sort((a, b) => order[a.priority] - order[b.priority]);

  const successes = jobs.filter((j) => j.status === 'success').length;
  const runsOk = runs.filter((r) => r.status === 'success').length;
  return {
    pipeline,
    provider: rows[0]?.provider ?? null,
    repository: rows.find((r) => r.repository !== null)?.repository ?? null,
    since: window.since,
    until: window.until,
    runs: new Set(rows.map((r) => r.run_id)).size,
    jobs: jobs.length,
    overall_success_rate: jobs.length > 0 ? successes / jobs.length : null,
    pipeline_runs: runs.length > 0 ? { total: runs.length, successful: runsOk, success_rate: runsOk / runs.length } : null,
    stages,
    bottlenecks,
    flaky_steps: flaky,
    recommendations,
  };
}

/** Jobs that failed and then passed again on the same commit (a retry), by name. */
export function flakySteps(jobs: readonly CiJobRow[]): FlakyStep[] {
  const byKey = new Map<string, CiJobRow[]>();
  for (const j of jobs) {
    if (j.commit_sha === null || j.status === 'cancelled') continue;
    const key = `${j.name}\u0000${j.commit_sha}`;
    byKey.set(key, [...(byKey.get(key) ?? []), j]);
  }
  const found = new Map<string, FlakyStep>();
  for (const list of byKey.values()) {
    const ordered = [...list].sort((a, b) => a.started_at - b.started_at || a.attempt - b.attempt);
    let failures = 0;
    let firstFailedAt = 0;
    for (const j of ordered) {
      if (j.status !== 'success') {
        if (failures === 0) firstFailedAt = j.started_at;
        failures++;
        continue;
      }
      if (failures === 0) continue;
      const existing = found.get(j.name);
      const latest = { commit: j.commit_sha!, failures, failed_at: firstFailedAt, passed_at: j.started_at };
      if (!existing) found.set(j.name, { name: j.name, stage: j.stage, commits: 1, latest });
      else {
        existing.commits++;
        if (latest.passed_at > existing.latest.passed_at) existing.latest = latest;
      }
      break;
    }
  }
  return [...found.values()].sort(
    (a, b) => b.commits - a.commits || b.latest.passed_at - a.latest.passed_at || a.name.localeCompare(b.name),
  );
}

/**
 * The report as text, in the original's sections (stage metrics, bottlenecks, recommendations)
 * plus flaky steps.
 */
export function formatPipelineReport(report: PipelineReport): string {
  const lines: string[] = [];
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
  lines.push(`CI/CD Pipeline Report: ${report.pipeline}`, `Window: ${day(report.since)} to ${day(report.until)} UTC`);
  lines.push(
    `Runs: ${report.runs}, jobs: ${report.jobs}, job success rate: ${report.overall_success_rate === null ? '-' : percent(report.overall_success_rate)}${report.pipeline_runs ? `, pipeline runs succeeded: ${report.pipeline_runs.successful}/${report.pipeline_runs.total}` : ''}`,
    '',
  );
  lines.push('1. Stage Metrics');
  if (report.stages.length === 0) lines.push('  No jobs in this window.');
  for (const s of report.stages) {
    lines.push(
      `  ${s.stage}${s.workflow_phase ? ` (${s.workflow_phase})` : ''}: ${s.successful_runs}/${s.total_runs} succeeded (${percent(s.success_rate)}), avg ${s.avg_duration_seconds === null ? '-' : `${s.avg_duration_seconds}s`}; jobs: ${s.skills_used.join(', ')}`,
    );
  }
  lines.push('', '2. Pipeline Bottlenecks');
  if (report.bottlenecks.length === 0) lines.push('  No significant bottlenecks detected!');
  for (const b of report.bottlenecks)
    lines.push(
      `  [${b.severity.toUpperCase()}] ${b.stage}: ${percent(b.success_rate)} success${b.avg_duration_seconds === null ? '' : `, ${b.avg_duration_seconds}s avg`}`,
    );
  lines.push('', '3. Flaky Steps');
  if (report.flaky_steps.length === 0) lines.push('  No flaky steps detected.');
  for (const f of report.flaky_steps)
    lines.push(
      `  ${f.name}: failed then passed on retry on ${f.commits} commit${f.commits === 1 ? '' : 's'} (latest ${f.latest.commit.slice(0, 7)}, ${f.latest.failures} failed attempt${f.latest.failures === 1 ? '' : 's'})`,
    );
  lines.push('', '4. Recommendations');
  if (report.recommendations.length === 0) lines.push('  No recommendations at this time.');
  for (const r of report.recommendations) lines.push(`  [${r.priority.toUpperCase()}] ${r.message}`);
  return `${lines.join('\n')}\n`;
}

function stageOrder(stage: string): number {
  const i = ['build', 'test', 'lint', 'security', 'deploy', 'publish'].indexOf(stage);
  return i === -1 ? 99 : i;
}

function percent(rate: number): string {
  return `${(rate * 100).toFixed(1)}%`;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
