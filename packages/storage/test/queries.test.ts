import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  hourlySeries,
  listInvocations,
  NotFoundError,
  recordInvocations,
  searchInvocations,
  sessionSummary,
  topSkills,
  ValidationError,
  type InvocationInput,
  type Store,
} from '../src/index.js';
import { HOUR, T0, storeFactories } from './helpers.js';
import { sampleQuantile } from '../src/rollups/duration-histogram.js';

/** 3 skills over 3 hours; pytest-run has 10 durations 1..10 s in hour 0. */
function fixture(): InvocationInput[] {
  const items: InvocationInput[] = [];
  for (let i = 1; i <= 10; i++) {
    items.push({
      id: `p${i}`,
      skill_name: 'pytest-run',
      session_id: `s${i % 3}`,
      user_id: 'alice',
      invoked_at: T0 + i * 1000,
      completed: i <= 8,
      duration_seconds: i,
      user_query: i === 3 ? 'run the failing auth tests' : 'run tests',
      workflow_phase: 'execution',
    });
  }
  for (let i = 0; i < 4; i++) {
    items.push({
      id: `r${i}`,
      skill_name: 'ruff-check',
      session_id: 's9',
      user_id: 'bob',
      invoked_at: T0 + HOUR + i,
      completed: true,
      duration_seconds: 0.5,
      user_query: 'lint the auth module',
      workflow_phase: 'verification',
    });
  }
  items.push({
    id: 'g0',
    skill_name: 'git-commit',
    session_id: 's9',
    user_id: 'bob',
    invoked_at: T0 + 2 * HOUR,
    completed: false,
    duration_seconds: null,
    user_query: 'commit "quoted" * OR NEAR(',
  });
  return items;
}

describe.each(storeFactories)('queries [$name]', (factory) => {
  let store: Store;
  beforeAll(async () => {
    store = (await factory.create()).store;
    await recordInvocations(store, fixture());
  });
  afterAll(async () => {
    await store.close();
    await factory.cleanup();
  });

  it('topSkills counts, rates and durations per skill from the hourly rollups, busiest first', async () => {
    const top = await topSkills(store, { since: T0, until: T0 + 3 * HOUR });
    expect(top.map((s) => [s.skill_name, s.invocations, s.completed])).toEqual([
      ['pytest-run', 10, 8],
      ['ruff-check', 4, 4],
      ['git-commit', 1, 0],
    ]);
    expect(top[0]!.completion_rate).toBe(0.8);
    expect(top[0]!.avg_duration_seconds).toBe(4.5);
    // Few durations: exact. python3 -c "import numpy; print(numpy.percentile(range(1, 9), 95))" -> 7.65 (Debian numpy 1.24)
    expect(top[0]!.p95_duration_seconds!).toBeCloseTo(7.65, 12);
    expect(top[1]!.p95_duration_seconds).toBe(0.5);
    expect(top[2]!.avg_duration_seconds).toBeNull();
    expect(top[2]!.p95_duration_seconds).toBeNull();
  });

  it('topSkills gives one invocation of 4.2 s a p95 of 4.2 s, never above the longest observed', async () => {
    await recordInvocations(store, [
      { id: 'one', skill_name: 'solo', session_id: 's1', invoked_at: T0 + 5 * HOUR, completed: true, duration_seconds: 4.2 },
    ]);
    const [solo] = await topSkills(store, { since: T0 + 5 * HOUR, until: T0 + 6 * HOUR });
    expect(solo).toMatchObject({ skill_name: 'solo', invocations: 1, avg_duration_seconds: 4.2, p95_duration_seconds: 4.2 });
  });

  it('topSkills reads exact durations back whole: the p95 of doubles of 17 significant digits, to the last bit', async () => {
    const durations = [0.1 + 0.2, 1 / 3, 2 / 3, Math.PI, Math.E, 7e-9, 123.45678901234568, 0.1, 17.000000000000004];
    await recordInvocations(
      store,
      durations.map((duration_seconds, i) => ({
        skill_name: 'digits',
        session_id: 's-digits',
        invoked_at: T0 + 8 * HOUR + i,
        completed: true,
        duration_seconds,
      })),
    );
    const [digits] = await topSkills(store, { since: T0 + 8 * HOUR, until: T0 + 9 * HOUR });
    // /usr/bin/python3 -c "import numpy; print(repr(numpy.percentile([0.30000000000000004, 1/3, 2/3,
    //   3.141592653589793, 2.718281828459045, 7e-09, 123.45678901234568, 0.1, 17.000000000000004], 95)))"
    //   -> 80.87407340740737 (Debian numpy 1.24.2; its lerp rounds the last bit the other way)
    expect(digits!.p95_duration_seconds!).toBeCloseTo(80.87407340740737, 12);
    // Bit for bit what the same interpolation gives on the values as sent: none changed on the way.
    expect(digits!.p95_duration_seconds).toBe(sampleQuantile([...durations], 0.95));
  });

  it('topSkills estimates the p95 of more than 2,000 durations from the histograms, within one bucket', async () => {
    const many: InvocationInput[] = Array.from({ length: 2001 }, (_, i) => ({
      id: `m${i}`,
      skill_name: 'many',
      session_id: 's1',
      invoked_at: T0 + 6 * HOUR + i,
      completed: true,
      duration_seconds: 1 + (i % 100) / 10,
    }));
    await recordInvocations(store, many);
    const [top] = await topSkills(store, { since: T0 + 6 * HOUR, until: T0 + 7 * HOUR });
    // Exact: sorted 1.0..10.9 (about 20 of each), the 95th percentile is 10.4 (numpy.percentile).
    expect(top!.skill_name).toBe('many');
    expect(top!.p95_duration_seconds!).toBeGreaterThan(10.4 / 1.19);
    expect(top!.p95_duration_seconds!).toBeLessThan(10.4 * 1.19);
  });

  it('topSkills orders by completion rate or duration and honours limit and window', async () => {
    const byRate = await topSkills(store, { since: T0, until: T0 + 3 * HOUR, orderBy: 'completion_rate' });
    expect(byRate.map((s) => s.skill_name)).toEqual(['ruff-check', 'pytest-run', 'git-commit']);
    const slowest = await topSkills(store, { since: T0, until: T0 + 3 * HOUR, orderBy: 'p95_duration', limit: 1 });
    expect(slowest.map((s) => s.skill_name)).toEqual(['pytest-run']);
    const lastHour = await topSkills(store, { since: T0 + 2 * HOUR, until: T0 + 3 * HOUR });
    expect(lastHour.map((s) => s.skill_name)).toEqual(['git-commit']);
    await expect(topSkills(store, { limit: 0 })).rejects.toThrow(ValidationError);
    await expect(topSkills(store, { orderBy: 'fastest' as never })).rejects.toThrow(/orderBy/);
  });

  it('hourlySeries returns one point per hour with data, or every hour with fill', async () => {
    const sparse = await hourlySeries(store, 'ruff-check', { since: T0, until: T0 + 3 * HOUR });
    expect(sparse).toEqual([{ ts: T0 + HOUR, count: 4, completed: 4, avgDuration: 0.5, uniqueSessions: 1 }]);
    const filled = await hourlySeries(store, 'ruff-check', { since: T0, until: T0 + 3 * HOUR, fill: true });
    expect(filled.map((p) => [p.ts - T0, p.count])).toEqual([
      [0, 0],
      [HOUR, 4],
      [2 * HOUR, 0],
    ]);
    await expect(hourlySeries(store, 'no-such-skill')).rejects.toThrow(NotFoundError);
  });

  it('listInvocations filters and pages through every match exactly once', async () => {
    const seen: string[] = [];
    let page = await listInvocations(store, { skill: 'pytest-run', limit: 3 });
    seen.push(...page.items.map((i) => i.id));
    while (page.nextCursor) {
      page = await listInvocations(store, { skill: 'pytest-run', limit: 3, cursor: page.nextCursor });
      seen.push(...page.items.map((i) => i.id));
    }
    expect(seen).toEqual(['p10', 'p9', 'p8', 'p7', 'p6', 'p5', 'p4', 'p3', 'p2', 'p1']);
    const bob = await listInvocations(store, { user: 'bob', phase: 'verification', order: 'asc', limit: 2 });
    expect(bob.items.map((i) => i.id)).toEqual(['r0', 'r1']);
    expect(bob.items[0]).toMatchObject({ completed: true, duration_seconds: 0.5, follow_up_actions: null });
    const window = await listInvocations(store, { since: T0 + HOUR, until: T0 + 2 * HOUR });
    expect(window.items.map((i) => i.id).sort()).toEqual(['r0', 'r1', 'r2', 'r3']);
    await expect(listInvocations(store, { cursor: 'garbage' })).rejects.toThrow(/cursor/);
  });

  it('searchInvocations finds words in user queries, stemmed, and treats operators as text', async () => {
    const auth = await searchInvocations(store, 'auth');
    expect(auth.map((i) => i.id).sort()).toEqual(['p3', 'r0', 'r1', 'r2', 'r3']);
    const failing = await searchInvocations(store, 'fail auth', { limit: 5 });
    expect(failing.map((i) => i.id)).toEqual(['p3']);
    const scoped = await searchInvocations(store, 'auth', { skill: 'pytest-run' });
    expect(scoped.map((i) => i.id)).toEqual(['p3']);
    const odd = await searchInvocations(store, '"quoted" * OR NEAR(');
    expect(odd.map((i) => i.id)).toEqual(['g0']);
    await expect(searchInvocations(store, '  *** ')).rejects.toThrow(/at least one word/);
  });

  it('sessionSummary adds up one session', async () => {
    const summary = await sessionSummary(store, 's9');
    expect(summary).toEqual({
      session_id: 's9',
      unique_skills: 2,
      total_invocations: 5,
      completed_count: 4,
      abandoned_count: 1,
      total_duration_seconds: 2,
      first_skill_at: T0 + HOUR,
      last_skill_at: T0 + 2 * HOUR,
      skills: [
        { skill_name: 'ruff-check', invocation_count: 4, first_used: T0 + HOUR, last_used: T0 + HOUR + 3 },
        { skill_name: 'git-commit', invocation_count: 1, first_used: T0 + 2 * HOUR, last_used: T0 + 2 * HOUR },
      ],
    });
    await expect(sessionSummary(store, 'nope')).rejects.toThrow('session not found: nope');
  });
});
