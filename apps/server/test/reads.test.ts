import { analyzeExperiment, createExperiment } from '@skills/abtest';
import { recommendSkills } from '@skills/collab';
import { getSkillMetrics, recordInvocations, searchInvocations, sessionSummary, type Store } from '@skills/storage';
import { skillTrend } from '@skills/timeseries';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_ROUTES, type SkillsServer } from '../src/index.js';
import { invocation, serve, storeFactories } from './helpers.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;
/** The server's clock in these tests: 2026-12-01 12:30 UTC. */
const NOW = Date.UTC(2026, 11, 1, 12, 30);
const H10 = Date.UTC(2026, 11, 1, 10);
const H11 = H10 + HOUR;

/**
 * pytest-run: 3 at 10:xx (2 completed, 1 s and 3 s; one failed), 1 at 11:05 (completed, 2 s);
 * commit: 1 at 11:10 (completed, no duration). Sessions s1 (alice) and s2 (bob); queries searchable.
 */
function fixture() {
  return [
    invocation('p1', H10 + 60_000, { duration_seconds: 1, user_query: 'run the auth tests' }),
    invocation('p2', H10 + 120_000, { duration_seconds: 3, user_query: 'run the payment tests' }),
    invocation('p3', H10 + 180_000, { completed: false, duration_seconds: 9, error_type: 'Timeout', user_query: 'auth tests again' }),
    invocation('p4', H11 + 5 * 60_000, { session_id: 's2', user_id: 'bob', duration_seconds: 2 }),
    invocation('c1', H11 + 10 * 60_000, {
      skill_name: 'commit',
      session_id: 's2',
      user_id: 'bob',
      duration_seconds: null,
      workflow_phase: null,
    }),
  ];
}

async function getJson(url: string): Promise<{ status: number; body: any }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.json() };
}

describe.each(storeFactories)('read endpoints [$name]', (factory) => {
  let store: Store;
  let server: SkillsServer;
  let base: string;
  beforeAll(async () => {
    store = (await factory.create({ userPseudonymSecret: 'a-secret-of-sixteen-bytes' })).store;
    await recordInvocations(store, fixture(), { now: NOW });
    await createExperiment(store, { name: 'ranker', controlStrategy: 'semantic', treatmentStrategy: 'workflow-aware' }, { now: NOW - DAY });
    server = await serve(store, factory.name, {}, { now: () => NOW });
    base = `${server.url}/v1`;
  });
  afterAll(async () => {
    await server.close();
    await store.close();
    await factory.cleanup();
  });

  it('GET /v1/skills/top: the top skills of the last 24 h, with the field names of `skills top --json`', async () => {
    const { status, body } = await getJson(`${base}/skills/top`);
    expect(status).toBe(200);
    expect(body).toEqual([
      {
        skill_name: 'pytest-run',
        invocations: 4,
        completed: 3,
        completion_rate: 0.75,
        avg_duration_seconds: 2,
        p95_duration_seconds: expect.any(Number),
      },
      { skill_name: 'commit', invocations: 1, completed: 1, completion_rate: 1, avg_duration_seconds: null, p95_duration_seconds: null },
    ]);
    expect(body[0].p95_duration_seconds).toBeGreaterThanOrEqual(2.9);
    expect(body[0].p95_duration_seconds).toBeLessThanOrEqual(3.6);
  });

  it('GET /v1/skills/top: order_by, limit and a window', async () => {
    const { body } = await getJson(`${base}/skills/top?order_by=completion_rate&limit=1&since=2026-12-01T11:00:00Z&until=now`);
    expect(body.map((s: { skill_name: string; invocations: number }) => [s.skill_name, s.invocations])).toEqual([['commit', 1]]);
  });

  it('GET /v1/skills/top: bad parameters are a 400 naming each one', async () => {
    const { status, body } = await getJson(`${base}/skills/top?limit=0&order_by=speed&since=tomorrow&color=red`);
    expect(status).toBe(400);
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.issues).toEqual([
      { index: -1, field: 'since', message: 'expected a duration before now (30m, 24h, 7d, 2w), now, epoch milliseconds or ISO-8601' },
      { index: -1, field: 'limit', message: 'expected an integer from 1 to 1000' },
      {
        index: -1,
        field: 'order_by',
        message: 'Invalid option: expected one of "invocations"|"completion_rate"|"avg_duration"|"p95_duration"',
      },
      { index: -1, field: 'color', message: 'unknown parameter' },
    ]);
  });

  it('GET /v1/skills/:skill is `skills metrics SKILL --json`; an unknown skill is a 404', async () => {
    const { status, body } = await getJson(`${base}/skills/pytest-run`);
    expect(status).toBe(200);
    expect(body).toEqual(JSON.parse(JSON.stringify(await getSkillMetrics(store, 'pytest-run'))));
    expect(body).toMatchObject({ skill_name: 'pytest-run', total_invocations: 4, completed_invocations: 3, common_errors: { Timeout: 1 } });
    const missing = await getJson(`${base}/skills/no-such-skill`);
    expect(missing).toEqual({
      status: 404,
      body: { error: { code: 'not_found', message: 'skill not found: no-such-skill', kind: 'skill', id: 'no-such-skill' } },
    });
  });

  it('GET /v1/skills/:skill/hourly: one point per hour with data, oldest first', async () => {
    const { status, body } = await getJson(`${base}/skills/pytest-run/hourly`);
    expect(status).toBe(200);
    expect(body).toEqual([
      { ts: H10, count: 3, completed: 2, avgDuration: 2, uniqueSessions: 1 },
      { ts: H11, count: 1, completed: 1, avgDuration: 2, uniqueSessions: 1 },
    ]);
    const filled = await getJson(`${base}/skills/commit/hourly?since=2026-12-01T09:00:00Z&fill=true`);
    expect(filled.body.map((p: { ts: number; count: number }) => [p.ts, p.count])).toEqual([
      [H10 - HOUR, 0],
      [H10, 0],
      [H11, 1],
      [H11 + HOUR, 0],
    ]);
  });

  it('GET /v1/skills/:skill/trend is `skills trend SKILL --json`', async () => {
    const { status, body } = await getJson(`${base}/skills/pytest-run/trend?days=7&metric=invocation_count`);
    expect(status).toBe(200);
    const trend = await skillTrend(store, 'pytest-run', { metric: 'invocation_count', days: 7, until: NOW });
    expect(body).toEqual(JSON.parse(JSON.stringify({ skill: 'pytest-run', ...trend })));
    expect(body).toMatchObject({ skill: 'pytest-run', metric: 'invocation_count', direction: 'insufficient_data' });
  });

  it('GET /v1/anomalies: {anomalies} as `skills anomalies --json` (none recorded yet)', async () => {
    expect(await getJson(`${base}/anomalies?open=true`)).toEqual({ status: 200, body: { anomalies: [] } });
    expect((await getJson(`${base}/anomalies?skill=nope`)).status).toBe(404);
    expect((await getJson(`${base}/anomalies?method=magic`)).body.error.issues[0].field).toBe('method');
  });

  it('GET /v1/sessions/:session is `skills session ID --json`', async () => {
    const { status, body } = await getJson(`${base}/sessions/s2`);
    expect(status).toBe(200);
    expect(body).toEqual(JSON.parse(JSON.stringify(await sessionSummary(store, 's2'))));
    expect(body).toMatchObject({ session_id: 's2', total_invocations: 2, unique_skills: 2 });
    expect((await getJson(`${base}/sessions/none`)).status).toBe(404);
  });

  it('GET /v1/search finds queries by words, best match first', async () => {
    const { status, body } = await getJson(`${base}/search?q=auth%20tests&limit=5`);
    expect(status).toBe(200);
    expect(body).toEqual(JSON.parse(JSON.stringify(await searchInvocations(store, 'auth tests', { limit: 5 }))));
    expect(body.map((i: { id: string }) => i.id).sort()).toEqual(['p1', 'p3']);
    const empty = await getJson(`${base}/search?q=`);
    expect(empty.body.error.issues).toEqual([{ index: -1, field: 'q', message: 'must not be empty' }]);
  });

  it('GET /v1/invocations pages newest first with nextCursor', async () => {
    const first = await getJson(`${base}/invocations?limit=2`);
    expect(first.body.items.map((i: { id: string }) => i.id)).toEqual(['c1', 'p4']);
    const second = await getJson(`${base}/invocations?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(second.body.items.map((i: { id: string }) => i.id)).toEqual(['p3', 'p2']);
    const filtered = await getJson(`${base}/invocations?skill=pytest-run&session=s1&since=2026-12-01T10:02:00Z`);
    expect(filtered.body).toMatchObject({ nextCursor: null });
    expect(filtered.body.items.map((i: { id: string; completed: boolean }) => [i.id, i.completed])).toEqual([
      ['p3', false],
      ['p2', true],
    ]);
  });

  it('GET /v1/users/:user/recommendations is `skills recommend USER --json`', async () => {
    const { status, body } = await getJson(`${base}/users/alice/recommendations?limit=3`);
    expect(status).toBe(200);
    expect(body).toEqual(JSON.parse(JSON.stringify(await recommendSkills(store, 'alice', { limit: 3, neighbours: 20, minSuccesses: 1 }))));
    expect(body.map((r: { skill: string }) => r.skill)).toEqual(['commit']);
  });

  it('GET /v1/experiments/:experiment/analysis is `skills abtest analyze EXP --json`; unknown is a 404', async () => {
    const { status, body } = await getJson(`${base}/experiments/ranker/analysis`);
    expect(status).toBe(200);
    expect(body).toEqual(JSON.parse(JSON.stringify(await analyzeExperiment(store, 'ranker', { now: NOW }))));
    expect(body).toMatchObject({ name: 'ranker', status: 'running' });
    const missing = await getJson(`${base}/experiments/nope/analysis`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
  });

  it('answers each read with JSON its OpenAPI response schema accepts', async () => {
    const paths: Record<string, string> = {
      topSkills: '/skills/top',
      skillHourlySeries: '/skills/pytest-run/hourly',
      listAnomalies: '/anomalies',
      sessionSummary: '/sessions/s1',
      searchInvocations: '/search?q=tests',
      listInvocations: '/invocations',
      recommendSkills: '/users/alice/recommendations',
    };
    for (const [operationId, path] of Object.entries(paths)) {
      const schema = API_ROUTES.find((route) => route.operationId === operationId)!.responses.find((r) => r.status === 200)!.schema!;
      const { status, body } = await getJson(`${base}${path}`);
      expect(status).toBe(200);
      const parsed = schema.safeParse(body);
      expect(parsed.success ? operationId : `${operationId}: ${parsed.error.message}`).toBe(operationId);
    }
  });

  it('GET /healthz and /readyz', async () => {
    expect(await getJson(`${server.url}/healthz`)).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await getJson(`${server.url}/readyz`)).toEqual({ status: 200, body: { status: 'ready' } });
  });
});
