import { hourlySeries, recordInvocations, type InvocationInput, type Store } from '@skills/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  detectAndRecordAnomalies,
  listAnomalies,
  NotFoundError,
  onAnomalies,
  replayAnomalies,
  skillTrend,
  ValidationError,
  type AnomalyEvent,
} from '../src/index.js';
import { histogramLogSquares, readHours, runsOf } from '../src/store/read-series.js';
import type { SeriesPoint } from '../src/series.js';
import { storeFactories } from './helpers.js';
import { DAY, HOUR, MONDAY } from './series-fixtures.js';

/** Storage's hourly series with what the scan also reads from each rollup row: timed completions and the histogram's within-hour spread. */
async function withDurationSpread(store: Store, skill: string, points: SeriesPoint[]): Promise<SeriesPoint[]> {
  const rows = await store.db
    .selectFrom('skill_time_series')
    .select(['hour_start', 'duration_count', 'duration_histogram'])
    .where('skill_name', '=', skill)
    .execute();
  const byHour = new Map(rows.map((row) => [row.hour_start, row]));
  return points.map((point) => {
    const row = byHour.get(point.ts);
    if (row === undefined) return point;
    const logDurationSquares = row.duration_count >= 2 ? histogramLogSquares(row.duration_histogram, row.duration_count) : null;
    return { ...point, durationCount: row.duration_count, logDurationSquares };
  });
}

/** The day of the incident: the 10th day from Monday 2026-01-05 (a Wednesday). */
const DAY9 = MONDAY + 9 * DAY;
/** pytest-run fails two in three calls from 14:00 to 17:00 on that day. */
const INCIDENT = DAY9 + 14 * HOUR;

/** ruff-check is not called at all from 10:00 to 12:00 on the third Saturday. */
const SILENCE = MONDAY + 19 * DAY + 10 * HOUR;

/**
 * 20 days of two skills, 20 calls an hour each (except during the incidents): pytest-run
 * completes 19 of 20 (7 of 20 in its incident), ruff-check all. Durations: pytest-run 1, 2 and
 * 4 s in turn, ruff-check 0.5 s.
 */
function invocations(): InvocationInput[] {
  const items: InvocationInput[] = [];
  for (let h = 0; h < 20 * 24; h++) {
    const hour = MONDAY + h * HOUR;
    const failing = hour >= INCIDENT && hour < INCIDENT + 3 * HOUR;
    const silent = hour >= SILENCE && hour < SILENCE + 2 * HOUR;
    for (let i = 0; i < 20; i++) {
      const at = hour + i * 60_000;
      items.push({
        id: `p-${h}-${i}`,
        skill_name: 'pytest-run',
        session_id: `s-${h}`,
        invoked_at: at,
        completed: failing ? i < 7 : i < 19,
        duration_seconds: 2 ** ((i % 3) - 1) * 2,
      });
      if (!silent)
        items.push({
          id: `r-${h}-${i}`,
          skill_name: 'ruff-check',
          session_id: `s-${h}`,
          invoked_at: at + 1000,
          completed: true,
          duration_seconds: 0.5,
        });
    }
  }
  return items;
}

describe.each(storeFactories)('store functions [$name]', (factory) => {
  let store: Store;
  beforeAll(async () => {
    store = (await factory.create()).store;
    const items = invocations();
    for (let i = 0; i < items.length; i += 5000) await recordInvocations(store, items.slice(i, i + 5000));
  });
  afterAll(async () => {
    await store.close();
    await factory.cleanup();
  });

  it('records a drop once, tells listeners, and does not record it again while it is open', async () => {
    const events: AnomalyEvent[] = [];
    const stop = onAnomalies(store, (event) => events.push(event));
    const first = await detectAndRecordAnomalies(store, { now: INCIDENT + HOUR + 5 * 60_000 });
    expect(first).toMatchObject({ since: INCIDENT, until: INCIDENT + HOUR, skills: 2, resolved: [], open: 1 });
    expect(first.detected.map((a) => [a.skill, a.type, a.metric, a.bucket, a.detectedAt])).toEqual([
      ['pytest-run', 'drop', 'completion_rate', INCIDENT, INCIDENT + HOUR],
    ]);
    expect(first.detected[0]!.reason).toMatch(
      /^completion rate 35% \(7 of 20\) in the hour from 14:00 UTC; usually 95% at this hour on weekdays/,
    );
    expect(events.map((e) => e.detected.length)).toEqual([1]);

    const again = await detectAndRecordAnomalies(store, { now: INCIDENT + 2 * HOUR });
    expect(again.detected).toEqual([]);
    expect(again.open).toBe(1);
    const rows = await store.db.selectFrom('skill_anomalies').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      skill_name: 'pytest-run',
      anomaly_type: 'drop',
      metric: 'completion_rate',
      bucket_start: INCIDENT,
      method: 'robust',
      resolved_at: null,
    });
    const cache = await store.db
      .selectFrom('skill_metrics_cache')
      .select(['skill_name', 'is_anomalous', 'anomaly_score'])
      .orderBy('skill_name')
      .execute();
    expect(cache.map((c) => [c.skill_name, c.is_anomalous])).toEqual([
      ['pytest-run', 1],
      ['ruff-check', 0],
    ]);
    expect(cache[0]!.anomaly_score).toBeCloseTo(Math.abs(rows[0]!.deviation_score), 10);
    stop();
  });

  it('resolves the anomaly once the rate is back to normal, and clears the cache flag', async () => {
    const later = await detectAndRecordAnomalies(store, { now: INCIDENT + 6 * HOUR + 1 });
    expect(later.resolved.map((a) => [a.skill, a.metric, a.resolvedAt])).toEqual([['pytest-run', 'completion_rate', INCIDENT + 6 * HOUR]]);
    expect(later.open).toBe(0);
    const open = await listAnomalies(store, { open: true });
    expect(open).toEqual([]);
    const cache = await store.db
      .selectFrom('skill_metrics_cache')
      .select('is_anomalous')
      .where('skill_name', '=', 'pytest-run')
      .executeTakeFirstOrThrow();
    expect(cache.is_anomalous).toBe(0);
  });

  it('listAnomalies filters by time, skill, state and method', async () => {
    const all = await listAnomalies(store);
    expect(all.map((a) => [a.skill, a.metric, a.resolvedAt])).toEqual([['pytest-run', 'completion_rate', INCIDENT + 6 * HOUR]]);
    expect(await listAnomalies(store, { since: INCIDENT + 7 * HOUR })).toEqual([]);
    expect(await listAnomalies(store, { since: INCIDENT + 5 * HOUR })).toHaveLength(1);
    expect(await listAnomalies(store, { skill: 'ruff-check' })).toEqual([]);
    expect(await listAnomalies(store, { open: false, method: 'robust' })).toHaveLength(1);
    expect(await listAnomalies(store, { method: 'zscore' })).toEqual([]);
    await expect(listAnomalies(store, { skill: 'nope' })).rejects.toThrow(NotFoundError);
    await expect(listAnomalies(store, { limit: 0 })).rejects.toThrow(ValidationError);
  });

  it('records the same anomalies as replaying detection over the hourly series from storage', async () => {
    const fresh = (await factory.create()).store;
    try {
      await recordInvocations(fresh, invocations());
      const key = (a: { skill: string; metric: string; bucket: number; score: number; reason: string }) =>
        `${a.skill} ${a.metric} ${a.bucket} ${a.score} ${a.reason}`;
      // Skills younger than the baseline (their first weekend has no weekend references yet), then
      // older ones (read by the store in one query over the hours the baseline needs).
      const ranges = [
        { since: MONDAY + 4 * DAY, until: DAY9 + 24 * HOUR },
        { since: MONDAY + 17 * DAY, until: MONDAY + 20 * DAY },
      ];
      let found = 0;
      for (const { since, until } of ranges) {
        for (const method of ['zscore', 'robust'] as const) {
          const recorded = await detectAndRecordAnomalies(fresh, { now: until, since, method });
          const expected = [];
          for (const skill of ['pytest-run', 'ruff-check']) {
            const series = await withDurationSpread(fresh, skill, await hourlySeries(fresh, skill, { since: MONDAY, until }));
            expected.push(...replayAnomalies(series, { skill, since, until, method }));
          }
          expect(recorded.detected.map(key).sort()).toEqual(expected.map(key).sort());
          found += recorded.detected.length;
        }
      }
      const silence = await listAnomalies(fresh, { skill: 'ruff-check', method: 'robust' });
      expect(silence.map((a) => [a.metric, a.type, a.bucket])).toEqual([['invocation_count', 'drop', SILENCE]]);
      expect(found).toBeGreaterThan(2);
    } finally {
      await fresh.close();
    }
  });

  it("reads each hour's within-hour spread of log durations from the rollup's duration histogram", async () => {
    const hour = MONDAY + 2 * DAY + 10 * HOUR;
    const read = await readHours(store, [hour]);
    // pytest-run's 19 timed completions: 7 of 1 s, 6 of 2 s, 6 of 4 s, in histogram buckets 39, 43 and 47 (width ln 2 / 4).
    const buckets = [...Array(7).fill(39), ...Array(6).fill(43), ...Array(6).fill(47)] as number[];
    const mean = buckets.reduce((a, b) => a + b, 0) / buckets.length;
    const squares = buckets.reduce((sum, b) => sum + ((b - mean) * (Math.LN2 / 4)) ** 2, 0);
    expect(read.get('pytest-run')?.[0]).toMatchObject({ ts: hour, count: 20, completed: 19, durationCount: 19 });
    expect(read.get('pytest-run')?.[0]?.logDurationSquares).toBeCloseTo(squares, 9);
    // Every ruff-check duration in one bucket: no spread within the hour.
    expect(read.get('ruff-check')?.[0]?.logDurationSquares).toBe(0);
  });

  it('readHours reads exactly the rows of the hours asked for, by runs of consecutive hours, for every skill or the given ones', async () => {
    expect(runsOf([5 * HOUR, HOUR, 2 * HOUR, 3 * HOUR, 2 * HOUR, 10 * HOUR, 9 * HOUR])).toEqual([
      [HOUR, 3 * HOUR],
      [5 * HOUR, 5 * HOUR],
      [9 * HOUR, 10 * HOUR],
    ]);
    // Runs, single hours, hours without rows (the silence), before the first row and after the last.
    const base = MONDAY + 19 * DAY;
    const hours = [
      MONDAY - 2 * HOUR,
      MONDAY,
      base + 8 * HOUR,
      base + 9 * HOUR,
      base + 10 * HOUR,
      base + 11 * HOUR,
      base + 15 * HOUR,
      base + DAY + 10 * HOUR,
    ];
    const plain = async (skills?: string[]) => {
      let query = store.db
        .selectFrom('skill_time_series')
        .select([
          'skill_name',
          'hour_start',
          'invocation_count',
          'completed_count',
          'avg_duration_seconds',
          'duration_count',
          'duration_histogram',
        ])
        .where('hour_start', 'in', hours);
      if (skills !== undefined) query = query.where('skill_name', 'in', skills);
      const rows = await query.orderBy('skill_name').orderBy('hour_start').execute();
      return rows.map((row) => ({
        skill: row.skill_name,
        ts: row.hour_start,
        count: row.invocation_count,
        completed: row.completed_count,
        avgDuration: row.avg_duration_seconds,
        durationCount: row.duration_count,
        logDurationSquares: row.duration_count >= 2 ? histogramLogSquares(row.duration_histogram, row.duration_count) : null,
      }));
    };
    const flat = (read: Map<string, SeriesPoint[]>) =>
      [...read].sort(([a], [b]) => (a < b ? -1 : 1)).flatMap(([skill, points]) => points.map((point) => ({ skill, ...point })));
    const all = await plain();
    expect(all.filter((row) => row.skill === 'ruff-check').map((row) => row.ts)).toEqual([
      MONDAY,
      base + 8 * HOUR,
      base + 9 * HOUR,
      base + 15 * HOUR,
    ]);
    expect(flat(await readHours(store, hours))).toEqual(all);
    expect(flat(await readHours(store, hours, ['ruff-check', 'nope']))).toEqual(await plain(['ruff-check']));
    expect(await readHours(store, hours, [])).toEqual(new Map());
  });

  it('skillTrend reads a skill from the rollups; an unknown skill is a NotFoundError', async () => {
    const t = await skillTrend(store, 'ruff-check', { metric: 'completion_rate', days: 7, until: MONDAY + 11 * DAY });
    expect(t).toMatchObject({ metric: 'completion_rate', direction: 'stable', slopePerDay: 0 });
    expect(t.points).toHaveLength(7);
    const volume = await skillTrend(store, 'pytest-run', { metric: 'invocation_count', days: 7, until: MONDAY + 11 * DAY });
    expect(volume.points.map((p) => p.value)).toEqual([480, 480, 480, 480, 480, 480, 480]);
    expect(volume.direction).toBe('stable');
    await expect(skillTrend(store, 'nope')).rejects.toThrow(NotFoundError);
    await expect(skillTrend(store, 'ruff-check', { metric: 'speed' as 'completion_rate' })).rejects.toThrow(ValidationError);
  });

  it('rejects unknown skills and bad options, and judges nothing in an empty store', async () => {
    await expect(detectAndRecordAnomalies(store, { skills: ['nope'], now: INCIDENT })).rejects.toThrow(/skill not found: nope/);
    await expect(detectAndRecordAnomalies(store, { now: Number.NaN })).rejects.toThrow(ValidationError);
    await expect(detectAndRecordAnomalies(store, { now: INCIDENT, since: INCIDENT - 40 * DAY })).rejects.toThrow(/at most 31 days/);
    const empty = (await factory.create()).store;
    try {
      expect(await detectAndRecordAnomalies(empty, { now: INCIDENT })).toMatchObject({ skills: 0, detected: [], resolved: [], open: 0 });
    } finally {
      await empty.close();
    }
  });
});
