/// <reference lib="dom" />
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { recordInvocations, type InvocationInput, type Store } from '@skills/storage';
import { detectAndRecordAnomalies } from '@skills/timeseries';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCount, formatDuration, formatRate } from '../../dashboard/src/format.js';
import type { SkillsServer } from '../src/index.js';
import { CHROMIUM, postJson, serve, storeFactories } from './helpers.js';

/**
 * The dashboard in real headless Chromium (Debian's, never a downloaded one) against a real
 * server on a seeded SQLite store: the same numbers as the API, the live tail, a detected anomaly
 * in the list and on the chart, the range in the URL, reload, the server going away and back,
 * a token asked once, and no request leaving the server's origin.
 */
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Kept by CI as an artifact (.ci/run prints the folder); git-ignored. */
const OUTPUT = fileURLToPath(new URL('../../dashboard/test-output/screenshots/', import.meta.url));

/** The last complete hour on a weekday (the detector judges a weekday against earlier weekdays). */
function incidentHour(now: number): number {
  let hour = now - (now % HOUR) - HOUR;
  while ([0, 6].includes(new Date(hour).getUTCDay())) hour -= HOUR;
  return hour;
}

/**
 * pytest-run: 20 calls an hour for the 9 days before the incident hour, 19 of 20 completed, then
 * 7 of 20 in it (a drop the detector records); code-review: 4 an hour for the last 2 days, 3 of 4 completed.
 */
function history(incident: number, now: number): InvocationInput[] {
  const items: InvocationInput[] = [];
  for (let hour = incident - 9 * DAY; hour <= incident; hour += HOUR) {
    for (let i = 0; i < 20; i++) {
      items.push({
        id: `p-${hour}-${i}`,
        skill_name: 'pytest-run',
        session_id: `s-${hour}-${i % 4}`,
        user_id: i % 2 === 0 ? 'alice' : 'bob',
        invoked_at: hour + i * 60_000,
        completed: hour === incident ? i < 7 : i < 19,
        duration_seconds: 1 + (i % 5),
        workflow_phase: 'execution',
        error_type: (hour === incident ? i < 7 : i < 19) ? null : 'Timeout',
      });
    }
  }
  for (let hour = now - (now % HOUR) - 2 * DAY; hour < now - (now % HOUR); hour += HOUR) {
    for (let i = 0; i < 4; i++) {
      items.push({
        id: `c-${hour}-${i}`,
        skill_name: 'code-review',
        session_id: `r-${hour}`,
        user_id: 'carol',
        invoked_at: hour + i * 600_000,
        completed: i < 3,
        duration_seconds: 30 + i,
        workflow_phase: 'review',
      });
    }
  }
  return items;
}

async function waitUntil(condition: () => Promise<boolean>, ms: number, what: string): Promise<number> {
  const started = performance.now();
  while (!(await condition())) {
    if (performance.now() - started > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return performance.now() - started;
}

describe('the dashboard in Chromium', () => {
  const [factory] = storeFactories;
  let store: Store;
  let server: SkillsServer;
  let port: number;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let incident: number;
  const consoleErrors: string[] = [];
  const requests: string[] = [];
  let outage = false;
  /** Origins of the servers the tests started: the only places the page may reach. */
  const origins = new Set<string>();

  const origin = () => `http://127.0.0.1:${port}`;
  const api = async (path: string) => (await (await fetch(`${origin()}${path}`)).json()) as any;

  function watch(target: Page): void {
    target.on('console', (message) => {
      if (message.type() !== 'error') return;
      // While the server is down the browser itself logs the refused connections, and a request
      // that reached it while it was closing got 503 (Fastify's return503OnClosing).
      if (outage && /ERR_CONNECTION_REFUSED|WebSocket connection to .* failed|status of 503/.test(message.text())) return;
      consoleErrors.push(message.text());
    });
    target.on('pageerror', (error) => consoleErrors.push(error.message));
    target.on('request', (request) => requests.push(request.url()));
  }

  beforeAll(async () => {
    mkdirSync(OUTPUT, { recursive: true });
    store = (await factory!.create({ userPseudonymSecret: 'a-secret-of-sixteen-bytes' })).store;
    const now = Date.now();
    incident = incidentHour(now);
    const items = history(incident, now);
    for (let i = 0; i < items.length; i += 5000) await recordInvocations(store, items.slice(i, i + 5000));
    server = await serve(store, 'sqlite');
    port = Number(new URL(server.url).port);
    origins.add(server.url);
    browser = await chromium.launch(CHROMIUM);
    context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    page = await context.newPage();
    watch(page);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await store?.close();
    await factory!.cleanup();
  });

  it('shows the seeded skills with the same numbers as the API, and the feed is live', async () => {
    await page.goto(`${origin()}/?range=7d`);
    await page.locator('#status', { hasText: 'live' }).waitFor({ timeout: 10_000 });
    await page.locator('table.skills tbody tr').first().waitFor();
    const table = await api('/v1/dashboard/skills?since=7d');
    expect(table.skills.map((s: { skill_name: string }) => s.skill_name)).toEqual(['pytest-run', 'code-review']);
    for (const skill of table.skills) {
      const row = page.locator(`table.skills tr[data-skill="${skill.skill_name}"]`);
      expect(await row.locator('td[data-col="invocations"]').getAttribute('data-value')).toBe(String(skill.invocations));
      expect(await row.locator('td[data-col="invocations"]').textContent()).toBe(formatCount(skill.invocations));
      expect(await row.locator('td[data-col="completion_rate"]').textContent()).toBe(formatRate(skill.completion_rate));
      expect(await row.locator('td[data-col="errors"]').textContent()).toBe(formatCount(skill.errors));
      expect(await row.locator('td[data-col="p95_duration_seconds"]').textContent()).toBe(formatDuration(skill.p95_duration_seconds));
      expect(await row.locator('td[data-col="trend"]').getAttribute('data-value')).toBe(skill.trend);
    }
    // The first render's two requests went out from the inline boot script (allowed by the CSP's
    // hash), and the page used their answers rather than asking again.
    const requests = await page.evaluate(() => ({
      early: performance.getEntriesByName('skills-dashboard:early-requests').length,
      first: performance
        .getEntriesByType('resource')
        .map((r) => new URL(r.name))
        .filter((url) => url.searchParams.has('previous') || url.searchParams.has('trends'))
        .map((url) => url.pathname + url.search),
    }));
    expect(requests).toEqual({
      early: 1,
      first: ['/v1/dashboard/summary?since=7d&previous=off', '/v1/dashboard/skills?since=7d&trends=off'],
    });
    const summary = await api('/v1/dashboard/summary?since=7d');
    expect(await page.locator('[data-total="invocations"] .value').textContent()).toBe(formatCount(summary.current.invocations));
    expect(await page.locator('[data-total="invocations"] .value').getAttribute('data-value')).toBe(String(summary.current.invocations));
    expect(await page.locator('[data-total="completion_rate"] .value').textContent()).toBe(formatRate(summary.current.completion_rate));
    expect(await page.locator('[data-total="active_sessions"] .value').textContent()).toBe(formatCount(summary.current.active_sessions));
    // The never-used list comes from the taxonomy the server's store was created with (none here: no taxonomy).
    expect(await page.locator('#never-used').textContent()).toContain('Never used (0 of 2 known)');
  });

  it('an invocation posted over HTTP appears in the live tail and changes the counts within 2 s', async () => {
    const before = Number(await page.locator('[data-total="invocations"] .value').getAttribute('data-value'));
    const id = `live-${Date.now()}`;
    const posted = performance.now();
    const response = await postJson(`${origin()}/v1/invocations`, {
      id,
      skill_name: 'code-review',
      session_id: 'live-1',
      user_id: 'dana',
      invoked_at: Date.now(),
      completed: true,
      duration_seconds: 12,
    });
    expect(response.status).toBe(201);
    await page.locator(`#tail li[data-id="${id}"]`).waitFor({ timeout: 2000 });
    await waitUntil(
      async () => (await page.locator('[data-total="invocations"] .value').getAttribute('data-value')) === String(before + 1),
      2000 - (performance.now() - posted),
      'the total to count it',
    );
    expect(await page.locator(`#tail li[data-id="${id}"]`).textContent()).toContain('code-review');
  });

  it('the live tail pauses, resumes and filters', async () => {
    await page.locator('#tail-pause').click();
    const id = `paused-${Date.now()}`;
    await postJson(`${origin()}/v1/invocations`, {
      id,
      skill_name: 'pytest-run',
      session_id: 'live-2',
      invoked_at: Date.now(),
      completed: false,
      error_type: 'AssertionError',
    });
    await page.locator('#tail-pending', { hasText: '1 new while paused' }).waitFor({ timeout: 2000 });
    expect(await page.locator(`#tail li[data-id="${id}"]`).count()).toBe(0);
    await page.locator('#tail-pause').click();
    await page.locator(`#tail li[data-id="${id}"]`).waitFor({ timeout: 1000 });
    await page.locator('#tail-filter').fill('assertion');
    expect(await page.locator('#tail li').count()).toBe(1);
    await page.locator('#tail-filter').fill('');
  });

  it('changing the range changes the numbers and the URL', async () => {
    const weekly = await page.locator('[data-total="invocations"] .value').getAttribute('data-value');
    await page.getByRole('button', { name: '1h', exact: true }).click();
    await page.waitForURL((url) => url.search === '?range=1h');
    const hourly = await api('/v1/dashboard/summary?since=1h');
    await waitUntil(
      async () =>
        (await page.locator('[data-total="invocations"] .value').getAttribute('data-value')) === String(hourly.current.invocations),
      5000,
      'the 1 h totals',
    );
    expect(String(hourly.current.invocations)).not.toBe(weekly);
    await page.getByRole('button', { name: '7d', exact: true }).click();
    await page.waitForURL((url) => url.search === '?range=7d');
    const week = await api('/v1/dashboard/summary?since=7d');
    await page.locator(`[data-total="invocations"] .value[data-value="${week.current.invocations}"]`).waitFor({ timeout: 5000 });
  });

  it("a detected anomaly shows in the list and on the skill's chart, live", async () => {
    await page.locator('table.skills tr[data-skill="pytest-run"] th button').click();
    await page.waitForURL((url) => new URLSearchParams(url.search).get('view') === 'pytest-run');
    await page.locator('#skill-view .chart-plot .uplot').first().waitFor();
    expect(await page.locator('#anomalies li').count()).toBe(0);
    const run = await detectAndRecordAnomalies(store, { now: incident + HOUR + 5 * 60_000 });
    const drop = run.detected.find((a) => a.skill === 'pytest-run' && a.metric === 'completion_rate');
    expect(drop?.bucket).toBe(incident);
    await page.locator(`#anomalies li[data-anomaly-id="${drop!.id}"]`).waitFor({ timeout: 5000 });
    expect(await page.locator(`#anomalies li[data-anomaly-id="${drop!.id}"] .reason`).textContent()).toBe(drop!.reason);
    // Marked on each chart of the skill, strongest on the completion-rate chart.
    await page.locator(`#skill-view .anomaly-marker.strong[data-anomaly-id="${drop!.id}"]`).waitFor({ timeout: 5000 });
    // Polled: a live refresh may redraw the charts between the wait above and this count.
    await expect.poll(() => page.locator(`#skill-view .anomaly-marker[data-anomaly-id="${drop!.id}"]`).count(), { timeout: 5000 }).toBe(3);
    // Polled too: boundingBox() is null for a marker a redraw has just replaced.
    const strong = page.locator(`#skill-view .anomaly-marker.strong[data-anomaly-id="${drop!.id}"]`);
    await expect.poll(async () => (await strong.boundingBox())?.width ?? 0, { timeout: 5000 }).toBeGreaterThan(0);
    const summary = await api('/v1/dashboard/summary?since=7d');
    expect(summary.current.open_anomalies).toBeGreaterThan(0);
    await page.locator(`[data-total="open_anomalies"] .value[data-value="${summary.current.open_anomalies}"]`).waitFor({ timeout: 5000 });
  });

  it('reload keeps the view, and screenshots of the main and skill views, light and dark, laptop and phone', async () => {
    const url = page.url();
    await page.reload();
    expect(page.url()).toBe(url);
    await page.locator('#skill-view[data-skill="pytest-run"]').waitFor();
    expect(await page.getByRole('button', { name: '7d', exact: true }).getAttribute('aria-pressed')).toBe('true');

    for (const colorScheme of ['light', 'dark'] as const) {
      for (const [width, height, name] of [
        [1440, 900, 'laptop'],
        [390, 844, 'phone'],
      ] as const) {
        const shots = await browser.newContext({ viewport: { width, height }, colorScheme });
        const shot = await shots.newPage();
        watch(shot);
        await shot.goto(`${origin()}/?range=7d`);
        await shot.locator('#status', { hasText: 'live' }).waitFor({ timeout: 10_000 });
        await shot.locator('#overview-chart .uplot').waitFor();
        await shot.screenshot({ path: `${OUTPUT}main-${colorScheme}-${name}.png` });
        await shot.locator('table.skills tr[data-skill="pytest-run"] th button').click();
        await shot.locator('#skill-view .anomaly-marker').first().waitFor();
        await shot.screenshot({ path: `${OUTPUT}skill-${colorScheme}-${name}.png` });
        // The background follows the system's scheme.
        const background = await shot.evaluate(() => getComputedStyle(document.body).backgroundColor);
        expect(background).toBe(colorScheme === 'light' ? 'rgb(247, 248, 250)' : 'rgb(15, 18, 23)');
        await shots.close();
      }
    }
  }, 60_000);

  it('every control is reachable with the keyboard', async () => {
    await page.goto(`${origin()}/?range=7d`);
    await page.locator('table.skills tbody tr').first().waitFor();
    const reached = new Set<string>();
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      reached.add(await page.evaluate(() => (document.activeElement?.id || document.activeElement?.textContent || '').trim()));
    }
    for (const control of ['1h', '24h', '7d', '30d', 'filter-skill', 'filter-phase', 'filter-user', 'pytest-run'])
      expect(reached).toContain(control);
    // Enter on a skill's button opens its view.
    await page.locator('table.skills tr[data-skill="code-review"] th button').focus();
    await page.keyboard.press('Enter');
    await page.locator('#skill-view[data-skill="code-review"]').waitFor();
  });

  it('the server going down shows "disconnected"; back, the page catches up and the feed works again', async () => {
    await page.locator('#status', { hasText: 'live' }).waitFor({ timeout: 10_000 });
    outage = true;
    await server.close();
    await page.locator('#status', { hasText: 'disconnected' }).waitFor({ timeout: 5000 });
    // Recorded while the page had no feed: it must show up from the HTTP catch-up.
    const missedId = `missed-${Date.now()}`;
    await recordInvocations(store, [
      { id: missedId, skill_name: 'code-review', session_id: 'gap', invoked_at: Date.now(), completed: true },
    ]);
    server = await serve(store, 'sqlite', { port: String(port) });
    await page.locator('#status', { hasText: 'live' }).waitFor({ timeout: 15_000 });
    outage = false;
    await page.locator(`#tail li[data-id="${missedId}"]`).waitFor({ timeout: 5000 });
    const id = `after-${Date.now()}`;
    await postJson(`${origin()}/v1/invocations`, {
      id,
      skill_name: 'code-review',
      session_id: 'live-3',
      invoked_at: Date.now(),
      completed: true,
    });
    await page.locator(`#tail li[data-id="${id}"]`).waitFor({ timeout: 2000 });
  }, 40_000);

  it('with tokens on, it asks for a token once, keeps it for the session and uses it for HTTP and the WebSocket', async () => {
    const token = 'dashboard-read-token-0123456789';
    const guarded = await serve(store, 'sqlite', { readTokens: token });
    origins.add(guarded.url);
    const tab = await (await browser.newContext()).newPage();
    watch(tab);
    // The refused first reads are the page's cue to ask: the browser logs them as errors.
    const refused: string[] = [];
    tab.on('response', (response) => response.status() === 401 && refused.push(response.url()));
    try {
      await tab.goto(`${guarded.url}/`);
      await tab.locator('#token-dialog input').fill(token);
      await tab.locator('#token-dialog button[type="submit"]').click();
      await tab.locator('#status', { hasText: 'live' }).waitFor({ timeout: 10_000 });
      await tab.locator('table.skills tbody tr').first().waitFor();
      expect(await tab.evaluate(() => sessionStorage.getItem('skills-dashboard-token'))).toBe(token);
      const asked = refused.length;
      expect(asked).toBeGreaterThan(0);
      await tab.reload();
      await tab.locator('#status', { hasText: 'live' }).waitFor({ timeout: 10_000 });
      await tab.locator('table.skills tbody tr').first().waitFor();
      expect(await tab.locator('#token-dialog').count()).toBe(0);
      expect(refused.length).toBe(asked);
    } finally {
      await tab.context().close();
      await guarded.close();
    }
    // Chromium logs each 401 as a console error; those, and only those, are expected here.
    const unexpected = consoleErrors.filter((text) => !/status of 401/.test(text));
    consoleErrors.length = 0;
    consoleErrors.push(...unexpected);
  }, 40_000);

  it('logged no console error, and no request left the origin of the server that served the page', () => {
    expect(consoleErrors).toEqual([]);
    const foreign = requests.filter((url) => !url.startsWith('data:') && !origins.has(new URL(url).origin));
    expect(foreign).toEqual([]);
    expect(requests.length).toBeGreaterThan(20);
  });
});
