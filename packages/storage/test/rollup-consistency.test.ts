import { createHmac } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { recordInvocations, type InvocationInput, type Store } from '../src/index.js';
import { bucketOf } from '../src/rollups/duration-histogram.js';
import { DAY, HOUR, T0, seededRandom, storeFactories } from './helpers.js';

const SKILLS = ['pytest-run', 'ruff-check', 'git-commit', 'docker-build', 'code-review'];
const PATHS = ['quick', 'comprehensive', 'a.b[0]', '__proto__', 'x"y'];
const ERRORS = ['ImportError: pkg.mod', "KeyError: ['x']", 'TimeoutError', 'constructor'];
const ACTIONS = ['commit', 'push.origin', 'open[1]', 'toString'];

function randomBatch(random: () => number, size: number, previousIds: string[], serial: { n: number }): InvocationInput[] {
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const batch: InvocationInput[] = [];
  for (let i = 0; i < size; i++) {
    const reuse = previousIds.length > 0 && random() < 0.15;
    const id = reuse ? pick(previousIds) : `inv-${serial.n++}`;
    const completed = random() < 0.7;
    batch.push({
      id,
      skill_name: pick(SKILLS),
      invoked_at: T0 + Math.floor(random() * 3 * DAY),
      session_id: `s${Math.floor(random() * 12)}`,
      user_id: random() < 0.9 ? `u${Math.floor(random() * 5)}` : null,
      workflow_path: random() < 0.6 ? pick(PATHS) : null,
      workflow_phase: random() < 0.7 ? pick(['setup', 'execution', 'verification']) : null,
      completed,
      duration_seconds: random() < 0.2 ? null : Math.round(random() * 120_000) / 1000,
      error_type: completed ? null : pick(ERRORS),
      follow_up_actions: random() < 0.4 ? [pick(ACTIONS), pick(ACTIONS), pick(ACTIONS)] : null,
      user_query: 'run the tests',
    });
    if (!reuse) previousIds.push(id);
  }
  // Repeat an item inside the batch now and then.
  if (size > 2 && random() < 0.5) batch.push({ ...batch[0]! });
  return batch;
}

const SECRET = 'rollup-consistency-secret';
/** HMAC-SHA-256, base64url, 22 characters: written out here so the test does not trust the code under test. */
const pseudonym = (user: string) => createHmac('sha256', SECRET).update(user).digest('base64url').slice(0, 22);

/** An independent, deliberately naive recomputation of every rollup from skill_invocation. */
async function recompute(store: Store) {
  const rows = await store.db.selectFrom('skill_invocation').selectAll().orderBy('id').execute();
  const tally = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  const metrics = new Map<string, any>();
  const sessions = new Map<string, any>();
  const hours = new Map<string, any>();
  const days = new Map<string, any>();
  const interactions = new Map<string, any>();
  for (const row of rows) {
    const timed = row.completed === 1 && row.duration_seconds !== null;
    const m = metrics.get(row.skill_name) ?? {
      total: 0,
      completed: 0,
      sum: 0,
      timed: 0,
      first: Infinity,
      last: -Infinity,
      paths: new Map(),
      phases: new Map(),
      errors: new Map(),
      actions: new Map(),
    };
    m.total++;
    m.completed += row.completed;
    if (timed) {
      m.sum += row.duration_seconds;
      m.timed++;
    }
    m.first = Math.min(m.first, row.invoked_at);
    m.last = Math.max(m.last, row.invoked_at);
    if (row.workflow_path !== null) tally(m.paths, row.workflow_path);
    if (row.workflow_phase !== null) tally(m.phases, row.workflow_phase);
    if (row.error_type !== null) tally(m.errors, row.error_type);
    for (const action of row.follow_up_actions ? JSON.parse(row.follow_up_actions) : []) tally(m.actions, action);
    metrics.set(row.skill_name, m);

    const sk = `${row.session_id}|${row.skill_name}`;
    const s = sessions.get(sk) ?? { count: 0, first: Infinity, last: -Infinity };
    s.count++;
    s.first = Math.min(s.first, row.invoked_at);
    s.last = Math.max(s.last, row.invoked_at);
    sessions.set(sk, s);

    const hourStart = Math.floor(row.invoked_at / HOUR) * HOUR;
    const hk = `${row.skill_name}|${hourStart}`;
    const h = hours.get(hk) ?? { count: 0, completed: 0, sum: 0, n: 0, sessions: new Set(), histogram: new Map() };
    h.count++;
    h.completed += row.completed;
    h.sessions.add(row.session_id);
    if (timed) {
      h.sum += row.duration_seconds;
      h.n++;
      tally(h.histogram, String(bucketOf(row.duration_seconds!)));
    }
    hours.set(hk, h);

    const dk = `${Math.floor(row.invoked_at / DAY) * DAY}|${row.skill_name}`;
    const d = days.get(dk) ?? { count: 0, completed: 0, sum: 0, n: 0 };
    d.count++;
    d.completed += row.completed;
    if (timed) {
      d.sum += row.duration_seconds;
      d.n++;
    }
    days.set(dk, d);

    if (row.user_id !== null) {
      const ik = `${pseudonym(row.user_id)}|${row.skill_name}`;
      const i = interactions.get(ik) ?? { count: 0, completed: 0, first: Infinity, last: -Infinity };
      i.count++;
      i.completed += row.completed;
      i.first = Math.min(i.first, row.invoked_at);
      i.last = Math.max(i.last, row.invoked_at);
      interactions.set(ik, i);
    }
  }
  const cache = new Map<string, any>();
  for (const [skill, m] of metrics) {
    const windowEnd = Math.floor(m.last / HOUR) * HOUR;
    const inWindow = rows.filter((r) => r.skill_name === skill && r.invoked_at >= windowEnd - 23 * HOUR && r.invoked_at < windowEnd + HOUR);
    const completed24 = inWindow.filter((r) => r.completed === 1).length;
    cache.set(skill, {
      last_invocation_at: m.last,
      window_end: windowEnd,
      invocation_count_1h: inWindow.filter((r) => r.invoked_at >= windowEnd).length,
      invocation_count_24h: inWindow.length,
      completed_count_24h: completed24,
      avg_completion_rate_24h: completed24 / inWindow.length,
    });
  }
  return { rows, metrics, sessions, hours, days, cache, interactions };
}

const obj = (map: Map<string, number>) => Object.fromEntries([...map].sort(([a], [b]) => (a < b ? -1 : 1)));

async function expectRollupsExact(store: Store) {
  const expected = await recompute(store);
  const close = (value: number | null, want: number | null) =>
    want === null ? expect(value).toBeNull() : expect(value).toBeCloseTo(want, 9);

  const metrics = await store.db.selectFrom('skill_metrics').selectAll().execute();
  expect(metrics.map((m) => m.skill_name).sort()).toEqual([...expected.metrics.keys()].sort());
  for (const m of metrics) {
    const want = expected.metrics.get(m.skill_name);
    expect([
      m.total_invocations,
      m.completed_invocations,
      m.abandoned_invocations,
      m.timed_completions,
      m.first_invoked,
      m.last_invoked,
    ]).toEqual([want.total, want.completed, want.total - want.completed, want.timed, want.first, want.last]);
    close(m.total_duration_seconds, want.sum);
    close(m.avg_duration_seconds, want.timed > 0 ? want.sum / want.timed : null);
    close(m.completion_rate, want.completed / want.total);
    expect(Object.entries(JSON.parse(m.workflow_paths))).toEqual(Object.entries(obj(want.paths)));
    expect(Object.entries(JSON.parse(m.workflow_phases))).toEqual(Object.entries(obj(want.phases)));
    expect(Object.entries(JSON.parse(m.common_errors))).toEqual(Object.entries(obj(want.errors)));
    expect(Object.entries(JSON.parse(m.follow_up_actions))).toEqual(Object.entries(obj(want.actions)));
  }

  const sessions = await store.db.selectFrom('session_skills').selectAll().execute();
  expect(sessions).toHaveLength(expected.sessions.size);
  for (const s of sessions) {
    const want = expected.sessions.get(`${s.session_id}|${s.skill_name}`);
    expect([s.invocation_count, s.first_used, s.last_used]).toEqual([want.count, want.first, want.last]);
  }

  const hours = await store.db.selectFrom('skill_time_series').selectAll().execute();
  expect(hours).toHaveLength(expected.hours.size);
  for (const h of hours) {
    const want = expected.hours.get(`${h.skill_name}|${h.hour_start}`);
    expect([h.invocation_count, h.completed_count, h.duration_count, h.unique_sessions]).toEqual([
      want.count,
      want.completed,
      want.n,
      want.sessions.size,
    ]);
    close(h.completion_rate, want.completed / want.count);
    close(h.duration_sum, want.sum);
    close(h.avg_duration_seconds, want.n > 0 ? want.sum / want.n : null);
    expect(JSON.parse(h.duration_histogram)).toEqual(obj(want.histogram));
  }

  const days = await store.db.selectFrom('mv_daily_skills').selectAll().execute();
  expect(days).toHaveLength(expected.days.size);
  for (const d of days) {
    const want = expected.days.get(`${d.date}|${d.skill_name}`);
    expect([d.invocations, d.completions, d.abandonments, d.duration_count]).toEqual([
      want.count,
      want.completed,
      want.count - want.completed,
      want.n,
    ]);
    close(d.duration_sum, want.sum);
    close(d.avg_duration_seconds, want.n > 0 ? want.sum / want.n : null);
  }

  const cache = await store.db.selectFrom('skill_metrics_cache').selectAll().execute();
  expect(cache).toHaveLength(expected.cache.size);
  for (const c of cache) {
    const want = expected.cache.get(c.skill_name);
    expect({
      last_invocation_at: c.last_invocation_at,
      window_end: c.window_end,
      invocation_count_1h: c.invocation_count_1h,
      invocation_count_24h: c.invocation_count_24h,
      completed_count_24h: c.completed_count_24h,
    }).toEqual({ ...want, avg_completion_rate_24h: undefined });
    close(c.avg_completion_rate_24h, want.avg_completion_rate_24h);
  }
  const interactions = await store.db.selectFrom('skill_user_interactions').selectAll().execute();
  expect(interactions).toHaveLength(expected.interactions.size);
  for (const i of interactions) {
    const want = expected.interactions.get(`${i.user_id}|${i.skill_name}`);
    expect([i.invocation_count, i.completed_count, i.first_used, i.last_used]).toEqual([want.count, want.completed, want.first, want.last]);
  }
  return expected;
}

describe.each(storeFactories)('rollups [$name]', (factory) => {
  afterAll(() => factory.cleanup());

  it('stay exactly equal to a recomputation from skill_invocation after random batches with duplicates', async () => {
    const { store } = await factory.create({ userPseudonymSecret: SECRET });
    try {
      const random = seededRandom(20260105);
      const ids: string[] = [];
      const serial = { n: 0 };
      let distinct = 0;
      for (let batch = 0; batch < 25; batch++) {
        const items = randomBatch(random, 1 + Math.floor(random() * 60), ids, serial);
        const before = distinct;
        const result = await recordInvocations(store, items);
        distinct = new Set(ids).size;
        expect(result.inserted).toBe(distinct - before);
        expect(result.inserted + result.duplicates).toBe(items.length);
        if (batch % 6 === 5) await expectRollupsExact(store);
      }
      const expected = await expectRollupsExact(store);
      expect(expected.rows).toHaveLength(distinct);
    } finally {
      await store.close();
    }
  });

  it('keeps the 24-hour cache exact when a cached hourly window is missing or unreadable', async () => {
    // Rows cached before schema 0008 have no hourly window; a damaged one must not be trusted.
    const { store } = await factory.create({ userPseudonymSecret: SECRET });
    try {
      const random = seededRandom(424242);
      const ids: string[] = [];
      const serial = { n: 0 };
      for (let batch = 0; batch < 12; batch++) {
        await recordInvocations(store, randomBatch(random, 30, ids, serial));
        if (batch % 3 === 1) {
          await store.db
            .updateTable('skill_metrics_cache')
            .set({ hourly_window: null })
            .where('skill_name', 'in', SKILLS.slice(0, 2))
            .execute();
          await store.db
            .updateTable('skill_metrics_cache')
            .set({ hourly_window: '[[1,1]]' })
            .where('skill_name', '=', SKILLS[2]!)
            .execute();
          await store.db
            .updateTable('skill_metrics_cache')
            .set({ hourly_window: 'not json' })
            .where('skill_name', '=', SKILLS[3]!)
            .execute();
        }
      }
      await expectRollupsExact(store);
    } finally {
      await store.close();
    }
  });

  it('replaying every batch a second time changes nothing', async () => {
    const { store } = await factory.create();
    try {
      const random = seededRandom(7);
      const batches = Array.from({ length: 6 }, () => randomBatch(random, 40, [], { n: Math.floor(random() * 1e6) }));
      for (const batch of batches) await recordInvocations(store, batch);
      const snapshot = async () => ({
        metrics: await store.db
          .selectFrom('skill_metrics')
          .select(['skill_name', 'total_invocations', 'workflow_paths'])
          .orderBy('skill_name')
          .execute(),
        hours: await store.db.selectFrom('skill_time_series').selectAll().orderBy('skill_name').orderBy('hour_start').execute(),
      });
      const first = await snapshot();
      for (const batch of batches) expect((await recordInvocations(store, batch)).inserted).toBe(0);
      expect(await snapshot()).toEqual(first);
    } finally {
      await store.close();
    }
  });

  it('stays exact when two connections record overlapping batches concurrently', async () => {
    const { store, reopen } = await factory.create({ userPseudonymSecret: SECRET });
    const other = await reopen({ userPseudonymSecret: SECRET });
    try {
      const random = seededRandom(99);
      const ids: string[] = [];
      const serial = { n: 0 };
      const batches = Array.from({ length: 16 }, () => randomBatch(random, 50, ids, serial));
      await Promise.all(batches.map((batch, i) => recordInvocations(i % 2 === 0 ? store : other, batch)));
      const expected = await expectRollupsExact(store);
      expect(expected.rows).toHaveLength(new Set(ids).size);
    } finally {
      await other.close();
      await store.close();
    }
  });
});
