/// <reference lib="dom" />
import { assign, createExperiment, recordOutcomes, stopExperiment } from '@skills/abtest';
import { recordInvocations, type InvocationInput, type Store } from '@skills/storage';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatChange, formatCount, formatRate } from '../../dashboard/src/format.js';
import type { SkillsServer } from '../src/index.js';
import { CHROMIUM, serve, storeFactories } from './helpers.js';

/**
 * The Experiments and Recommendations panels in real headless Chromium against a real server on a
 * seeded SQLite store: the same numbers as the API.
 */
const DAY = 86_400_000;

/**
 * Eight users run pytest-run, lint and coverage-report (all completed); alice runs pytest-run
 * 10 times (3 completed) and lint 4 times (all completed), never coverage-report.
 */
function history(now: number): InvocationInput[] {
  const items: InvocationInput[] = [];
  const at = (i: number) => now - DAY + i * 60_000;
  let n = 0;
  for (let u = 0; u < 8; u++) {
    for (const skill of ['pytest-run', 'lint', 'coverage-report']) {
      for (let i = 0; i < 3; i++)
        items.push({
          id: `h-${n}`,
          skill_name: skill,
          session_id: `s-u${u}`,
          user_id: `user-${u}`,
          invoked_at: at(n++),
          completed: true,
          duration_seconds: 2,
          workflow_phase: 'execution',
        });
    }
  }
  for (let i = 0; i < 10; i++)
    items.push({
      id: `a-p-${i}`,
      skill_name: 'pytest-run',
      session_id: 's-alice',
      user_id: 'alice',
      invoked_at: at(n++),
      completed: i < 3,
      duration_seconds: 3,
      workflow_phase: 'execution',
      error_type: i < 3 ? null : 'Timeout',
    });
  for (let i = 0; i < 4; i++)
    items.push({
      id: `a-l-${i}`,
      skill_name: 'lint',
      session_id: 's-alice',
      user_id: 'alice',
      invoked_at: at(n++),
      completed: true,
      duration_seconds: 1,
      workflow_phase: 'verification',
    });
  return items;
}

describe('the dashboard panels in Chromium', () => {
  const [factory] = storeFactories;
  let store: Store;
  let server: SkillsServer;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];
  const api = async (path: string) => (await (await fetch(`${server.url}${path}`)).json()) as any;

  beforeAll(async () => {
    store = (await factory!.create({ userPseudonymSecret: 'a-secret-of-sixteen-bytes' })).store;
    const now = Date.now();
    await recordInvocations(store, history(now));
    // A running experiment: 300 users; control completes 55 %, treatment 75 % of their outcomes.
    await createExperiment(
      store,
      { name: 'ranker', controlStrategy: 'semantic', treatmentStrategy: 'workflow-aware' },
      { now: now - 2 * DAY },
    );
    const outcomes: { userId: string; completed: boolean; durationSeconds: number }[] = [];
    // Outcomes by the user's place within its variant (assignment is random), so each variant's
    // rate is what it says whichever users land in it.
    const seen = { control: 0, treatment: 0 } as Record<string, number>;
    for (let u = 0; u < 300; u++) {
      const { variant } = await assign(store, 'ranker', `e-${u}`, { now: now - DAY });
      const place = seen[variant] ?? 0;
      seen[variant] = place + 1;
      for (let k = 0; k < 4; k++)
        outcomes.push({
          userId: `e-${u}`,
          completed: (place * 4 + k) % 20 < (variant === 'control' ? 11 : 15),
          durationSeconds: 2 + (k % 3),
        });
    }
    await recordOutcomes(store, 'ranker', outcomes, { now: now - DAY / 2 });
    // Stopped: not on the page (only running experiments are).
    await createExperiment(
      store,
      { name: 'old-ranker', controlStrategy: 'semantic', treatmentStrategy: 'popularity' },
      { now: now - 3 * DAY },
    );
    await stopExperiment(store, 'old-ranker', { now: now - DAY });
    server = await serve(store, 'sqlite');
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

  it('a running experiment shows its variants, effect and interval, chance to beat control, SRM status and verdict, as the API says', async () => {
    await page.goto(`${server.url}/?range=7d`);
    const article = page.locator('#experiments article[data-experiment="ranker"]');
    await article.waitFor({ timeout: 10_000 });
    expect(await page.locator('#experiments article').count()).toBe(1);
    const body = await api('/v1/dashboard/experiments');
    expect(body.experiments.map((e: any) => e.experiment.name)).toEqual(['ranker']);
    const { analysis } = body.experiments[0];
    // The same analysis as the experiments API.
    expect(analysis).toEqual(await api('/v1/experiments/ranker/analysis'));
    expect(analysis.variants.map((v: any) => [v.name, v.assigned])).toEqual([
      ['control', expect.any(Number)],
      ['treatment', expect.any(Number)],
    ]);
    expect(analysis.variants[0].assigned + analysis.variants[1].assigned).toBe(300);
    for (const v of analysis.variants) {
      const row = article.locator(`tr[data-variant="${v.name}"]`);
      expect(await row.locator('[data-col="users"]').textContent()).toBe(formatCount(v.assigned));
      expect(await row.locator('[data-col="completion_rate"]').textContent()).toBe(
        `${formatRate(v.completionRate)} (${formatRate(v.completionRateInterval.lower)}–${formatRate(v.completionRateInterval.upper)})`,
      );
    }
    const c = analysis.comparisons.find((x: any) => x.variant === 'treatment' && x.metric === analysis.primaryMetric);
    expect(c.relativeLift).toBeGreaterThan(0.2);
    const treatment = article.locator('tr[data-variant="treatment"]');
    expect(await treatment.locator('[data-col="lift"]').textContent()).toBe(formatChange(c.relativeLift));
    expect(await treatment.locator('[data-col="lift_interval"]').textContent()).toBe(
      `${formatChange(c.relativeLiftInterval.lower)} to ${formatChange(c.relativeLiftInterval.upper)}`,
    );
    expect(await treatment.locator('[data-col="chance"]').textContent()).toBe(formatRate(c.bayesian.chanceToBeatControl));
    expect(c.bayesian.chanceToBeatControl).toBeGreaterThan(0.99);
    // The control row compares with nothing.
    expect(await article.locator('tr[data-variant="control"] [data-col="lift"]').textContent()).toBe('–');
    expect(await article.locator('.srm').getAttribute('data-value')).toBe(String(analysis.srm.mismatch));
    expect(await article.locator('.srm').textContent()).toBe(analysis.srm.mismatch ? 'SRM: mismatch' : 'SRM: ok');
    expect(await article.locator('.verdict').getAttribute('data-value')).toBe(analysis.verdict);
    expect(await article.locator('.verdict').textContent()).toContain(analysis.reason);
  });

  it("picking a user shows similar users' skills they have not tried and how they compare with the community, as the API says", async () => {
    expect(await page.locator('#recommendations').textContent()).toContain('Pick a user');
    await page.locator('#rec-user').selectOption('alice');
    await page.waitForURL((url) => new URLSearchParams(url.search).get('rec') === 'alice');
    await page.locator('#recommended li').first().waitFor({ timeout: 5000 });
    const view = await api('/v1/dashboard/users/alice');
    expect(view.recommendations).toEqual(await api('/v1/users/alice/recommendations'));
    // coverage-report is what the similar users use and alice has not tried.
    expect(view.recommendations[0].skill).toBe('coverage-report');
    const items = page.locator('#recommended li');
    expect(await items.evaluateAll((els) => els.map((el) => el.getAttribute('data-skill')))).toEqual(
      view.recommendations.map((r: any) => r.skill),
    );
    expect(await items.first().locator('.reason').textContent()).toBe(` ${view.recommendations[0].reason}`);
    expect(view.community.map((c: any) => [c.skill, c.userInvocations, c.verdict])).toEqual([
      ['lint', 4, 'indistinguishable'],
      ['pytest-run', 10, 'below'],
    ]);
    for (const c of view.community) {
      const row = page.locator(`#community tr[data-skill="${c.skill}"]`);
      expect(await row.locator('[data-col="runs"]').textContent()).toBe(formatCount(c.userInvocations));
      expect(await row.locator('[data-col="user_rate"]').textContent()).toBe(formatRate(c.userRate));
      expect(await row.locator('[data-col="global_rate"]').textContent()).toBe(formatRate(c.globalRate));
      expect(await row.locator('[data-col="verdict"]').getAttribute('data-value')).toBe(c.verdict);
    }
    expect(await page.locator('#community tr[data-skill="pytest-run"] [data-col="user_rate"]').textContent()).toBe('30.0 %');
    // Reload keeps the picked user.
    await page.reload();
    await page.locator('#community tr[data-skill="pytest-run"]').waitFor({ timeout: 10_000 });
    expect(await page.locator('#rec-user').inputValue()).toBe('alice');
  });

  it('logged no console error', () => {
    expect(consoleErrors).toEqual([]);
  });
});
