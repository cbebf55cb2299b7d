import { readFileSync } from 'node:fs';
import { listInvocations, type Store } from '@skills/storage';
import { signGithubPayload } from '@skills/integrations';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SkillsServer } from '../src/index.js';
import { countRows, serve, storeFactories } from './helpers.js';

const SECRET = 'gh-webhook-secret-for-tests';
const TOKEN = 'gitlab-token-for-tests';
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url));
const jobFailed = fixture('github-workflow_job-completed.failure.with-organization');
const jobPassed = fixture('github-workflow_job-completed.success.with-organization');
const jobRunning = fixture('github-workflow_job-in_progress');
const runCompleted = fixture('github-workflow_run-completed');

/** The success example as the retry of the failed job: GitHub gives a re-run job a new id and the next run_attempt. */
function retryOf(body: Buffer): Buffer {
  const payload = JSON.parse(body.toString('utf8'));
  payload.workflow_job.id = 289782452;
  payload.workflow_job.run_attempt = 2;
  payload.workflow_job.started_at = '2021-08-05T11:00:00Z';
  payload.workflow_job.completed_at = '2021-08-05T11:02:00Z';
  return Buffer.from(JSON.stringify(payload));
}

function github(
  url: string,
  event: string,
  delivery: string,
  body: Buffer | string,
  signature: string | null = signGithubPayload(SECRET, body),
) {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-github-event': event, 'x-github-delivery': delivery };
  if (signature !== null) headers['x-hub-signature-256'] = signature;
  return fetch(`${url}/v1/integrations/github`, { method: 'POST', headers, body: typeof body === 'string' ? body : new Uint8Array(body) });
}

function gitlab(url: string, event: string, body: Buffer | string, token: string | null = TOKEN, uuid?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-gitlab-event': event };
  if (token !== null) headers['x-gitlab-token'] = token;
  if (uuid) headers['x-gitlab-event-uuid'] = uuid;
  return fetch(`${url}/v1/integrations/gitlab`, { method: 'POST', headers, body: typeof body === 'string' ? body : new Uint8Array(body) });
}

for (const factory of storeFactories) {
  describe(`CI webhooks on the server (${factory.name})`, () => {
    let store: Store;
    let server: SkillsServer;
    beforeEach(async () => {
      store = (await factory.create()).store;
      server = await serve(store, factory.name, { githubWebhookSecret: SECRET, gitlabWebhookToken: TOKEN, bodyLimitBytes: '64kb' });
    });
    afterEach(async () => {
      await server.close();
      await store.close();
    });
    afterAll(() => factory.cleanup());

    const ciRows = async () =>
      Number(
        (
          await store.db
            .withTables<{ ci_jobs: { id: string } }>()
            .selectFrom('ci_jobs')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );

    it("records GitHub's completed workflow_job example as one invocation: skill = job, session = run, user = sender", async () => {
      const response = await github(server.url, 'workflow_job', 'd-1', jobFailed);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ delivery: 'd-1', outcome: 'recorded', jobs: 1, recorded: 1, known: 0 });
      const [row] = (await listInvocations(store, { limit: 5 })).items;
      expect(row).toMatchObject({
        id: 'github:job:289782451',
        skill_name: 'linters',
        session_id: 'github:Codertocat/Hello-World/CodeQL:2202229078',
        user_id: 'Codertocat',
        invoked_at: Date.parse('2021-08-05T10:34:58Z'),
        completed: false,
        duration_seconds: 198,
        workflow_phase: 'verification',
        workflow_path: 'Codertocat/Hello-World/CodeQL',
        workflow_step_id: 'lint',
        error_type: 'step failed: Run yarn run format-check',
      });
    });

    it('a replayed delivery answers 200 duplicate and writes nothing twice', async () => {
      await github(server.url, 'workflow_job', 'd-2', jobFailed);
      const again = await github(server.url, 'workflow_job', 'd-2', jobFailed);
      expect(again.status).toBe(200);
      expect(await again.json()).toMatchObject({ outcome: 'duplicate', recorded: 0 });
      // Another delivery of the same job (a redelivery with a new id) is known by its job id.
      expect(await (await github(server.url, 'workflow_job', 'd-3', jobFailed)).json()).toMatchObject({
        outcome: 'recorded',
        recorded: 0,
        known: 1,
      });
      expect(await countRows(store)).toBe(1);
      expect(await ciRows()).toBe(1);
    });

    it('refuses a wrong secret, a missing signature, malformed JSON and an oversized body, writing nothing', async () => {
      expect((await github(server.url, 'workflow_job', 'x-1', jobFailed, signGithubPayload('not-the-secret', jobFailed))).status).toBe(401);
      expect((await github(server.url, 'workflow_job', 'x-2', jobFailed, null)).status).toBe(401);
      const tampered = Buffer.from(jobFailed.toString('utf8').replace('"failure"', '"success"'));
      expect((await github(server.url, 'workflow_job', 'x-3', tampered, signGithubPayload(SECRET, jobFailed))).status).toBe(401);
      const broken = await github(server.url, 'workflow_job', 'x-4', '{"action": "completed",');
      expect(broken.status).toBe(400);
      expect(await broken.json()).toMatchObject({ error: { code: 'invalid_json' } });
      const huge = Buffer.from(JSON.stringify({ action: 'completed', padding: 'x'.repeat(100_000) }));
      expect((await github(server.url, 'workflow_job', 'x-5', huge)).status).toBe(413);
      expect((await gitlab(server.url, 'Job Hook', fixture('gitlab-job'), 'wrong-token')).status).toBe(401);
      expect((await gitlab(server.url, 'Job Hook', fixture('gitlab-job'), null)).status).toBe(401);
      expect(await countRows(store)).toBe(0);
      expect(await ciRows()).toBe(0);
      expect(await (await fetch(`${server.url}/v1/integrations/ci/deliveries`)).json()).toEqual({ deliveries: [] });
    });

    it('answers 202 for actions and events it does not record, and counts them', async () => {
      const running = await github(server.url, 'workflow_job', 'i-1', jobRunning);
      expect(running.status).toBe(202);
      expect(await running.json()).toMatchObject({
        outcome: 'ignored',
        reason: 'workflow_job action in_progress: only completed jobs are recorded',
      });
      const push = await github(server.url, 'push', 'i-2', '{"ref":"refs/heads/main"}');
      expect(push.status).toBe(202);
      expect(await countRows(store)).toBe(0);
      expect(await (await fetch(`${server.url}/v1/integrations/ci/deliveries`)).json()).toEqual({
        deliveries: [
          { source: 'github', outcome: 'ignored', event: 'push', count: 1 },
          { source: 'github', outcome: 'ignored', event: 'workflow_job', count: 1 },
        ],
      });
    });

    it('reports a job that failed and passed on a retry of the same commit as flaky, for that pipeline and window only', async () => {
      await github(server.url, 'workflow_job', 'f-1', jobFailed);
      await github(server.url, 'workflow_job', 'f-2', retryOf(jobPassed));
      await github(server.url, 'workflow_run', 'f-3', runCompleted);
      const since = Date.parse('2021-08-01T00:00:00Z');
      const until = Date.parse('2021-08-06T00:00:00Z');
      const pipelines = await (await fetch(`${server.url}/v1/integrations/ci/pipelines?since=${since}&until=${until}`)).json();
      expect(pipelines).toEqual({
        pipelines: [
          {
            pipeline: 'Codertocat/Hello-World/CodeQL',
            provider: 'github',
            repository: 'Codertocat/Hello-World',
            runs: 1,
            jobs: 2,
            success_rate: 0.5,
            last_run_at: Date.parse('2021-08-05T11:00:00Z'),
          },
        ],
      });
      const report = await (
        await fetch(
          `${server.url}/v1/integrations/ci/report?pipeline=${encodeURIComponent('Codertocat/Hello-World/CodeQL')}&since=${since}&until=${until}`,
        )
      ).json();
      expect(report.stages).toEqual([
        {
          stage: 'lint',
          workflow_phase: 'verification',
          total_runs: 2,
          successful_runs: 1,
          success_rate: 0.5,
          avg_duration_seconds: 120,
          skills_used: ['linters'],
          common_failures: { 'step failed: Run yarn run format-check': 1 },
        },
      ]);
      expect(report.bottlenecks).toEqual([{ stage: 'lint', success_rate: 0.5, avg_duration_seconds: 120, severity: 'medium' }]);
      expect(report.flaky_steps).toEqual([
        {
          name: 'linters',
          stage: 'lint',
          commits: 1,
          latest: {
            commit: '3484a3fb816e0859fd6e1cea078d76385ff50625',
            failures: 1,
            failed_at: Date.parse('2021-08-05T10:34:58Z'),
            passed_at: Date.parse('2021-08-05T11:00:00Z'),
          },
        },
      ]);
      expect(report.recommendations.map((r: { priority: string }) => r.priority)).toEqual(['high', 'medium', 'low']);
      // The workflow_run example belongs to another pipeline (Codertocat/Hello-World/test) and another window.
      expect(report.pipeline_runs).toBeNull();
      const other = await (
        await fetch(
          `${server.url}/v1/integrations/ci/report?pipeline=${encodeURIComponent('Codertocat/Hello-World/CodeQL')}&since=${until}`,
        )
      ).json();
      expect(other.jobs).toBe(0);
    });

    it("records GitLab's pipeline example's finished jobs and its job example, by build id", async () => {
      const pipeline = await gitlab(server.url, 'Pipeline Hook', fixture('gitlab-pipeline'), TOKEN, 'uuid-1');
      expect(await pipeline.json()).toEqual({ delivery: 'uuid-1', outcome: 'recorded', jobs: 4, recorded: 3, known: 0 });
      const job = await gitlab(server.url, 'Job Hook', fixture('gitlab-job'));
      expect(await job.json()).toMatchObject({ outcome: 'recorded', recorded: 1 });
      const rows = new Map((await listInvocations(store, { limit: 10 })).items.map((r) => [r.id, r]));
      expect([...rows.keys()].sort()).toEqual(['gitlab:job:3580121225', 'gitlab:job:376', 'gitlab:job:377', 'gitlab:job:378']);
      expect(rows.get('gitlab:job:376')).toMatchObject({
        skill_name: 'build-image',
        workflow_phase: 'setup',
        duration_seconds: 30,
        user_id: 'user1',
        session_id: 'gitlab:gitlab-org/gitlab-test:31',
        completed: true,
      });
      expect(rows.get('gitlab:job:377')).toMatchObject({ skill_name: 'test-image', workflow_phase: 'execution', duration_seconds: null });
      expect(rows.get('gitlab:job:3580121225')).toMatchObject({
        skill_name: 'auto_deploy:start',
        workflow_phase: 'execution',
        workflow_step_id: 'deploy',
        duration_seconds: 49.503592,
        user_id: 'jsmithy2',
        session_id: 'gitlab:jsmithy2/release-tools-fake:743121198',
      });
      expect((await gitlab(server.url, 'Pipeline Hook', fixture('gitlab-pipeline'), TOKEN, 'uuid-1').then((r) => r.json())).outcome).toBe(
        'duplicate',
      );
      expect(await countRows(store)).toBe(4);
    });

    it('takes the generic CI form, naming the field of a bad job and writing nothing', async () => {
      const post = (body: unknown) =>
        fetch(`${server.url}/v1/integrations/ci`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const bad = await post({
        pipeline: 'api',
        run_id: 7,
        jobs: [
          { name: 'pytest', stage: 'test', status: 'success', started_at: 1000 },
          { name: 'docs', stage: 'docs', status: 'success', started_at: 1000 },
        ],
      });
      expect(bad.status).toBe(400);
      expect((await bad.json()).error.issues).toEqual([
        {
          index: -1,
          field: 'jobs.1.stage',
          message:
            'unknown CI stage "docs": expected build, test, lint, security, deploy, publish (or a name containing one, such as unit-tests), or give phase',
        },
      ]);
      expect(await countRows(store)).toBe(0);
      const ok = await post({
        provider: 'jenkins',
        pipeline: 'api',
        run_id: 7,
        actor: 'bob',
        jobs: [
          { name: 'pytest', stage: 'test', status: 'failed', started_at: '2026-12-02T10:00:00Z', duration_seconds: 42, error: 'exit 1' },
        ],
      });
      expect(await ok.json()).toMatchObject({ outcome: 'recorded', recorded: 1 });
      expect((await listInvocations(store, { limit: 1 })).items[0]).toMatchObject({
        id: 'jenkins:job:7.1.pytest',
        skill_name: 'pytest',
        user_id: 'bob',
        completed: false,
        error_type: 'exit 1',
        duration_seconds: 42,
        workflow_phase: 'execution',
      });
    });
  });
}
