import { describe, expect, it } from 'vitest';
import { detectAnomalies, explainAnomalies, ValidationError, type SeriesPoint } from '../src/index.js';
import { dailyCycle, DAY, HOUR, MONDAY, simulate, withHour } from './series-fixtures.js';

/** 4 weeks of a busy skill: 200 invocations an hour at the weekday peak, 98% completed, 2 s median. */
function busySkill(seed = 1): SeriesPoint[] {
  return simulate(MONDAY, 28 * 24, (ts) => ({ volume: dailyCycle(ts, 200), rate: 0.98, duration: 2 }), seed);
}

/** 4 weeks of a small skill: about 2 invocations an hour, 98% completed. */
function smallSkill(seed = 2): SeriesPoint[] {
  return simulate(MONDAY, 28 * 24, () => ({ volume: 2, rate: 0.98, duration: 5 }), seed);
}

/** Thursday of the fourth week, 14:00: a weekday peak hour with three weeks of history. */
const PEAK = MONDAY + 24 * DAY + 14 * HOUR;

describe('detectAnomalies', () => {
  it('flags 40 failures in 200 calls after a 2% failure baseline as a completion-rate drop', () => {
    const series = withHour(busySkill(), { ts: PEAK, count: 200, completed: 160, avgDuration: 2.1 });
    const anomalies = detectAnomalies(series, { skill: 'pytest-run', until: PEAK + HOUR });
    expect(anomalies).toHaveLength(1);
    const [drop] = anomalies;
    expect(drop).toMatchObject({
      skill: 'pytest-run',
      type: 'drop',
      metric: 'completion_rate',
      bucket: PEAK,
      hours: 1,
      observed: 0.8,
      method: 'robust',
    });
    expect(drop!.baseline).toBeGreaterThan(0.97);
    expect(drop!.score).toBeLessThan(-8);
    expect(drop!.reason).toMatch(/^completion rate 80% \(160 of 200\) in the hour from 14:00 UTC; usually 98% at this hour on weekdays/);
  });

  it('does not flag one failure in two calls, which the z-score method does', () => {
    // Two calls an hour, all completed but one failure every 13 hours (about 96%).
    const series: SeriesPoint[] = [];
    for (let h = 0; h < 28 * 24; h++) series.push({ ts: MONDAY + h * HOUR, count: 2, completed: h % 13 === 3 ? 1 : 2, avgDuration: 5 });
    const failing = withHour(series, { ts: PEAK, count: 2, completed: 1, avgDuration: 5 });
    expect(detectAnomalies(failing, { until: PEAK + HOUR })).toEqual([]);
    const original = detectAnomalies(failing, { until: PEAK + HOUR, method: 'zscore', metrics: ['completion_rate'] });
    expect(original.map((a) => [a.type, a.metric])).toEqual([['drop', 'completion_rate']]);
    expect(original[0]!.reason).toMatch(
      /^completion rate 50% \(1 of 2\) in the hour from 14:00 UTC; against 9\d% over the previous 23 hours; z = -\d\.\d, threshold 2$/,
    );
  });

  it('raises nothing in an ordinary week, where the z-score method raises an alarm every few hours', () => {
    const series = busySkill(3);
    const week = { since: PEAK - 7 * DAY, until: PEAK };
    expect(detectAnomalies(series, week)).toEqual([]);
    expect(detectAnomalies(series, { ...week, method: 'zscore' })).toHaveLength(18);
  });

  it('compares a weekend hour with weekends: 40% of weekday traffic on Saturday is normal', () => {
    const saturdayPeak = MONDAY + 26 * DAY + 14 * HOUR;
    expect(detectAnomalies(busySkill(4), { until: saturdayPeak + HOUR, metrics: ['invocation_count'] })).toEqual([]);
  });

  it('flags five times the usual volume as a spike', () => {
    const series = withHour(busySkill(), { ts: PEAK, count: 1000, completed: 980, avgDuration: 2 });
    const [spike] = detectAnomalies(series, { until: PEAK + HOUR, metrics: ['invocation_count'] });
    expect(spike).toMatchObject({ type: 'spike', metric: 'invocation_count', observed: 1000 });
    expect(spike!.baseline).toBeGreaterThan(170);
    expect(spike!.baseline).toBeLessThan(230);
    expect(spike!.reason).toMatch(
      /^1,000 invocations in the hour from 14:00 UTC, \d\.\d× the usual; usually \d+ an hour at this hour on weekdays/,
    );
  });

  it('flags a tripled average duration as a spike in duration', () => {
    const series = withHour(busySkill(), { ts: PEAK, count: 200, completed: 196, avgDuration: 7 });
    const [slow] = detectAnomalies(series, { until: PEAK + HOUR, metrics: ['avg_duration_seconds'] });
    expect(slow).toMatchObject({ type: 'spike', metric: 'avg_duration_seconds', observed: 7 });
    expect(slow!.reason).toMatch(
      /^average duration 7\.00 s over 196 timed completions in the hour from 14:00 UTC, 3\.\d× slower than usual/,
    );
  });

  it('finds a sustained shift over three hours that no single hour shows (pattern_shift)', () => {
    // 60 calls an hour at 90%; then three hours at 75%: each hour alone is within noise.
    // (Simulated up to the judged hours: missing hours would read as silence.)
    let series = simulate(MONDAY, 24 * 24 + 13, () => ({ volume: 60, rate: 0.9, duration: 1 }), 5);
    const end = MONDAY + 24 * DAY + 12 * HOUR;
    for (const ts of [end - 2 * HOUR, end - HOUR, end]) series = withHour(series, { ts, count: 60, completed: 45, avgDuration: 1 });
    const hourly = detectAnomalies(series, { until: end + HOUR, windowHours: 1, longWindowHours: 1 });
    expect(hourly).toEqual([]);
    const [shift] = detectAnomalies(series, { until: end + HOUR });
    expect(shift).toMatchObject({ type: 'pattern_shift', metric: 'completion_rate', bucket: end, hours: 3, observed: 0.75 });
    expect(shift!.reason).toMatch(/^completion rate 75% \(135 of 180\) over the 3 hours from 10:00 to 13:00 UTC/);
  });

  it('judges every hour from `since`, each only against the hours before it', () => {
    const series = withHour(busySkill(), { ts: PEAK, count: 200, completed: 160, avgDuration: 2 });
    const all = detectAnomalies(series, { since: PEAK - 6 * HOUR, until: PEAK + 6 * HOUR });
    expect(all.map((a) => [a.bucket, a.metric])).toContainEqual([PEAK, 'completion_rate']);
    // Data after the judged hour changes nothing about it.
    const cut = series.filter((p) => p.ts <= PEAK);
    expect(detectAnomalies(cut, { until: PEAK + HOUR })).toEqual(all.filter((a) => a.bucket === PEAK));
  });
});

describe('detectAnomalies on bad input', () => {
  it('returns [] for an empty series and for a single bucket', () => {
    expect(detectAnomalies([])).toEqual([]);
    expect(detectAnomalies([{ ts: PEAK, count: 5, completed: 0, avgDuration: null }])).toEqual([]);
  });

  it('reads gaps as hours without invocations: a silent hour of a small skill is no alarm', () => {
    const series = smallSkill().filter((p) => p.ts < PEAK - 3 * HOUR);
    expect(detectAnomalies(series, { since: PEAK - 3 * HOUR, until: PEAK + HOUR })).toEqual([]);
  });

  it('judges a skill with two days of history, but not one with a single day, and says why', () => {
    const series = simulate(PEAK - 2 * DAY, 48, () => ({ volume: 100, rate: 0.95, duration: 1 }), 6);
    const outage = { ts: PEAK, count: 500, completed: 10, avgDuration: 90 };
    expect(detectAnomalies(withHour(series, outage), { until: PEAK + HOUR }).map((a) => [a.metric, a.type])).toEqual([
      ['completion_rate', 'drop'],
      ['invocation_count', 'spike'],
      ['avg_duration_seconds', 'spike'],
    ]);
    const young = withHour(
      series.filter((p) => p.ts >= PEAK - DAY),
      outage,
    );
    expect(detectAnomalies(young, { until: PEAK + HOUR })).toEqual([]);
    expect(explainAnomalies(young, { until: PEAK + HOUR }).map((h) => [h.metric, h.status, h.code, h.reason])).toEqual([
      ['completion_rate', 'not_judged', 'young_history', 'completion rate not judged: 1 earlier day of history (2 needed)'],
      ['invocation_count', 'not_judged', 'young_history', 'volume not judged: 1 earlier day of history (2 needed)'],
      ['avg_duration_seconds', 'not_judged', 'young_history', 'duration not judged: 1 earlier day of history (2 needed)'],
    ]);
  });

  it('judges the first Saturday against the weekdays before it: a rise is flagged, a fall is not judged and says why', () => {
    // 20 calls an hour on Thursday 1 and Friday 2 January 2026, then Saturday 10:00.
    const thursday = Date.UTC(2026, 0, 1);
    const weekdays: SeriesPoint[] = Array.from({ length: 48 }, (_, h) => ({
      ts: thursday + h * HOUR,
      count: 20,
      completed: 19,
      avgDuration: 1,
    }));
    const saturday = thursday + 2 * DAY + 10 * HOUR;
    const rise = detectAnomalies([...weekdays, { ts: saturday, count: 200, completed: 190, avgDuration: 1 }], {
      until: saturday + HOUR,
      metrics: ['invocation_count'],
    });
    expect(rise.map((a) => [a.type, a.observed, a.baseline])).toEqual([['spike', 200, 20]]);
    expect(rise[0]!.reason).toMatch(
      /^200 invocations in the hour from 10:00 UTC, 10× the usual; usually 20 an hour at this hour on any day \(2 earlier days\)/,
    );
    const quiet = [...weekdays, { ts: saturday, count: 2, completed: 2, avgDuration: 1 }];
    expect(detectAnomalies(quiet, { until: saturday + HOUR, metrics: ['invocation_count'] })).toEqual([]);
    expect(
      explainAnomalies(quiet, { until: saturday + HOUR, metrics: ['invocation_count'] }).map((h) => [h.status, h.code, h.reason]),
    ).toEqual([
      [
        'not_judged',
        'no_day_type_history',
        'volume drop not judged: no history of this day type (weekend or weekday) to scale the other days by; only a rise above them is judged',
      ],
    ]);
  });

  it('pools the hour either side when too few earlier days had calls at the exact hour', () => {
    // A small skill called only at 01:00 and 03:00 (3 calls of 2 s); at 02:00 on Friday, 4 calls of 20 s.
    const points: SeriesPoint[] = [];
    for (let d = 0; d < 4; d++)
      for (const h of [1, 3]) points.push({ ts: MONDAY + d * DAY + h * HOUR, count: 3, completed: 3, avgDuration: 2 });
    const judged = MONDAY + 4 * DAY + 2 * HOUR;
    const series = [...points, { ts: judged, count: 4, completed: 4, avgDuration: 20 }];
    const [slow] = detectAnomalies(series, { until: judged + HOUR, metrics: ['avg_duration_seconds'] });
    expect(slow).toMatchObject({ type: 'spike', metric: 'avg_duration_seconds', observed: 20 });
    expect(slow!.reason).toMatch(/usually 2\.02 s at this hour and the hour either side on weekdays \(4 earlier days\)/);
    // With the neighbours gone too, the hour says why it was not judged.
    const alone = [{ ts: MONDAY + 6 * HOUR, count: 3, completed: 3, avgDuration: 2 }, ...series.filter((p) => p.ts >= MONDAY + 3 * DAY)];
    expect(explainAnomalies(alone, { until: judged + HOUR, metrics: ['avg_duration_seconds'] }).map((h) => [h.code, h.reason])).toEqual([
      [
        'thin_references',
        'duration not judged: only 1 earlier day had timed completions at this hour, even with the hour either side (2 needed)',
      ],
    ]);
  });

  it('rejects NaN, negative and inconsistent values with a ValidationError naming the point and field', () => {
    const good = { ts: PEAK, count: 5, completed: 4, avgDuration: 1 };
    const cases: [Partial<SeriesPoint>, string][] = [
      [{ count: Number.NaN }, 'series[0].count'],
      [{ count: -1 }, 'series[0].count'],
      [{ completed: 6 }, 'series[0].completed'],
      [{ avgDuration: -2 }, 'series[0].avgDuration'],
      [{ ts: PEAK + 1 }, 'series[0].ts'],
    ];
    for (const [change, field] of cases) {
      const error = (() => {
        try {
          detectAnomalies([{ ...good, ...change }]);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues[0]!.field).toBe(field);
    }
  });

  it('rejects two points for the same hour, and accepts points out of order', () => {
    const a = { ts: PEAK, count: 1, completed: 1, avgDuration: 1 };
    expect(() => detectAnomalies([a, a])).toThrow(/two points for the hour 2026-01-29T14:00:00.000Z/);
    const series = busySkill();
    expect(detectAnomalies([...series].reverse(), { until: PEAK + HOUR })).toEqual(detectAnomalies(series, { until: PEAK + HOUR }));
  });

  it('rejects unknown methods, metrics and out-of-range options', () => {
    expect(() => detectAnomalies([], { method: 'magic' as 'robust' })).toThrow(ValidationError);
    expect(() => detectAnomalies([], { metrics: ['success' as 'completion_rate'] })).toThrow(
      /metrics: expected one of completion_rate, invocation_count, avg_duration_seconds/,
    );
    expect(() => detectAnomalies([], { threshold: 0 })).toThrow(/threshold/);
    expect(() => detectAnomalies([], { since: 2 * HOUR, until: HOUR })).toThrow(/since: must not be after until/);
  });
});
