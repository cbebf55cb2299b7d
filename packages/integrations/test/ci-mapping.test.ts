import { readFileSync } from 'node:fs';
import type { Store } from '@skills/storage';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  analyzePipeline,
  ciInvocation,
  createCiIngest,
  flakySteps,
  formatPipelineReport,
  listPipelines,
  mapCiRun,
  mapGithubEvent,
  mapGitlabEvent,
  pipelineReport,
  type CiMapped,
} from '../src/index.js';
import { storeFactories } from './helpers.js';

// The webhook payloads from GitHub's and GitLab's documentation, as the server's tests keep them
// (their sources are noted in apps/server/test/fixtures/README.md).
const fixture = (name: string): Record<string, any> =>
  JSON.parse(readFileSync(new URL(`../../../apps/server/test/fixtures/${name}`, import.meta.url), 'utf8'));
const jobsOf = (mapped: CiMapped | { issues: unknown }) => {
  if (!('jobs' in mapped)) throw new Error(`expected jobs, got ${JSON.stringify(mapped)}`);
  return mapped.jobs;
};

describe('mapGithubEvent (GitHub documentation payloads)', () => {
  const failed = fixture('github-workflow_job-completed.failure.with-organization.json');

  it('maps a failed workflow_job to an invocation of the job: session = the run, user = the sender, phase from the stage, the real duration', () => {
    expect(jobsOf(mapGithubEvent('workflow_job', failed)).map(ciInvocation)).toEqual([
      {
        id: 'github:job:289782451',
        skill_name: 'linters',
        session_id: 'github:Codertocat/Hello-World/CodeQL:2202229078',
        user_id: 'Codertocat',
        invoked_at: Date.UTC(2021, 7, 5, 10, 34, 58),
        completed: false,
        duration_seconds: 198, // 10:34:58 → 10:38:16
        workflow_phase: 'verification', // linters → lint
        workflow_path: 'Codertocat/Hello-World/CodeQL',
        workflow_step_id: 'lint',
        error_type: 'step failed: Run yarn run format-check',
        user_query: 'CI/CD stage: lint',
      },
    ]);
    expect(jobsOf(mapGithubEvent('workflow_job', failed))[0]).toMatchObject({
      attempt: 1,
      commit: '3484a3fb816e0859fd6e1cea078d76385ff50625',
      branch: 'main',
      repository: 'Codertocat/Hello-World',
    });
  });

  it('maps the successful run of the same job to the same invocation id, completed, without an error', () => {
    const [invocation] = jobsOf(
      mapGithubEvent('workflow_job', fixture('github-workflow_job-completed.success.with-organization.json')),
    ).map(ciInvocation);
    expect(invocation).toMatchObject({
      id: 'github:job:289782451',
      skill_name: 'linters',
      completed: true,
      error_type: null,
      duration_seconds: 198,
      workflow_phase: 'verification',
    });
  });

  it('maps cancelled and timed-out jobs as not completed with the conclusion as the error; a skipped job and an unfinished one are ignored', () => {
    const success = fixture('github-workflow_job-completed.success.with-organization.json');
    const withConclusion = (conclusion: string) => ({ ...success, workflow_job: { ...success.workflow_job, conclusion } });
    expect(ciInvocation(jobsOf(mapGithubEvent('workflow_job', withConclusion('cancelled')))[0]!)).toMatchObject({
      completed: false,
      error_type: 'cancelled',
    });
    expect(jobsOf(mapGithubEvent('workflow_job', withConclusion('cancelled')))[0]!.status).toBe('cancelled');
    expect(ciInvocation(jobsOf(mapGithubEvent('workflow_job', withConclusion('timed_out')))[0]!)).toMatchObject({
      completed: false,
      error_type: 'timed_out',
    });
    expect(ciInvocation(jobsOf(mapGithubEvent('workflow_job', withConclusion('neutral')))[0]!)).toMatchObject({
      completed: true,
      error_type: null,
    });
    expect(mapGithubEvent('workflow_job', withConclusion('skipped'))).toEqual({ ignored: 'workflow_job skipped: nothing ran' });
    expect(mapGithubEvent('workflow_job', fixture('github-workflow_job-in_progress.json'))).toEqual({
      ignored: 'workflow_job action in_progress: only completed jobs are recorded',
    });
  });

  it('maps a completed workflow_run to the pipeline run (not an invocation), named after the workflow', () => {
    expect(jobsOf(mapGithubEvent('workflow_run', fixture('github-workflow_run-completed.json')))).toEqual([
      {
        kind: 'pipeline',
        provider: 'github',
        jobId: '289782451.1',
        pipeline: 'octo-org/octo-repo/test',
        repository: 'octo-org/octo-repo',
        runId: '289782451',
        attempt: 1,
        name: 'test',
        stage: null,
        stageName: null,
        commit: '3484a3fb816e0859fd6e1cea078d76385ff50625',
        branch: 'master',
        actor: 'Codertocat',
        status: 'success',
        error: null,
        startedAt: Date.UTC(2020, 9, 5, 16, 33, 49),
        durationSeconds: 0,
      },
    ]);
  });

  it('ignores other events and rejects a missing event name or a non-object payload, naming the field', () => {
    expect(mapGithubEvent('push', failed)).toEqual({ ignored: 'event push is not mapped (only workflow_job, workflow_run)' });
    expect(mapGithubEvent(undefined, failed)).toEqual({
      rejected: { field: 'X-GitHub-Event', message: 'missing header: expected the event name (workflow_job, workflow_run)' },
    });
    expect(mapGithubEvent('workflow_job', [])).toEqual({
      rejected: { field: '', message: 'expected a JSON object (a GitHub webhook payload)' },
    });
    expect(mapGithubEvent('workflow_job', { ...failed, workflow_job: { ...failed.workflow_job, run_id: null } })).toEqual({
      rejected: { field: 'workflow_job.run_id', message: 'expected the run id' },
    });
  });
});

describe('mapGitlabEvent (GitLab documentation payloads)', () => {
  it('maps a pipeline event: each finished build an invocation (skipped and created ones left out), the pipeline its run', () => {
    const jobs = jobsOf(mapGitlabEvent(fixture('gitlab-pipeline.json')));
    const session = 'gitlab:gitlab-org/gitlab-test:31';
    const base = { session_id: session, user_id: 'user1', completed: true, workflow_path: 'gitlab-org/gitlab-test', error_type: null };
    expect(jobs.filter((j) => j.kind === 'job').map(ciInvocation)).toEqual([
      // test-image has no finished_at in the example: its duration is unknown, not 0.
      {
        ...base,
        id: 'gitlab:job:377',
        skill_name: 'test-image',
        invoked_at: Date.UTC(2016, 7, 12, 15, 26, 12),
        duration_seconds: null,
        workflow_phase: 'execution',
        workflow_step_id: 'test',
        user_query: 'CI/CD stage: test',
      },
      {
        ...base,
        id: 'gitlab:job:378',
        skill_name: 'test-build',
        invoked_at: Date.UTC(2016, 7, 12, 15, 26, 12),
        duration_seconds: 17,
        workflow_phase: 'execution',
        workflow_step_id: 'test',
        user_query: 'CI/CD stage: test',
      },
      {
        ...base,
        id: 'gitlab:job:376',
        skill_name: 'build-image',
        invoked_at: Date.UTC(2016, 7, 12, 15, 24, 56),
        duration_seconds: 30,
        workflow_phase: 'setup',
        workflow_step_id: 'build',
        user_query: 'CI/CD stage: build',
      },
    ]);
    expect(jobs.filter((j) => j.kind === 'pipeline')).toEqual([
      {
        kind: 'pipeline',
        provider: 'gitlab',
        jobId: '31',
        pipeline: 'gitlab-org/gitlab-test',
        repository: 'gitlab-org/gitlab-test',
        runId: '31',
        attempt: 1,
        name: 'gitlab-org/gitlab-test',
        stage: null,
        stageName: null,
        commit: 'bcbb5ec396a2c0f828686f14fac9b80b780504f2',
        branch: 'master',
        actor: 'user1',
        status: 'success',
        error: null,
        startedAt: Date.UTC(2016, 7, 12, 15, 23, 28),
        durationSeconds: 63,
      },
    ]);
  });

  it('maps a job event: the retry count gives the attempt, the sent duration is kept, an unknown stage is read from the job name', () => {
    const [job] = jobsOf(mapGitlabEvent(fixture('gitlab-job.json')));
    expect(job).toMatchObject({
      attempt: 2,
      stage: 'deploy',
      stageName: 'coordinated:tag',
      commit: '95d49d1efbd941908580e79d65e4b5ecaf4a8305',
      status: 'success',
    });
    expect(ciInvocation(job!)).toEqual({
      id: 'gitlab:job:3580121225',
      skill_name: 'auto_deploy:start',
      session_id: 'gitlab:jsmithy2/release-tools-fake:743121198',
      user_id: 'jsmithy2',
      invoked_at: Date.UTC(2023, 0, 10, 13, 50, 5),
      completed: true,
      duration_seconds: 49.503592,
      workflow_phase: 'execution',
      workflow_path: 'jsmithy2/release-tools-fake',
      workflow_step_id: 'deploy',
      error_type: null,
      user_query: 'CI/CD stage: deploy',
    });
  });

  it('maps canceled and failed jobs as not completed with the failure reason; running jobs are ignored', () => {
    const job = fixture('gitlab-job.json');
    expect(ciInvocation(jobsOf(mapGitlabEvent({ ...job, build_status: 'canceled', build_failure_reason: null }))[0]!)).toMatchObject({
      completed: false,
      error_type: 'canceled',
    });
    expect(jobsOf(mapGitlabEvent({ ...job, build_status: 'canceled' }))[0]!.status).toBe('cancelled');
    expect(
      ciInvocation(jobsOf(mapGitlabEvent({ ...job, build_status: 'failed', build_failure_reason: 'script_failure' }))[0]!),
    ).toMatchObject({ completed: false, error_type: 'script_failure' });
    expect(mapGitlabEvent({ ...job, build_status: 'running' })).toEqual({
      ignored: 'job 3580121225 running: only finished jobs are recorded',
    });
    expect(mapGitlabEvent({ object_kind: 'push' })).toEqual({ ignored: 'object_kind push is not mapped (only pipeline and build)' });
  });
});

describe('mapCiRun (the generic form)', () => {
  const started = '2026-12-02T10:00:00Z';
  const at = Date.UTC(2026, 11, 2, 10);

  it('maps every stage to its phase (deploy and publish → execution), keeps the duration, skips skipped jobs', () => {
    const stages = ['build', 'test', 'lint', 'security', 'deploy', 'publish'];
    const mapped = mapCiRun({
      provider: 'jenkins',
      pipeline: 'api',
      run_id: 7,
      actor: 'ada',
      commit: 'abc',
      jobs: [
        ...stages.map((stage) => ({ name: `${stage}-job`, stage, status: 'success', started_at: started, duration_seconds: 5 })),
        { name: 'docs', stage: 'publish', status: 'skipped', started_at: started },
      ],
    });
    expect(
      jobsOf(mapped)
        .map(ciInvocation)
        .map((i) => [i.id, i.skill_name, i.session_id, i.user_id, i.workflow_phase, i.workflow_step_id, i.duration_seconds, i.invoked_at]),
    ).toEqual([
      ['jenkins:job:7.1.build-job', 'build-job', 'jenkins:api:7', 'ada', 'setup', 'build', 5, at],
      ['jenkins:job:7.1.test-job', 'test-job', 'jenkins:api:7', 'ada', 'execution', 'test', 5, at],
      ['jenkins:job:7.1.lint-job', 'lint-job', 'jenkins:api:7', 'ada', 'verification', 'lint', 5, at],
      ['jenkins:job:7.1.security-job', 'security-job', 'jenkins:api:7', 'ada', 'verification', 'security', 5, at],
      ['jenkins:job:7.1.deploy-job', 'deploy-job', 'jenkins:api:7', 'ada', 'execution', 'deploy', 5, at],
      ['jenkins:job:7.1.publish-job', 'publish-job', 'jenkins:api:7', 'ada', 'execution', 'publish', 5, at],
    ]);
  });

  it('takes the duration from finished_at, reads a stage from its name, and maps cancelled/canceled/failed as not completed', () => {
    const mapped = mapCiRun({
      pipeline: 'api',
      run_id: 'r1',
      attempt: 2,
      jobs: [
        { name: 'pytest', stage: 'unit-tests', status: 'failed', started_at: at, finished_at: at + 61_500, error: 'AssertionError' },
        { name: 'ruff', stage: 'lint', status: 'canceled', started_at: at },
        { name: 'smoke', stage: 'verify', phase: 'verification', status: 'cancelled', started_at: at },
      ],
    });
    expect(
      jobsOf(mapped)
        .map(ciInvocation)
        .map((i) => [i.id, i.completed, i.error_type, i.duration_seconds, i.workflow_phase, i.workflow_step_id, i.user_id]),
    ).toEqual([
      ['ci:job:r1.2.pytest', false, 'AssertionError', 61.5, 'execution', 'test', null],
      ['ci:job:r1.2.ruff', false, 'cancelled', null, 'verification', 'lint', null],
      ['ci:job:r1.2.smoke', false, 'cancelled', null, 'verification', 'verify', null],
    ]);
  });

  it('reads a stage from names joined with _ or : as well as - (run_tests, auto_deploy:start, python_lint)', async () => {
    const { inferStage } = await import('../src/index.js');
    expect(
      ['run_tests', 'auto_deploy:start', 'python_lint', 'js_lint', 'unit-tests', 'Build', 'contest', 'gradle7'].map((name) =>
        inferStage(name),
      ),
    ).toEqual(['test', 'deploy', 'lint', 'lint', 'test', 'build', null, null]);
  });

  it('refuses a run with an unknown stage (and no phase) or a bad field, naming the field', () => {
    expect(
      mapCiRun({
        pipeline: 'api',
        run_id: 1,
        jobs: [
          { name: 'x', stage: 'test', status: 'success', started_at: at },
          { name: 'pkg', stage: 'qa-gate', status: 'success', started_at: at },
        ],
      }),
    ).toEqual({
      issues: [
        {
          field: 'jobs.1.stage',
          message:
            'unknown CI stage "qa-gate": expected build, test, lint, security, deploy, publish (or a name containing one, such as unit-tests), or give phase',
        },
      ],
    });
    expect(mapCiRun({ pipeline: 'api', run_id: 1, jobs: [{ name: 'x', stage: 'test', status: 'green', started_at: at }] })).toEqual({
      issues: [
        { field: 'jobs.0.status', message: 'expected one of success, passed, failure, failed, cancelled, canceled, timed_out, skipped' },
      ],
    });
    expect(mapCiRun({ pipeline: 'api', run_id: 1, jobs: [] })).toEqual({
      issues: [{ field: 'jobs', message: 'expected at least one job' }],
    });
  });
});

const T0 = Date.UTC(2026, 11, 1);
const t = (minutes: number) => T0 + minutes * 60_000;
type Job = { name: string; stage: string; status: string; started_at: number; duration_seconds?: number; error?: string };
const job = (name: string, stage: string, status: string, minutes: number, duration?: number, error?: string): Job => ({
  name,
  stage,
  status,
  started_at: t(minutes),
  ...(duration === undefined ? {} : { duration_seconds: duration }),
  ...(error === undefined ? {} : { error }),
});

for (const factory of storeFactories) {
  describe(`pipelineReport over jobs recorded by createCiIngest (${factory.name})`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await factory.create();
      const ci = createCiIngest(store, { now: () => t(200) });
      const send = async (pipeline: string, runId: string, attempt: number, commit: string, jobs: Job[]) => {
        const mapped = mapCiRun({ provider: 'ci', pipeline, run_id: runId, attempt, commit, repository: 'acme/api', actor: 'ada', jobs });
        if (!('jobs' in mapped)) throw new Error(JSON.stringify(mapped));
        await ci.deliver({ source: 'ci', deliveryId: `${pipeline}-${runId}-${attempt}`, event: 'ci', mapped });
      };
      await send('api', 'old', 1, 'c0', [job('docker-build', 'build', 'failure', -1, 10)]); // before the window
      await send('api', 'r1', 1, 'c1', [
        job('docker-build', 'build', 'success', 0, 100),
        job('pytest-run', 'test', 'failure', 5, 60, 'AssertionError'),
        job('ruff-check', 'lint', 'success', 5, 10),
        job('bandit-security', 'security', 'failure', 5, 20, 'B101'),
        job('helm-deploy', 'deploy', 'success', 10, 400),
      ]);
      await send('api', 'r1', 2, 'c1', [job('pytest-run', 'test', 'success', 20, 50)]); // the retry passes: flaky
      await send('api', 'r2', 1, 'c2', [
        job('docker-build', 'build', 'success', 60, 200),
        job('pytest-run', 'test', 'success', 65, 70),
        job('ruff-check', 'lint', 'cancelled', 65, 3),
        job('bandit-security', 'security', 'failure', 65, 20, 'B101'),
        job('helm-deploy', 'deploy', 'success', 70, 500),
        job('npm-publish', 'publish', 'skipped', 70),
      ]);
      await send('web', 'w1', 1, 'c9', [job('jest-run', 'test', 'failure', 90, 5)]); // another pipeline
      await send('api', 'r3', 1, 'c3', [job('pytest-run', 'test', 'success', 120, 80)]);
      await send('api', 'late', 1, 'c4', [job('docker-build', 'build', 'failure', 24 * 60, 10)]); // at `until`: outside
    });
    afterEach(() => store.close());
    afterAll(() => factory.cleanup());

    it('reads only the named pipeline inside the window, with exact stage rates, durations, bottlenecks, flaky steps and recommendations', async () => {
      const report = await pipelineReport(store, 'api', { since: T0, until: t(24 * 60) });
      expect(report).toEqual({
        pipeline: 'api',
        provider: 'ci',
        repository: 'acme/api',
        since: T0,
        until: t(24 * 60),
        runs: 3,
        jobs: 12,
        overall_success_rate: 8 / 12,
        pipeline_runs: null,
        stages: [
          {
            stage: 'build',
            workflow_phase: 'setup',
            total_runs: 2,
            successful_runs: 2,
            success_rate: 1,
            avg_duration_seconds: 150,
            skills_used: ['docker-build'],
            common_failures: {},
          },
          {
            stage: 'test',
            workflow_phase: 'execution',
            total_runs: 4,
            successful_runs: 3,
            success_rate: 0.75,
            avg_duration_seconds: 66.667,
            skills_used: ['pytest-run'],
            common_failures: { AssertionError: 1 },
          },
          {
            stage: 'lint',
            workflow_phase: 'verification',
            total_runs: 2,
            successful_runs: 1,
            success_rate: 0.5,
            avg_duration_seconds: 10,
            skills_used: ['ruff-check'],
            common_failures: { cancelled: 1 },
          },
          {
            stage: 'security',
            workflow_phase: 'verification',
            total_runs: 2,
            successful_runs: 0,
            success_rate: 0,
            avg_duration_seconds: null,
            skills_used: ['bandit-security'],
            common_failures: { B101: 2 },
          },
          {
            stage: 'deploy',
            workflow_phase: 'execution',
            total_runs: 2,
            successful_runs: 2,
            success_rate: 1,
            avg_duration_seconds: 450,
            skills_used: ['helm-deploy'],
            common_failures: {},
          },
        ],
        // Under 80 %: high under 50 %, else medium (exactly 50 % is medium; 75 % is a bottleneck but not a high recommendation).
        bottlenecks: [
          { stage: 'security', success_rate: 0, avg_duration_seconds: null, severity: 'high' },
          { stage: 'lint', success_rate: 0.5, avg_duration_seconds: 10, severity: 'medium' },
          { stage: 'test', success_rate: 0.75, avg_duration_seconds: 66.667, severity: 'medium' },
        ],
        flaky_steps: [
          { name: 'pytest-run', stage: 'test', commits: 1, latest: { commit: 'c1', failures: 1, failed_at: t(5), passed_at: t(20) } },
        ],
        recommendations: [
          {
            priority: 'high',
            stage: 'lint',
            message: "Stage 'lint' has low success rate (50.0%). Investigate common failures (most often: cancelled, 1x).",
          },
          {
            priority: 'high',
            stage: 'security',
            message: "Stage 'security' has low success rate (0.0%). Investigate common failures (most often: B101, 2x).",
          },
          { priority: 'medium', stage: 'deploy', message: "Stage 'deploy' is slow (450s avg). Consider optimization or parallelization." },
          {
            priority: 'medium',
            stage: 'test',
            message: "Job 'pytest-run' is flaky: it failed and then passed on a retry of the same commit (1 commit). Fix or quarantine it.",
          },
          { priority: 'low', stage: 'build', message: "Consider adding skills to 'build': uv-install, npm-install, compile" },
          { priority: 'low', stage: 'test', message: "Consider adding skills to 'test': jest-run, test-discovery, coverage-report" },
          { priority: 'low', stage: 'lint', message: "Consider adding skills to 'lint': mypy-check, eslint-check, tsc-check" },
          { priority: 'low', stage: 'security', message: "Consider adding skills to 'security': safety-check, npm-audit" },
          { priority: 'low', stage: 'deploy', message: "Consider adding skills to 'deploy': docker-push, terraform-apply" },
        ],
      });
    });

    it('a narrower window drops the jobs outside it (the retry after t+15 min, so no flaky step)', async () => {
      const report = await pipelineReport(store, 'api', { since: T0, until: t(15) });
      expect([report.runs, report.jobs, report.overall_success_rate, report.flaky_steps]).toEqual([1, 5, 3 / 5, []]);
      expect(report.stages.map((s) => [s.stage, s.successful_runs, s.total_runs])).toEqual([
        ['build', 1, 1],
        ['test', 0, 1],
        ['lint', 1, 1],
        ['security', 0, 1],
        ['deploy', 1, 1],
      ]);
      expect(report.bottlenecks.map((b) => [b.stage, b.severity])).toEqual([
        ['security', 'high'],
        ['test', 'high'],
      ]);
    });

    it('the other pipeline and an empty window have reports of their own', async () => {
      const web = await pipelineReport(store, 'web', { since: T0, until: t(24 * 60) });
      expect([web.runs, web.jobs, web.overall_success_rate, web.stages.map((s) => s.skills_used), web.flaky_steps]).toEqual([
        1,
        1,
        0,
        [['jest-run']],
        [],
      ]);
      const none = await pipelineReport(store, 'api', { since: t(-10), until: t(-5) });
      expect([none.runs, none.jobs, none.overall_success_rate, none.stages, none.bottlenecks, none.recommendations]).toEqual([
        0,
        0,
        null,
        [],
        [],
        [],
      ]);
    });

    it('listPipelines counts runs, jobs and success per pipeline in the window, most recent first', async () => {
      expect(await listPipelines(store, { since: T0, until: t(24 * 60) })).toEqual([
        { pipeline: 'api', provider: 'ci', repository: 'acme/api', runs: 3, jobs: 12, success_rate: 8 / 12, last_run_at: t(120) },
        { pipeline: 'web', provider: 'ci', repository: 'acme/api', runs: 1, jobs: 1, success_rate: 0, last_run_at: t(90) },
      ]);
    });
  });
}

describe('analyzePipeline, flakySteps and formatPipelineReport (pure)', () => {
  const row = (
    run: string,
    attempt: number,
    name: string,
    commit: string | null,
    status: string,
    minutes: number,
    duration: number | null,
    error: string | null = null,
  ) => ({
    kind: 'job' as const,
    provider: 'ci',
    repository: null,
    run_id: run,
    attempt,
    name,
    stage: 'test',
    commit_sha: commit,
    status,
    error,
    started_at: t(minutes),
    duration_seconds: duration,
  });

  it('a fail then pass on the same commit is flaky; a cancelled attempt, another commit or no commit is not', () => {
    expect(
      flakySteps([
        row('r1', 1, 'pytest', 'c1', 'failure', 0, 5),
        row('r1', 2, 'pytest', 'c1', 'timed_out', 5, 5),
        row('r1', 3, 'pytest', 'c1', 'success', 10, 5),
        row('r2', 1, 'pytest', 'c2', 'failure', 20, 5),
        row('r2', 2, 'pytest', 'c2', 'success', 30, 5),
        row('r3', 1, 'jest', 'c3', 'cancelled', 0, 5),
        row('r3', 2, 'jest', 'c3', 'success', 5, 5),
        row('r4', 1, 'mocha', 'c4', 'failure', 0, 5),
        row('r5', 1, 'mocha', 'c5', 'success', 5, 5),
        row('r6', 1, 'vitest', null, 'failure', 0, 5),
        row('r6', 2, 'vitest', null, 'success', 5, 5),
      ]),
    ).toEqual([{ name: 'pytest', stage: 'test', commits: 2, latest: { commit: 'c2', failures: 1, failed_at: t(20), passed_at: t(30) } }]);
  });

  it('formats the report in its sections; a stage under 70 % that is also slow gets both the high and the medium recommendation', () => {
    const report = analyzePipeline(
      'api',
      [
        row('r1', 1, 'pytest-run', 'c1abcdef99', 'failure', 0, 60, 'AssertionError'),
        row('r1', 2, 'pytest-run', 'c1abcdef99', 'success', 1, 400),
        { ...row('r1', 2, 'api', 'c1abcdef99', 'success', 0, 500), kind: 'pipeline' as const, stage: null },
      ],
      { since: T0, until: t(24 * 60) },
    );
    expect(report.pipeline_runs).toEqual({ total: 1, successful: 1, success_rate: 1 });
    expect(formatPipelineReport(report)).toBe(
      [
        'CI/CD Pipeline Report: api',
        'Window: 2026-12-01 00:00 to 2026-12-02 00:00 UTC',
        'Runs: 1, jobs: 2, job success rate: 50.0%, pipeline runs succeeded: 1/1',
        '',
        '1. Stage Metrics',
        '  test (execution): 1/2 succeeded (50.0%), avg 400s; jobs: pytest-run',
        '',
        '2. Pipeline Bottlenecks',
        '  [MEDIUM] test: 50.0% success, 400s avg',
        '',
        '3. Flaky Steps',
        '  pytest-run: failed then passed on retry on 1 commit (latest c1abcde, 1 failed attempt)',
        '',
        '4. Recommendations',
        "  [HIGH] Stage 'test' has low success rate (50.0%). Investigate common failures (most often: AssertionError, 1x).",
        "  [MEDIUM] Stage 'test' is slow (400s avg). Consider optimization or parallelization.",
        "  [MEDIUM] Job 'pytest-run' is flaky: it failed and then passed on a retry of the same commit (1 commit). Fix or quarantine it.",
        "  [LOW] Consider adding skills to 'test': jest-run, test-discovery, coverage-report",
        '',
      ].join('\n'),
    );
    expect(formatPipelineReport(analyzePipeline('api', [], { since: T0, until: t(60) }))).toBe(
      [
        'CI/CD Pipeline Report: api',
        'Window: 2026-12-01 00:00 to 2026-12-01 01:00 UTC',
        'Runs: 0, jobs: 0, job success rate: -',
        '',
        '1. Stage Metrics',
        '  No jobs in this window.',
        '',
        '2. Pipeline Bottlenecks',
        '  No significant bottlenecks detected!',
        '',
        '3. Flaky Steps',
        '  No flaky steps detected.',
        '',
        '4. Recommendations',
        '  No recommendations at this time.',
        '',
      ].join('\n'),
    );
  });
});
