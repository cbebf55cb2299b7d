/**
 * Least squares, Mann–Kendall and Theil–Sen against SciPy on fixed inputs.
 * Reference values: `python3 test/reference/scipy_reference.py` (Python 3.11.7, NumPy 2.4.6,
 * SciPy 1.17.1): scipy.stats.linregress, scipy.stats.theilslopes(y, x) and the Mann–Kendall test
 * of pymannkendall.original_test written out with numpy/scipy (tie-corrected variance,
 * continuity correction, p = 2·(1 − norm.cdf(|z|))), cross-checked with scipy.stats.kendalltau.
 */
import { describe, expect, it } from 'vitest';
import { linearRegression } from '../src/trend/linear-regression.js';
import { mannKendall } from '../src/trend/mann-kendall.js';
import { theilSen } from '../src/trend/theil-sen.js';
import { expectClose } from './close-to.js';

const days10 = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const days12 = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
/** A completion rate rising about 1.25 points a day. */
const rising = [0.81, 0.83, 0.8, 0.86, 0.84, 0.88, 0.87, 0.9, 0.89, 0.93];
/** Integer values with ties (three 3s, three 6s, two 7s). */
const tied = [5, 3, 3, 3, 4, 6, 6, 6, 2, 7, 7, 8];
/** Noise around 10 with no trend. */
const flat = [10.2, 9.8, 10.5, 10.1, 9.9, 10.4, 10.0, 10.3, 9.7, 10.1];

describe('linearRegression (scipy.stats.linregress)', () => {
  it('matches slope, intercept, r, two-sided p-value and standard error', () => {
    const cases = [
      {
        x: days10,
        y: rising,
        slope: 0.012545454545454549,
        intercept: 0.8045454545454547,
        r: 0.9215303283909011,
        p: 0.0001507621227911045,
        stderr: 0.0018689871448617276,
      },
      {
        x: days12,
        y: tied,
        slope: 0.34265734265734266,
        intercept: 3.1153846153846154,
        r: 0.6322712232633236,
        p: 0.027381748875790746,
        stderr: 0.1327750877345981,
      },
      {
        x: days10,
        y: flat,
        slope: -0.014545454545454558,
        intercept: 10.165454545454546,
        r: -0.17056057308448844,
        p: 0.6375644641307068,
        stderr: 0.029709335706123993,
      },
    ];
    for (const c of cases) {
      const fit = linearRegression(c.x, c.y);
      expectClose(fit.slope, c.slope);
      expectClose(fit.intercept, c.intercept);
      expectClose(fit.r, c.r);
      expectClose(fit.pValue, c.p, 1e-8);
      expectClose(fit.stderr, c.stderr);
    }
  });

  it('gives slope 0 and p-value 1 for a constant series, as linregress does', () => {
    expect(linearRegression([0, 1, 2, 3], [4, 4, 4, 4])).toMatchObject({ slope: 0, pValue: 1 });
  });
});

describe('mannKendall (pymannkendall.original_test)', () => {
  it('matches S, tie-corrected variance, z, p-value and tau', () => {
    const cases = [
      { y: rising, s: 35, variance: 125, z: 3.041052449399714, p: 0.002357527595795439, tau: 0.7777777777777778 },
      { y: tied, s: 35, variance: 204.33333333333334, z: 2.3785336895312015, p: 0.017381648528827842, tau: 0.5303030303030303 },
      { y: flat, s: -6, variance: 124, z: -0.4490132550669373, p: 0.6534220947553175, tau: -0.13333333333333333 },
    ];
    for (const c of cases) {
      const mk = mannKendall(c.y);
      expect(mk.s).toBe(c.s);
      expectClose(mk.variance, c.variance);
      expectClose(mk.z, c.z);
      expectClose(mk.pValue, c.p, 1e-8);
      expectClose(mk.tau, c.tau);
    }
  });

  it('agrees with scipy.stats.kendalltau (tau-b) once its denominator is corrected for ties', () => {
    // tau-b = S / sqrt(n0 · (n0 − n1)) with n0 = n(n−1)/2, n1 = Σ t(t−1)/2 over tied groups of y.
    const mk = mannKendall(tied);
    const n0 = (12 * 11) / 2;
    const n1 = 3 + 3 + 1; // three 3s, three 6s, two 7s
    expectClose(mk.s / Math.sqrt(n0 * (n0 - n1)), 0.5608801506561831);
  });
});

describe('theilSen (scipy.stats.theilslopes)', () => {
  it('matches the slope, intercept and 95% confidence interval', () => {
    const cases = [
      { x: days10, y: rising, slope: 0.012500000000000011, intercept: 0.80875, low: 0.008571428571428579, high: 0.018000000000000016 },
      { x: days12, y: tied, slope: 0.4222222222222222, intercept: 3.1777777777777776, low: 0, high: 0.6 },
      { x: days10, y: [1, 2, 3, 4, 100, 6, 7, -50, 9, 10], slope: 1, intercept: 0.5, low: 1, high: 1 },
    ];
    for (const c of cases) {
      const line = theilSen(c.x, c.y);
      expectClose(line.slope, c.slope);
      expectClose(line.intercept, c.intercept);
      expectClose(line.lowSlope, c.low);
      expectClose(line.highSlope, c.high);
    }
  });
});
