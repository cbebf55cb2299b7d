import { createHash } from 'node:crypto';
import { analyzeExperiment, createExperiment } from '@skills/abtest';
import { compareWithCommunity } from '@skills/collab';
import { initializeTaxonomy, recordInvocations, topSkills, type Store } from '@skills/storage';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SkillsServer } from '../src/index.js';
import { invocation, serve, storeFactories } from './helpers.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;
/** The server's clock: 2026-12-01 12:30 UTC. "24h" is then 2026-11-30 12:00 – 2026-12-01 13:00 (25 hours, hour-aligned). */
const NOW = Date.UTC(2026, 11, 1, 12, 30);
const SINCE = Date.UTC(2026, 10, 30, 12);
const UNTIL = Date.UTC(2026, 11, 1, 13);
const PREVIOUS_SINCE = SINCE - 25 * HOUR;
const H10 = Date.UTC(2026, 11, 1, 10);
const H11 = H10 + HOUR;

/**
 * In the range: pytest-run 3 at 10:xx (1 s, 3 s, one failed with Timeout), 1 at 11:05 (bob, 2 s);
 * commit 1 at 11:10 (bob, no duration, no phase). Before it: pytest-run once on 11-30 at 08:00 (carol, 4 s, testing).
 */
function fixture() {
  return [
    invocation('p1', H10 + 60_000, { duration_seconds: 1 }),
    invocation('p2', H10 + 120_000, { duration_seconds: 3 }),
    invocation('p3', H10 + 180_000, { completed: false, duration_seconds: 9, error_type: 'Timeout' }),
    invocation('p4', H11 + 5 * 60_000, { session_id: 's2', user_id: 'bob', duration_seconds: 2 }),
    invocation('c1', H11 + 10 * 60_000, {
      skill_name: 'commit',
      session_id: 's2',
      user_id: 'bob',
      duration_seconds: null,
      workflow_phase: null,
    }),
    invocation('q1', Date.UTC(2026, 10, 30, 8), { session_id: 's3', user_id: 'carol', duration_seconds: 4, workflow_phase: 'testing' }),
  ];
}

async function getJson(url: string): Promise<{ status: number; body: any }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.json() };
}

describe.each(storeFactories)('dashboard endpoints [$name]', (factory) => {
  let store: Store;
  let server: SkillsServer;
  let base: string;
  beforeAll(async () => {
    store = (await factory.create({ userPseudonymSecret: 'a-secret-of-sixteen-bytes' })).store;
    await recordInvocations(store, fixture(), { now: NOW });
    await initializeTaxonomy(store, NOW);
    await store.db
      .insertInto('skill_anomalies')
      .values([
        {
          id: 'an-open',
          skill_name: 'pytest-run',
          anomaly_type: 'drop',
          metric: 'completion_rate',
          bucket_start: H10,
          baseline_value: 0.95,
          observed_value: 0.67,
          deviation_score: -5,
          method: 'robust',
          reason: 'completion rate 67% (2 of 3)',
          detected_at: H11,
          resolved_at: null,
        },
        {
          id: 'an-done',
          skill_name: 'commit',
          anomaly_type: 'spike',
          metric: 'invocation_count',
          bucket_start: H11,
          baseline_value: 0,
          observed_value: 1,
          deviation_score: 4,
          method: 'robust',
          reason: 'volume 1',
          detected_at: H11 + HOUR,
          resolved_at: H11 + 2 * HOUR,
        },
      ])
      .execute();
    await createExperiment(store, { name: 'ranker', controlStrategy: 'semantic', treatmentStrategy: 'workflow-aware' }, { now: NOW - DAY });
    server = await serve(store, factory.name, {}, { now: () => NOW });
    base = `${server.url}/v1/dashboard`;
  });
  afterAll(async () => {
    await server?.close();
    await store.close();
    await factory.cleanup();
  });

  it('summary: totals of the range beside the previous range of the same length, their change, and the range per hour', async () => {
    const { status, body } = await getJson(`${base}/summary`);
    expect(status).toBe(200);
    expect({ since: body.since, until: body.until, previous_since: body.previous_since }).toEqual({
      since: SINCE,
      until: UNTIL,
      previous_since: PREVIOUS_SINCE,
    });
    expect(body.current).toEqual({
      invocations: 5,
      completed: 4,
      completion_rate: 0.8,
      p95_duration_seconds: expect.closeTo(2.9, 9),
      active_sessions: 2,
      anomalies: 2,
      open_anomalies: 1,
    });
    expect(body.previous).toEqual({
      invocations: 1,
      completed: 1,
      completion_rate: 1,
      p95_duration_seconds: 4,
      active_sessions: 1,
      anomalies: 0,
      open_anomalies: 0,
    });
    expect(body.change).toEqual({
      invocations: 4,
      completion_rate: expect.closeTo(-0.2, 9),
      p95_duration_seconds: expect.closeTo(-0.275, 9),
      active_sessions: 1,
      open_anomalies: 1,
    });
    expect(body.series.bucket_ms).toBe(HOUR);
    expect(body.series.points).toHaveLength(25);
    expect(body.series.points.filter((p: { invocations: number }) => p.invocations > 0)).toEqual([
      { ts: H10, invocations: 3, completed: 2 },
      { ts: H11, invocations: 2, completed: 2 },
    ]);
  });

  it('summary: previous=off answers the range alone (previous and change null), the same current totals and series', async () => {
    const full = (await getJson(`${base}/summary`)).body;
    const { status, body } = await getJson(`${base}/summary?previous=off`);
    expect(status).toBe(200);
    expect(body).toEqual({ ...full, previous: null, change: null });
    expect(body.current.invocations).toBe(5);
    const bad = await getJson(`${base}/summary?previous=no`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues).toEqual([{ index: -1, field: 'previous', message: 'expected on or off' }]);
  });

  it('skills: trends=off answers the same table with every trend null', async () => {
    const full = (await getJson(`${base}/skills`)).body;
    const { status, body } = await getJson(`${base}/skills?trends=off`);
    expect(status).toBe(200);
    expect(body).toEqual({ ...full, skills: full.skills.map((row: Record<string, unknown>) => ({ ...row, trend: null })) });
    expect(full.skills[0].trend).toBe('insufficient_data');
    const bad = await getJson(`${base}/skills?trends=yes`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues).toEqual([{ index: -1, field: 'trends', message: 'expected on or off' }]);
  });

  it('summary: a user or phase filter is read from the invocations themselves', async () => {
    const bob = (await getJson(`${base}/summary?user=bob`)).body;
    expect(bob.current).toEqual({
      invocations: 2,
      completed: 2,
      completion_rate: 1,
      p95_duration_seconds: 2,
      active_sessions: 1,
      anomalies: 2,
      open_anomalies: 1,
    });
    const testing = (await getJson(`${base}/summary?phase=testing&since=7d`)).body;
    expect(testing.current.invocations).toBe(1);
    expect(testing.current.p95_duration_seconds).toBe(4);
    const skill = (await getJson(`${base}/summary?skill=commit`)).body;
    expect(skill.current).toEqual({
      invocations: 1,
      completed: 1,
      completion_rate: 1,
      p95_duration_seconds: null,
      active_sessions: 1,
      anomalies: 1,
      open_anomalies: 0,
    });
  });

  it('summary: a bad parameter is a 400 naming it, and unknown ones are refused', async () => {
    const { status, body } = await getJson(`${base}/summary?since=tomorrow&colour=red`);
    expect(status).toBe(400);
    expect(body.error.issues).toEqual([
      { index: -1, field: 'since', message: 'expected a duration before now (30m, 24h, 7d, 2w), now, epoch milliseconds or ISO-8601' },
      { index: -1, field: 'colour', message: 'unknown parameter' },
    ]);
    const reversed = await getJson(`${base}/summary?since=now&until=2d`);
    expect(reversed.status).toBe(400);
    expect(reversed.body.error.issues).toEqual([{ index: -1, field: 'since', message: 'must not be after until' }]);
  });

  it("skills: topSkills' figures for the range, with errors, trend direction and an hourly sparkline", async () => {
    const { body } = await getJson(`${base}/skills`);
    const top = await topSkills(store, { since: SINCE, until: UNTIL, limit: 1000 });
    expect(body.sparkline_bucket_ms).toBe(HOUR);
    expect(
      body.skills.map((s: Record<string, unknown>) => ({
        skill_name: s.skill_name,
        invocations: s.invocations,
        completed: s.completed,
        completion_rate: s.completion_rate,
        avg_duration_seconds: s.avg_duration_seconds,
        p95_duration_seconds: s.p95_duration_seconds,
      })),
    ).toEqual(top);
    const [pytest, commit] = body.skills;
    expect([pytest.skill_name, pytest.errors, pytest.trend, commit.skill_name, commit.errors]).toEqual([
      'pytest-run',
      1,
      'insufficient_data',
      'commit',
      0,
    ]);
    const sparkline = new Array(25).fill(0);
    sparkline[22] = 3;
    sparkline[23] = 1;
    expect(pytest.sparkline).toEqual(sparkline);
  });

  it('skills: with a user filter, the same figures from the invocations', async () => {
    const { body } = await getJson(`${base}/skills?user=alice`);
    expect(body.skills).toEqual([
      {
        skill_name: 'pytest-run',
        invocations: 3,
        completed: 2,
        completion_rate: 2 / 3,
        avg_duration_seconds: 2,
        p95_duration_seconds: expect.closeTo(2.9, 9),
        errors: 1,
        trend: 'insufficient_data',
        sparkline: expect.any(Array),
      },
    ]);
    expect(body.skills[0].sparkline[22]).toBe(3);
  });

  it("skills/{skill}: every hour's volume, completion rate and p95, anomalies, errors, the trend of /trend, the baseline", async () => {
    const { status, body } = await getJson(`${base}/skills/pytest-run`);
    expect(status).toBe(200);
    expect(body.hours).toHaveLength(25);
    expect(body.hours.filter((h: { invocations: number }) => h.invocations > 0)).toEqual([
      { ts: H10, invocations: 3, completed: 2, completion_rate: 2 / 3, p95_duration_seconds: expect.closeTo(2.9, 9) },
      { ts: H11, invocations: 1, completed: 1, completion_rate: 1, p95_duration_seconds: 2 },
    ]);
    expect(body.anomalies.map((a: { id: string }) => a.id)).toEqual(['an-open']);
    expect(body.top_errors).toEqual([{ error_type: 'Timeout', count: 1 }]);
    const trend = await getJson(`${server.url}/v1/skills/pytest-run/trend?days=7&until=${NOW}`);
    expect(body.trend).toEqual(trend.body);
    expect(body.community_baseline).toMatchObject({ skill: 'pytest-run', totalUsers: 3, totalInvocations: 5, completionRate: 0.8 });
    expect(Array.isArray(body.dependencies)).toBe(true);
    const missing = await getJson(`${base}/skills/no-such-skill`);
    expect([missing.status, missing.body.error.kind, missing.body.error.id]).toEqual([404, 'skill', 'no-such-skill']);
  });

  it('unused: taxonomy skills never used in the range, and those with fewer than rare_below invocations', async () => {
    const { body } = await getJson(`${base}/unused?rare_below=2`);
    expect(body.known_skills).toBe(23);
    expect(body.never).toHaveLength(21);
    expect(body.never.find((s: { skill_name: string }) => s.skill_name === 'ruff-check')).toEqual({
      skill_name: 'ruff-check',
      invocations: 0,
      last_invoked: null,
      categories: ['Code Quality', 'Linting & Formatting'],
    });
    expect(body.rarely).toEqual([{ skill_name: 'commit', invocations: 1, last_invoked: H11 + 10 * 60_000, categories: [] }]);
    const bad = await getJson(`${base}/unused?rare_below=0`);
    expect(bad.body.error.issues).toEqual([{ index: -1, field: 'rare_below', message: 'expected an integer from 1 to 1000000' }]);
  });

  it('experiments: the running ones, each with the analysis of /v1/experiments/{experiment}/analysis', async () => {
    const { body } = await getJson(`${base}/experiments`);
    expect(body.experiments.map((e: { experiment: { name: string } }) => e.experiment.name)).toEqual(['ranker']);
    expect(body.experiments[0].analysis).toEqual(JSON.parse(JSON.stringify(await analyzeExperiment(store, 'ranker', { now: NOW }))));
    expect((await getJson(`${base}/experiments?status=completed`)).body).toEqual({ experiments: [] });
  });

  it("users/{user}: the user's recommendations and their comparison with the community", async () => {
    const { body } = await getJson(`${base}/users/alice?limit=5`);
    const recommendations = await getJson(`${server.url}/v1/users/alice/recommendations?limit=5`);
    expect(body.recommendations).toEqual(recommendations.body);
    expect(body.community).toEqual(JSON.parse(JSON.stringify(await compareWithCommunity(store, 'alice'))));
    expect(body.community.map((c: { skill: string; userInvocations: number }) => [c.skill, c.userInvocations])).toEqual([
      ['pytest-run', 3],
    ]);
  });

  it("filters: every recorded skill and phase, and the range's users, busiest first", async () => {
    const { body } = await getJson(`${base}/filters`);
    expect(body).toEqual({
      skills: ['commit', 'pytest-run'],
      phases: ['execution', 'testing'],
      users: [
        { user_id: 'alice', invocations: 3 },
        { user_id: 'bob', invocations: 2 },
      ],
    });
  });

  it('the OpenAPI document lists the dashboard endpoints', async () => {
    const { body } = await getJson(`${server.url}/openapi.json`);
    expect(Object.keys(body.paths).filter((path) => path.startsWith('/v1/dashboard'))).toEqual([
      '/v1/dashboard/summary',
      '/v1/dashboard/skills',
      '/v1/dashboard/skills/{skill}',
      '/v1/dashboard/unused',
      '/v1/dashboard/experiments',
      '/v1/dashboard/users/{user}',
      '/v1/dashboard/filters',
    ]);
  });
});

describe('the page at /', () => {
  let server: SkillsServer;
  let store: Store;
  const [factory] = storeFactories;
  beforeAll(async () => {
    store = (await factory!.create()).store;
    server = await serve(store, 'sqlite');
  });
  afterAll(async () => {
    await server?.close();
    await store.close();
    await factory!.cleanup();
  });

  it('index.html is never cached, allows only its own origin, and names hashed assets that are cached for a year', async () => {
    const page = await fetch(`${server.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(page.headers.get('content-security-policy')).toContain("connect-src 'self'");
    const html = await page.text();
    // The one inline script (the boot that starts the first render's requests) is allowed by its hash, nothing else inline.
    const inline = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    expect(inline).toHaveLength(1);
    const hash = createHash('sha256').update(inline[0]!).digest('base64');
    expect(page.headers.get('content-security-policy')).toContain(`script-src 'self' 'sha256-${hash}';`);
    expect(page.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets.map((a) => a.replace(/-[A-Z0-9]{8}\./, '-HASH.'))).toEqual(['/assets/app-HASH.css', '/assets/app-HASH.js']);
    for (const asset of assets) {
      const response = await fetch(`${server.url}${asset}`, { headers: { 'accept-encoding': 'gzip' } });
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(response.headers.get('content-encoding')).toBe('gzip');
    }
    const missing = await fetch(`${server.url}/assets/app-NOPE.js`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { kind: string } }).error.kind).toBe('asset');
  });

  it('serves gzip only to clients that ask for it', async () => {
    const { request } = await import('node:http');
    const html = await fetch(`${server.url}/`).then((r) => r.text());
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const raw = await new Promise<{ encoding: string | undefined; body: Buffer }>((resolve, reject) => {
      request(`${server.url}${script}`, { headers: { 'accept-encoding': 'identity' } }, (response) => {
        const chunks: Buffer[] = [];
        response
          .on('data', (c: Buffer) => chunks.push(c))
          .on('end', () => resolve({ encoding: response.headers['content-encoding'], body: Buffer.concat(chunks) }));
      })
        .on('error', reject)
        .end();
    });
    expect(raw.encoding).toBeUndefined();
    const zipped = await new Promise<Buffer>((resolve, reject) => {
      request(`${server.url}${script}`, { headers: { 'accept-encoding': 'gzip' } }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks)));
      })
        .on('error', reject)
        .end();
    });
    expect(gunzipSync(zipped).equals(raw.body)).toBe(true);
  });
});
