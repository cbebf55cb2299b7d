import { describe, expect, it } from 'vitest';
import { referencesFor } from '../src/anomalies/references.js';
import { estimateSpread } from '../src/anomalies/spread.js';
import { detectAnomalies, ValidationError } from '../src/index.js';
import { checkSeries, denseSeries } from '../src/series.js';
import { histogramLogSquares } from '../src/store/read-series.js';
import { DAY, HOUR, MONDAY, simulate } from './series-fixtures.js';

const options = { baselineDays: 14, minReferenceDays: 2 };
/** 3 calls an hour, every one completing, durations log-normal around 10 s with σ = 0.4 (σ² = 0.16). */
const quiet = () => ({ volume: 3, rate: 1, duration: 10 });

describe('within-hour spread of durations', () => {
  it('histogramLogSquares: the squared log deviations of the bucket centres, only when the histogram holds every timed completion', () => {
    // Two durations in bucket 40 and one in 44 (bucket width ln 2 / 4): deviations −4/3, −4/3 and +8/3 widths.
    expect(histogramLogSquares('{"40":2,"44":1}', 3)).toBeCloseTo((32 / 3) * (Math.LN2 / 4) ** 2, 12);
    expect(histogramLogSquares('{"40":3}', 3)).toBe(0);
    expect(histogramLogSquares('{"40":2}', 3)).toBeNull();
    expect(histogramLogSquares('{}', 2)).toBeNull();
    expect(histogramLogSquares('not json', 2)).toBeNull();
  });

  it('a negative logDurationSquares is a ValidationError naming the point', () => {
    const bad = [{ ts: MONDAY, count: 3, completed: 3, avgDuration: 2, logDurationSquares: -1 }];
    expect(() => checkSeries(bad)).toThrow(ValidationError);
    expect(() => checkSeries(bad)).toThrow('series[0].logDurationSquares: expected null or a finite number ≥ 0 (got -1)');
  });

  it('estimates σ² of a small skill from 3 days at least as well, with 2.6 times the degrees of freedom of the daily means alone', () => {
    // Over 20 seeds: the root mean square of ln(estimate / truth), and the mean degrees of freedom of the t test.
    const summary = (withinHour: boolean) => {
      let squaredError = 0;
      let df = 0;
      for (let seed = 1; seed <= 20; seed++) {
        const series = denseSeries(simulate(MONDAY, 4 * 24, quiet, seed, withinHour));
        const spread = estimateSpread(series, referencesFor(series, 3 * 24 + 14, 3, options));
        // The spread is that of a log mean of the typical hour's completions, times their number.
        const truth = spread.durationTypicalN * Math.log1p(Math.expm1(0.16) / spread.durationTypicalN);
        squaredError += Math.log(spread.logDurationVariance / truth) ** 2;
        df += spread.logDurationDf;
      }
      return { error: Math.sqrt(squaredError / 20), df: df / 20 };
    };
    const without = summary(false);
    const withSquares = summary(true);
    expect(without.error).toBeCloseTo(0.3354, 4);
    expect(without.df).toBeCloseTo(16.68, 6);
    expect(withSquares.error).toBeCloseTo(0.2988, 4);
    expect(withSquares.df).toBeCloseTo(43.73, 6);
  });

  it('finds a 2.2× slowdown of a skill with 3 calls an hour that the daily means alone leave under the threshold', () => {
    const at = MONDAY + 4 * DAY + 14 * HOUR;
    const shape = (ts: number) => ({ ...quiet(), duration: ts >= at && ts < at + 3 * HOUR ? 22 : 10 });
    const judge = (withinHour: boolean) =>
      detectAnomalies(simulate(MONDAY, 4 * 24 + 17, shape, 3, withinHour), {
        since: at,
        until: at + 3 * HOUR,
        metrics: ['avg_duration_seconds'],
      });
    expect(judge(false)).toEqual([]);
    const found = judge(true);
    // Hours from the start of the slowdown, type and score: the 3-hour window after its first and last hour.
    expect(found.map((a) => [(a.bucket - at) / HOUR, a.type, Math.round(a.score * 100) / 100])).toEqual([
      [0, 'pattern_shift', 3.42],
      [2, 'pattern_shift', 3.99],
    ]);
  });

  it('does not let the within-hour spread hide hourly means that vary from day to day', () => {
    // Each day is uniformly 1.6× slower or faster than the last (load, a deploy): within hours the spread is small.
    const day = (ts: number) => Math.floor((ts - MONDAY) / DAY);
    const shape = (ts: number) => ({ ...quiet(), duration: 10 * 1.6 ** ((day(ts) % 2) * 2 - 1) });
    const spread = (withinHour: boolean) => {
      const series = denseSeries(simulate(MONDAY, 12 * 24, shape, 5, withinHour));
      return estimateSpread(series, referencesFor(series, 11 * 24 + 14, 3, options));
    };
    // The F test finds the hourly means too spread for the within-hour spread: the between-day spread alone decides.
    expect(spread(true)).toEqual(spread(false));
    expect(spread(true).logDurationVariance).toBeCloseTo(1.5002, 4);
    // With the same days all alike, the within-hour spread counts (150 degrees of freedom, not 40).
    const flat = denseSeries(simulate(MONDAY, 12 * 24, quiet, 5, true));
    expect(estimateSpread(flat, referencesFor(flat, 11 * 24 + 14, 3, options)).logDurationDf).toBeCloseTo(150.4, 6);
  });
});
