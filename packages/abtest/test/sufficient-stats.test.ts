import { describe, expect, it } from 'vitest';
import { cupedAdjust, cupedFromSums, mannWhitneyFromCounts, mannWhitneyU, meanDifferenceZTest, msprt } from '../src/index.js';
import { summarize } from '../src/stats/summary.js';
import { summaryOfSums, sumsOf } from '../src/sufficient-stats.js';
import { DURATIONS_A, DURATIONS_B } from './reference/samples.js';

describe('sums, the form the store computes in SQL', () => {
  const y = new Float64Array([0.2, 0.5, 1, 0, 0.75, 0.4, 0.9, 0.1]);
  const x = new Float64Array([0.3, Number.NaN, 0.8, 0.1, 0.7, Number.NaN, 0.95, 0.2]);

  it('give the same mean and variance as the values', () => {
    const fromSums = summaryOfSums(sumsOf(y, null));
    const direct = summarize(y);
    expect(fromSums.mean).toBeCloseTo(direct.mean, 14);
    expect(fromSums.variance).toBeCloseTo(direct.variance, 14);
  });

  it('give the same CUPED adjustment as adjusting the values (missing covariates imputed by the mean)', () => {
    const known = [...x].filter((v) => !Number.isNaN(v));
    const mean = known.reduce((a, b) => a + b, 0) / known.length;
    const imputed = x.map((v) => (Number.isNaN(v) ? mean : v));
    const direct = cupedAdjust(y, imputed);
    const fromSums = cupedFromSums(sumsOf(y.subarray(0, 4), x.subarray(0, 4)), sumsOf(y.subarray(4), x.subarray(4)));
    expect(fromSums.theta).toBeCloseTo(direct.theta, 12);
    expect(fromSums.varianceReduction).toBeCloseTo(direct.varianceReduction, 12);
    expect(fromSums.control.mean).toBeCloseTo(summarize(direct.adjusted.subarray(0, 4)).mean, 12);
    expect(fromSums.treatment.variance).toBeCloseTo(summarize(direct.adjusted.subarray(4)).variance, 12);
    expect(fromSums.usersWithHistory).toBe(6);
  });
});

describe('mannWhitneyFromCounts', () => {
  it('equals mannWhitneyU on the expanded samples, ties included', () => {
    const counts = (values: number[]) => {
      const map = new Map<number, number>();
      for (const v of values) map.set(v, (map.get(v) ?? 0) + 1);
      return map;
    };
    const a = DURATIONS_A.map((d) => Math.round(d));
    const b = DURATIONS_B.map((d) => Math.round(d));
    const ca = counts(a);
    const cb = counts(b);
    const values = [...new Set([...a, ...b])].sort((p, q) => p - q);
    const grouped = mannWhitneyFromCounts(
      values,
      values.map((v) => ca.get(v) ?? 0),
      values.map((v) => cb.get(v) ?? 0),
    );
    const direct = mannWhitneyU(a, b);
    expect(grouped.u).toBe(direct.u);
    expect(grouped.pValue).toBeCloseTo(direct.pValue, 14);
  });
});

describe('degenerate data', () => {
  it('treats a difference between two groups without variance as certain, and no difference as none', () => {
    expect(meanDifferenceZTest(0.4, 0, 0.8, 0).pValue).toBe(0);
    expect(meanDifferenceZTest(0.5, 0, 0.5, 0).pValue).toBe(1);
    expect(msprt(0.4, 0, 0.0025).pValue).toBe(0);
    expect(msprt(0, 0, 0.0025).pValue).toBe(1);
  });
});
