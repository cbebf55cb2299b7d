import { describe, expect, it } from 'vitest';
import { trend, ValidationError, type SeriesPoint } from '../src/index.js';
import { dailyCycle, DAY, MONDAY, simulate } from './series-fixtures.js';

const dayOf = (ts: number) => Math.floor((ts - MONDAY) / DAY);

/** 14 days from Monday 2026-01-05; `shape(day)` gives the day's peak volume, rate and duration. */
function fortnight(shape: (day: number) => { peak: number; rate: number; duration: number }, seed = 1): SeriesPoint[] {
  return simulate(
    MONDAY,
    14 * 24,
    (ts) => {
      const day = shape(dayOf(ts));
      return { volume: dailyCycle(ts, day.peak), rate: day.rate, duration: day.duration };
    },
    seed,
  );
}

const END = MONDAY + 14 * DAY;

describe('trend', () => {
  it('finds an improving completion rate: +1 point a day over 14 days', () => {
    const t = trend(
      fortnight((d) => ({ peak: 100, rate: 0.8 + 0.01 * d, duration: 2 })),
      'completion_rate',
      { days: 14 },
    );
    expect(t.direction).toBe('improving');
    expect(t.slopePerDay!).toBeGreaterThan(0.007);
    expect(t.slopePerDay!).toBeLessThan(0.013);
    expect(t.mannKendall!.pValue).toBeLessThan(0.001);
    expect(t.linear!.pValue).toBeLessThan(0.001);
    expect(t.points).toHaveLength(14);
    expect(t.summary).toMatch(/^completion rate improving over 14 days: Theil–Sen \+\d\.\d\d points a day, Mann–Kendall p = /);
  });

  it('calls a longer duration declining and a shrinking volume declining', () => {
    const slower = trend(
      fortnight((d) => ({ peak: 100, rate: 0.9, duration: 2 * 1.05 ** d })),
      'avg_duration_seconds',
      { days: 14 },
    );
    expect(slower.direction).toBe('declining');
    expect(slower.slopePerDay!).toBeGreaterThan(0);
    const fewer = trend(
      fortnight((d) => ({ peak: 200 * 0.95 ** d, rate: 0.9, duration: 2 })),
      'invocation_count',
      { days: 14 },
    );
    expect(fewer.direction).toBe('declining');
    expect(fewer.slopePerDay!).toBeLessThan(0);
  });

  it('calls noise without a trend stable', () => {
    const t = trend(
      fortnight(() => ({ peak: 100, rate: 0.9, duration: 2 })),
      'completion_rate',
      { days: 14 },
    );
    expect(t.direction).toBe('stable');
    expect(t.mannKendall!.pValue).toBeGreaterThan(0.05);
    expect(t.summary).toMatch(/^completion rate stable \(no significant trend at 0\.05\) over 14 days/);
  });

  it('is not flipped by three outlier days that turn least squares around', () => {
    // 21 days rising 1 point a day from 70%, except the last three days at 5% (an outage).
    const series = simulate(
      MONDAY,
      21 * 24,
      (ts) => ({ volume: dailyCycle(ts, 100), rate: dayOf(ts) >= 18 ? 0.05 : 0.7 + 0.01 * dayOf(ts), duration: 2 }),
      1,
    );
    const t = trend(series, 'completion_rate', { days: 21 });
    expect(t.direction).toBe('improving');
    expect(t.theilSen!.slope).toBeGreaterThan(0.005);
    expect(t.mannKendall!.pValue).toBeLessThan(0.05);
    // Least squares alone would report a significant decline.
    expect(t.linear!.slope).toBeLessThan(0);
    expect(t.linear!.pValue).toBeLessThan(0.05);
  });

  it('does not read a weekend at the end of the window as a decline in volume', () => {
    // Steady weekday traffic; the 7-day window ends on Sunday night, so its last two days are weekend.
    const series = fortnight(() => ({ peak: 200, rate: 0.9, duration: 2 }));
    const t = trend(series, 'invocation_count', { days: 7, until: END });
    expect(t.direction).toBe('stable');
    expect(t.weekendFactor!).toBeGreaterThan(0.3);
    expect(t.weekendFactor!).toBeLessThan(0.5);
  });

  it('counts hours without points as hours without invocations', () => {
    // Three days of 10 invocations in their first hour, then four days with none at all.
    const series: SeriesPoint[] = [0, 1, 2].map((d) => ({ ts: MONDAY + d * DAY, count: 10, completed: 9, avgDuration: 1 }));
    const t = trend(series, 'invocation_count', { days: 7, until: MONDAY + 7 * DAY });
    expect(t.points.map((p) => p.value)).toEqual([10, 10, 10, 0, 0, 0, 0]);
    // The median of the 21 pairwise slopes (9 of them 0, 12 negative).
    expect(t.slopePerDay).toBe(-2);
  });
});

describe('trend on bad input', () => {
  it('answers insufficient_data for an empty series, a single bucket, or fewer than 3 days with data', () => {
    expect(trend([], 'completion_rate')).toMatchObject({ direction: 'insufficient_data', slopePerDay: null, points: [] });
    const one = trend([{ ts: MONDAY, count: 3, completed: 3, avgDuration: 1 }], 'completion_rate');
    expect(one).toMatchObject({ direction: 'insufficient_data', slopePerDay: null, mannKendall: null, linear: null });
    expect(one.summary).toBe('completion rate: not enough data for a trend (1 of 7 days with data; a trend needs 3)');
    const twoDays = fortnight(() => ({ peak: 50, rate: 0.9, duration: 1 })).filter((p) => p.ts >= END - 2 * DAY);
    expect(trend(twoDays, 'avg_duration_seconds', { until: END }).direction).toBe('insufficient_data');
  });

  it('rejects NaN and negative values, unknown metrics and bad options with a ValidationError', () => {
    expect(() => trend([{ ts: MONDAY, count: Number.NaN, completed: 0, avgDuration: null }], 'completion_rate')).toThrow(ValidationError);
    expect(() => trend([{ ts: MONDAY, count: 1, completed: -1, avgDuration: null }], 'completion_rate')).toThrow(/series\[0\]\.completed/);
    expect(() => trend([], 'success' as 'completion_rate')).toThrow(
      /metric: expected one of completion_rate, invocation_count, avg_duration_seconds/,
    );
    expect(() => trend([], 'completion_rate', { days: 0 })).toThrow(/days: expected an integer from 1 to 366/);
    expect(() => trend([], 'completion_rate', { alpha: 2 })).toThrow(/alpha/);
  });
});
