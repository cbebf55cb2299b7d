import { communityBaselines, recommendSkills, skillDependencies } from '@skills/collab';
import { initializeTaxonomy, recordInvocations, type Store } from '@skills/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relationshipType } from '../src/index.js';
import { call, connect, DAY, HOUR, NOW, SECRET, seed, seedInvocations, storeFactories, UNTIL } from './helpers.js';

afterAll(async () => {
  for (const factory of storeFactories) await factory.cleanup();
});

describe('relationshipType', () => {
  it('maps the original acceptance lifts 3.5 / 2.5 / 1.7 / 1.1 to very strong, strong, moderate, weak', () => {
    expect([3.5, 2.5, 1.7, 1.1].map(relationshipType)).toEqual([
      'very_strong_positive',
      'strong_positive',
      'moderate_positive',
      'weak_positive',
    ]);
    expect([3, 2, 1.5, 1.4999].map(relationshipType)).toEqual([
      'very_strong_positive',
      'strong_positive',
      'moderate_positive',
      'weak_positive',
    ]);
  });
});

describe.each(storeFactories)('the original six tools on an empty store [$name]', (factory) => {
  let store: Store;
  let session: Awaited<ReturnType<typeof connect>>;
  beforeAll(async () => {
    ({ store } = await factory.create({ userPseudonymSecret: SECRET }));
    session = await connect({ store, now: () => NOW });
  });
  afterAll(async () => {
    await session.close();
    await store.close();
  });

  it('get_real_time_metrics says "Found 0 skills in the last 1 hours"', async () => {
    const { result, data } = await call(session.client, 'get_real_time_metrics');
    expect(result.isError).toBeUndefined();
    expect(data).toEqual({
      success: true,
      top_skills: [],
      timestamp: new Date(NOW).toISOString(),
      message: 'Found 0 skills in the last 1 hours',
    });
  });

  it('detect_anomalies says "Detected 0 anomaly(ies) with Z-score >= 2"', async () => {
    const { data } = await call(session.client, 'detect_anomalies');
    expect(data).toEqual({
      success: true,
      anomalies: [],
      total_found: 0,
      timestamp: new Date(NOW).toISOString(),
      message: 'Detected 0 anomaly(ies) with Z-score >= 2',
    });
  });

  it('get_community_baselines says "Retrieved 0 community baselines"', async () => {
    const { data } = await call(session.client, 'get_community_baselines');
    expect(data).toEqual({
      success: true,
      baselines: [],
      timestamp: new Date(NOW).toISOString(),
      message: 'Retrieved 0 community baselines',
    });
  });

  it('get_collaborative_recommendations for a new user on an empty store gives 0 recommendations', async () => {
    const { data } = await call(session.client, 'get_collaborative_recommendations', { user_id: 'nobody' });
    expect(data).toMatchObject({
      success: true,
      user_id: 'nobody',
      recommendations: [],
      message: 'Generated 0 recommendations for nobody',
    });
  });

  it('get_skill_trend of an unknown skill is an isError result naming it', async () => {
    const { result, data } = await call(session.client, 'get_skill_trend', { skill_name: 'no-such-skill' });
    expect(result.isError).toBe(true);
    expect(data).toMatchObject({
      success: false,
      message: 'skill not found: no-such-skill',
      error: { type: 'not_found', kind: 'skill', id: 'no-such-skill' },
    });
    expect(result.content).toEqual([{ type: 'text', text: 'skill not found: no-such-skill' }]);
  });

  it('get_skill_dependencies maps declared lifts 3.5 / 2.5 / 1.7 / 1.1 to the original relationship types', async () => {
    await store.db
      .insertInto('skill_dependencies')
      .values(
        [
          ['hub', 'a', 3.5],
          ['hub', 'b', 2.5],
          ['hub', 'c', 1.7],
          ['hub', 'd', 1.1],
        ].map(([skill_a, skill_b, lift]) => ({
          skill_a: skill_a as string,
          skill_b: skill_b as string,
          source: 'declared',
          co_occurrence_count: 0,
          support: null,
          confidence: null,
          lift_score: lift as number,
          updated_at: NOW,
        })),
      )
      .execute();
    const { data } = await call(session.client, 'get_skill_dependencies', { skill_name: 'hub', min_lift: 1 });
    expect(data.message).toBe('Found 4 skills with lift >= 1');
    expect((data.dependencies as { skill_b: string; relationship_type: string }[]).map((d) => [d.skill_b, d.relationship_type])).toEqual([
      ['a', 'very_strong_positive'],
      ['b', 'strong_positive'],
      ['c', 'moderate_positive'],
      ['d', 'weak_positive'],
    ]);
    const byDefault = await call(session.client, 'get_skill_dependencies', { skill_name: 'hub' });
    expect(byDefault.data.message).toBe('Found 3 skills with lift >= 1.5');
  });
});

describe.each(storeFactories)('the original six tools on a seeded store [$name]', (factory) => {
  let store: Store;
  let session: Awaited<ReturnType<typeof connect>>;
  beforeAll(async () => {
    ({ store } = await factory.create({ userPseudonymSecret: SECRET }));
    await seed(store);
    await initializeTaxonomy(store, NOW);
    session = await connect({ store, now: () => NOW });
  });
  afterAll(async () => {
    await session.close();
    await store.close();
  });

  it('get_real_time_metrics counts only invocations inside the window', async () => {
    const { data } = await call(session.client, 'get_real_time_metrics');
    expect(data.message).toBe('Found 2 skills in the last 1 hours');
    expect(data.top_skills).toEqual([
      {
        skill_name: 'git-commit',
        invocation_count: 3,
        completed_count: 2,
        completion_rate: 2 / 3,
        avg_duration: 2,
        last_invocation_at: new Date(UNTIL + 15 * 60_000).toISOString(),
      },
      {
        skill_name: 'pytest-run',
        invocation_count: 1,
        completed_count: 1,
        completion_rate: 1,
        avg_duration: 12,
        last_invocation_at: new Date(UNTIL + 20 * 60_000).toISOString(),
      },
    ]);
  });

  it('get_real_time_metrics over a window starting mid-hour counts the partial hour exactly', async () => {
    // 5 days and 10.5 hours back: starts at 02:00 five days before UNTIL, when the first pytest-run
    // of that day ran (02:00, 02:01, … 02:09): a window from 02:05 keeps 5 of its 10.
    const hours = (NOW - (UNTIL - 5 * DAY + 2 * HOUR + 5 * 60_000)) / HOUR;
    const { data } = await call(session.client, 'get_real_time_metrics', { time_window_hours: hours, limit: 1000 });
    const pytest = (data.top_skills as { skill_name: string; invocation_count: number; completed_count: number }[]).find(
      (s) => s.skill_name === 'pytest-run',
    );
    // 5 of day 0 (02:05–02:09, none of which completed: i = 5…9 ≥ 5), 40 of days 1–4, and the recent one.
    expect(pytest).toMatchObject({ invocation_count: 5 + 40 + 1, completed_count: 0 + 6 + 7 + 8 + 9 + 1 });
  });

  it.each([
    ['5 minutes into an hour', 5],
    ['50 minutes into an hour', 50],
  ])('get_real_time_metrics over a window starting %s equals the raw invocations inside it', async (_label, minutes) => {
    const since = UNTIL - 5 * DAY + 2 * HOUR + minutes * 60_000;
    const expected = new Map<string, { count: number; completed: number; durations: number[] }>();
    for (const item of seedInvocations()) {
      if ((item.invoked_at as number) < since) continue;
      const entry = expected.get(item.skill_name) ?? { count: 0, completed: 0, durations: [] };
      entry.count += 1;
      if (item.completed) {
        entry.completed += 1;
        if (typeof item.duration_seconds === 'number') entry.durations.push(item.duration_seconds);
      }
      expected.set(item.skill_name, entry);
    }
    const { data } = await call(session.client, 'get_real_time_metrics', { time_window_hours: (NOW - since) / HOUR, limit: 1000 });
    const got = data.top_skills as { skill_name: string; invocation_count: number; completed_count: number; avg_duration: number }[];
    expect(got.map((s) => s.skill_name).sort()).toEqual([...expected.keys()].sort());
    for (const row of got) {
      const want = expected.get(row.skill_name)!;
      expect([row.invocation_count, row.completed_count], row.skill_name).toEqual([want.count, want.completed]);
      const mean = want.durations.length === 0 ? 0 : want.durations.reduce((a, b) => a + b, 0) / want.durations.length;
      expect(row.avg_duration, row.skill_name).toBeCloseTo(mean, 9);
    }
  });

  it('get_skill_trend: daily completion 0.5, 0.6, 0.7, 0.8, 0.9 over 5 days is improving, 0.1 a day, +80 %', async () => {
    const { data } = await call(session.client, 'get_skill_trend', { skill_name: 'pytest-run', days: 7 });
    expect(data).toMatchObject({ success: true, skill_name: 'pytest-run', trend: 'improving', start_value: 0.5, end_value: 0.9 });
    expect(data.slope).toBeCloseTo(0.1, 12);
    expect(data.change_percent).toBeCloseTo(80, 10);
    // Mann–Kendall, n = 5, S = 10: z = (10 − 1) / √(5·4·15/18) = 2.2045, p = 0.02749
    // (scipy 1.10: 2 * norm.sf(9 / sqrt(50/3)) = 0.027486)
    expect(data.confidence).toBeCloseTo(0.027486, 5);
    expect((data.points as { value: number }[]).map((p) => p.value)).toEqual([0.5, 0.6, 0.7, 0.8, 0.9]);
  });

  it('get_skill_trend with fewer than 3 days says insufficient_data, confidence 1', async () => {
    const { data } = await call(session.client, 'get_skill_trend', { skill_name: 'pytest-run', days: 2 });
    expect(data).toMatchObject({ trend: 'insufficient_data', slope: 0, change_percent: 0, confidence: 1 });
  });

  it('detect_anomalies returns what the z-score detector of @skills/timeseries finds', async () => {
    const { detectAndRecordAnomalies } = await import('@skills/timeseries');
    const expected = await detectAndRecordAnomalies(store, {
      dryRun: true,
      method: 'zscore',
      threshold: 1,
      now: NOW,
      since: NOW - 48 * HOUR,
      baselineDays: 1,
    });
    const { data } = await call(session.client, 'detect_anomalies', { threshold: 1, time_window_hours: 48, metric: 'all', limit: 1000 });
    const anomalies = data.anomalies as { skill_name: string; metric: string; deviation_score: number; hour_start: string }[];
    expect(anomalies.map((a) => [a.skill_name, a.metric, a.deviation_score, a.hour_start]).sort()).toEqual(
      expected.detected.map((a) => [a.skill, a.metric, a.score, new Date(a.bucket).toISOString()]).sort(),
    );
    expect(data.message).toBe(`Detected ${expected.detected.length} anomaly(ies) with Z-score >= 1`);
    expect(data.total_found).toBe(expected.detected.length);
    expect(anomalies.length).toBeGreaterThan(2);
    // Strongest first; `limit` keeps the strongest and says how many there were.
    const scores = anomalies.map((a) => Math.abs(a.deviation_score));
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    const two = await call(session.client, 'detect_anomalies', { threshold: 1, time_window_hours: 48, metric: 'all', limit: 2 });
    expect(two.data.anomalies).toEqual(anomalies.slice(0, 2));
    expect(two.data.total_found).toBe(expected.detected.length);
    expect(two.data.message).toBe(`Detected ${expected.detected.length} anomaly(ies) with Z-score >= 1 (the 2 strongest shown)`);
    // By default only completion rate is judged, as the original did.
    const byDefault = await call(session.client, 'detect_anomalies', { threshold: 1, time_window_hours: 48 });
    const rates = anomalies.filter((a) => a.metric === 'completion_rate');
    expect((byDefault.data.anomalies as typeof anomalies).map((a) => [a.skill_name, a.deviation_score])).toEqual(
      rates.map((a) => [a.skill_name, a.deviation_score]),
    );
  });

  it('get_collaborative_recommendations gives what recommendSkills ranks, with the original source names', async () => {
    const expected = await recommendSkills(store, 'user-1', { limit: 5, now: NOW });
    const { data } = await call(session.client, 'get_collaborative_recommendations', { user_id: 'user-1' });
    const got = data.recommendations as { skill_name: string; score: number; source: string; completion_rate: number }[];
    expect(got.map((r) => [r.skill_name, r.score, r.source])).toEqual(
      expected.map((r) => [r.skill, r.score, r.basis === 'popularity' ? 'global_popularity' : 'collaborative_filtering']),
    );
    expect(data.message).toBe(`Generated ${expected.length} recommendations for user-1`);
  });

  it('get_collaborative_recommendations falls back to global_popularity for a new user', async () => {
    const { data } = await call(session.client, 'get_collaborative_recommendations', { user_id: 'brand-new', limit: 3 });
    const got = data.recommendations as { source: string; completion_rate: number; skill_name: string }[];
    expect(got.length).toBe(3);
    expect(new Set(got.map((r) => r.source))).toEqual(new Set(['global_popularity']));
    const expected = await recommendSkills(store, 'brand-new', { limit: 3, now: NOW });
    expect(got.map((r) => r.skill_name)).toEqual(expected.map((r) => r.skill));
    expect(expected.every((r) => r.basis === 'popularity')).toBe(true);
  });

  it('get_community_baselines gives what communityBaselines computes, limited', async () => {
    const expected = await communityBaselines(store, { now: NOW });
    const { data } = await call(session.client, 'get_community_baselines', { limit: 3 });
    expect(data.message).toBe('Retrieved 3 community baselines');
    expect(data.baselines).toEqual(
      expected.slice(0, 3).map((b) => ({
        skill_name: b.skill,
        total_users: b.totalUsers,
        total_invocations: b.totalInvocations,
        global_completion_rate: b.completionRate,
        global_avg_duration_seconds: b.avgDurationSeconds,
        most_common_workflow_phase: b.mostCommonPhase,
        effectiveness_percentile: b.effectivenessPercentile,
      })),
    );
  });

  it('get_community_baselines serves the stored baselines for an hour, then recomputes them', async () => {
    await call(session.client, 'get_community_baselines', { limit: 100 });
    await recordInvocations(
      store,
      [{ id: 'late-1', skill_name: 'late-skill', session_id: 'late', user_id: 'user-9', invoked_at: NOW - 60_000, completed: true }],
      { now: NOW },
    );
    const stored = await call(session.client, 'get_community_baselines', { limit: 100 });
    expect((stored.data.baselines as { skill_name: string }[]).map((b) => b.skill_name)).not.toContain('late-skill');
    const later = await connect({ store, now: () => NOW + 2 * HOUR });
    try {
      const fresh = await call(later.client, 'get_community_baselines', { limit: 100 });
      expect((fresh.data.baselines as { skill_name: string }[]).map((b) => b.skill_name)).toContain('late-skill');
    } finally {
      await later.close();
    }
  });

  it('get_skill_dependencies: pytest-run and coverage-report share every session', async () => {
    const expected = await skillDependencies(store, 'pytest-run', { minLift: 1.5, limit: 10, now: NOW });
    const { data } = await call(session.client, 'get_skill_dependencies', { skill_name: 'pytest-run' });
    const got = data.dependencies as {
      skill_b: string;
      lift_score: number;
      co_occurrence_count: number;
      relationship_type: string;
      source: string;
    }[];
    expect(got.map((d) => [d.skill_b, d.lift_score, d.co_occurrence_count, d.source])).toEqual(
      expected.map((d) => [d.partner, d.lift, d.sessions, d.source]),
    );
    const coverage = got.find((d) => d.skill_b === 'coverage-report' && d.source === 'observed');
    // 10 of 66 sessions hold pytest-run (the recent session too: 11), all 10 trend sessions coverage-report.
    expect(coverage).toMatchObject({ co_occurrence_count: 10, relationship_type: relationshipType(coverage!.lift_score) });
    expect(data.message).toBe(`Found ${got.length} skills with lift >= 1.5`);
  });

  it('get_skill_dependencies of an unknown skill is an isError result', async () => {
    const { result, data } = await call(session.client, 'get_skill_dependencies', { skill_name: 'nope' });
    expect(result.isError).toBe(true);
    expect(data).toMatchObject({ success: false, message: 'skill not found: nope' });
  });
});
