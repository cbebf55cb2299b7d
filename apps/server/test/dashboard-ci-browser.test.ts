/// <reference lib="dom" />
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Store } from '@skills/storage';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCount, formatDuration, formatRate } from '../../dashboard/src/format.js';
import type { SkillsServer } from '../src/index.js';
import { CHROMIUM, postJson, serve, storeFactories } from './helpers.js';

/**
 * The dashboard's CI view in real headless Chromium against a real server fed with CI runs over
 * POST /v1/integrations/ci (the generic form): the pipelines, stage success rates, bottlenecks,
 * flaky steps and recommendations are those of GET /v1/integrations/ci/pipelines and /report.
 */
const MIN = 60_000;
const OUTPUT = fileURLToPath(new URL('../../dashboard/test-output/screenshots/', import.meta.url));

type Job = { name: string; stage: string; status: string; started_at: number; duration_seconds: number; error?: string };

describe('the CI view in Chromium', () => {
  const [factory] = storeFactories;
  let store: Store;
  let server: SkillsServer;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];
  const api = async (path: string) => (await (await fetch(`${server.url}${path}`)).json()) as any;
  let delivery = 0;
  async function run(pipeline: string, runId: number, attempt: number, commit: string, jobs: Job[]): Promise<void> {
    const response = await postJson(
      `${server.url}/v1/integrations/ci`,
      { provider: 'jenkins', pipeline, run_id: runId, attempt, commit, branch: 'main', actor: 'bob', jobs },
      { 'x-delivery-id': `d-${++delivery}` },
    );
    expect(response.status).toBe(200);
  }

  beforeAll(async () => {
    store = (await factory!.create({ userPseudonymSecret: 'a-secret-of-sixteen-bytes' })).store;
    server = await serve(store, 'sqlite');
    const t = Date.now() - 5 * 60 * MIN;
    const job = (name: string, stage: string, ok: boolean, at: number, seconds: number): Job => ({
      name,
      stage,
      status: ok ? 'success' : 'failed',
      started_at: at,
      duration_seconds: seconds,
      ...(ok ? {} : { error: 'exit 1' }),
    });
    // api: 4 runs. build always passes (30 s); pytest fails on run 1 and passes on its retry
    // (flaky), passes on runs 2-4; lint fails on run 3; deploy fails on runs 3 and 4.
    await run('api', 1, 1, 'c1', [
      job('build', 'build', true, t, 30),
      job('pytest', 'test', false, t + MIN, 40),
      job('lint', 'lint', true, t + MIN, 10),
    ]);
    await run('api', 1, 2, 'c1', [job('pytest', 'test', true, t + 10 * MIN, 41)]);
    await run('api', 2, 1, 'c2', [
      job('build', 'build', true, t + 60 * MIN, 30),
      job('pytest', 'test', true, t + 61 * MIN, 42),
      job('lint', 'lint', true, t + 61 * MIN, 12),
    ]);
    await run('api', 3, 1, 'c3', [
      job('build', 'build', true, t + 120 * MIN, 30),
      job('pytest', 'test', true, t + 121 * MIN, 43),
      job('lint', 'lint', false, t + 121 * MIN, 11),
      job('deploy', 'deploy', false, t + 125 * MIN, 400),
    ]);
    await run('api', 4, 1, 'c4', [
      job('build', 'build', true, t + 180 * MIN, 30),
      job('pytest', 'test', true, t + 181 * MIN, 44),
      job('lint', 'lint', true, t + 181 * MIN, 10),
      job('deploy', 'deploy', false, t + 185 * MIN, 420),
    ]);
    await run('web', 9, 1, 'w1', [job('webpack', 'build', true, t + 30 * MIN, 90)]);
    browser = await chromium.launch(CHROMIUM);
    page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    page.on('console', (message) => message.type() === 'error' && consoleErrors.push(message.text()));
    page.on('pageerror', (error) => consoleErrors.push(error.message));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await store?.close();
    await factory!.cleanup();
  });

  it('lists the pipelines of the range with the numbers of GET /v1/integrations/ci/pipelines', async () => {
    await page.goto(`${server.url}/`);
    await page.locator('#ci-pipelines tr[data-pipeline="web"]').waitFor({ timeout: 10_000 });
    const summary = await api('/v1/dashboard/summary');
    const { pipelines } = await api(`/v1/integrations/ci/pipelines?since=${summary.since}&until=${summary.until}`);
    expect(pipelines.map((p: any) => [p.pipeline, p.runs, p.jobs])).toEqual([
      ['api', 4, 15],
      ['web', 1, 1],
    ]);
    expect(
      await page.locator('#ci-pipelines tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-pipeline'))),
    ).toEqual(['api', 'web']);
    for (const p of pipelines) {
      const row = page.locator(`#ci-pipelines tr[data-pipeline="${p.pipeline}"]`);
      expect(await row.locator('[data-col="runs"]').textContent()).toBe(formatCount(p.runs));
      expect(await row.locator('[data-col="jobs"]').textContent()).toBe(formatCount(p.jobs));
      expect(await row.locator('[data-col="success_rate"]').textContent()).toBe(formatRate(p.success_rate));
      expect(await row.locator('[data-col="provider"]').textContent()).toBe('jenkins');
    }
    expect(await page.locator('#ci-report article').count()).toBe(0);
  });

  it("a pipeline's report: stage success rates, bottlenecks, flaky steps and recommendations, as GET /v1/integrations/ci/report", async () => {
    await page.locator('#ci-pipelines tr[data-pipeline="api"] th button').click();
    await page.waitForURL((url) => new URLSearchParams(url.search).get('pipeline') === 'api');
    await page.locator('#ci-report article[data-pipeline="api"]').waitFor({ timeout: 5000 });
    const summary = await api('/v1/dashboard/summary');
    const report = await api(`/v1/integrations/ci/report?pipeline=api&since=${summary.since}&until=${summary.until}`);
    expect(report.stages.map((s: any) => [s.stage, s.successful_runs, s.total_runs])).toEqual([
      ['build', 4, 4],
      ['test', 4, 5],
      ['lint', 3, 4],
      ['deploy', 0, 2],
    ]);
    for (const s of report.stages) {
      const row = page.locator(`#ci-report tr[data-stage="${s.stage}"]`);
      expect(await row.locator('[data-col="success_rate"]').textContent()).toBe(formatRate(s.success_rate));
      expect(await row.locator('[data-col="runs"]').textContent()).toBe(`${formatCount(s.successful_runs)} / ${formatCount(s.total_runs)}`);
      expect(await row.locator('[data-col="avg_duration_seconds"]').textContent()).toBe(formatDuration(s.avg_duration_seconds));
      expect(await row.locator('[data-col="phase"]').textContent()).toBe(s.workflow_phase ?? '–');
    }
    expect(await page.locator('#ci-report tr[data-stage="test"] [data-col="success_rate"]').textContent()).toBe('80.0 %');
    // Bottlenecks: deploy (0 %, high) and lint (75 %, medium).
    expect(report.bottlenecks.map((b: any) => [b.stage, b.severity])).toEqual([
      ['deploy', 'high'],
      ['lint', 'medium'],
    ]);
    expect(
      await page
        .locator('#ci-bottlenecks li')
        .evaluateAll((items) => items.map((li) => [li.getAttribute('data-stage'), li.querySelector('.badge')!.textContent])),
    ).toEqual(report.bottlenecks.map((b: any) => [b.stage, b.severity]));
    // Flaky: pytest failed on c1 and passed on its retry.
    expect(report.flaky_steps.map((f: any) => [f.name, f.commits, f.latest.commit, f.latest.failures])).toEqual([['pytest', 1, 'c1', 1]]);
    expect(await page.locator('#ci-flaky li').evaluateAll((items) => items.map((li) => li.getAttribute('data-step')))).toEqual(['pytest']);
    expect(await page.locator('#ci-flaky li[data-step="pytest"]').textContent()).toContain('on 1 commit; latest c1: 1 failed attempt');
    expect(
      await page
        .locator('#ci-recommendations li')
        .evaluateAll((items) => items.map((li) => [li.getAttribute('data-priority'), li.textContent])),
    ).toEqual(report.recommendations.map((r: any) => [r.priority, `${r.priority} ${r.message}`]));
    expect(report.recommendations.length).toBeGreaterThan(0);
    await page.locator('#ci').scrollIntoViewIfNeeded();
    mkdirSync(OUTPUT, { recursive: true });
    await page.locator('#ci').screenshot({ path: `${OUTPUT}ci-light-laptop.png` });
  });

  it('a run delivered while the page is open shows in the view within 2 s; reload keeps the pipeline', async () => {
    await run('api', 5, 1, 'c5', [
      { name: 'deploy', stage: 'deploy', status: 'success', started_at: Date.now() - MIN, duration_seconds: 300 },
    ]);
    await page.locator('#ci-report tr[data-stage="deploy"] [data-col="runs"]', { hasText: '1 / 3' }).waitFor({ timeout: 2000 });
    await page.locator('#ci-pipelines tr[data-pipeline="api"] [data-col="runs"]', { hasText: '5' }).waitFor({ timeout: 2000 });
    await page.reload();
    await page.locator('#ci-report article[data-pipeline="api"]').waitFor({ timeout: 10_000 });
  });

  it('logged no console error', () => {
    expect(consoleErrors).toEqual([]);
  });
});
