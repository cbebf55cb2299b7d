/**
 * The special functions and distributions against SciPy (moved here from @skills/timeseries with
 * the code). Reference values: `python3 packages/timeseries/test/reference/scipy_reference.py`
 * (Python 3.11.7, NumPy 2.4.6, SciPy 1.17.1); inputs and outputs are also in
 * packages/timeseries/test/reference/scipy-values.json. Fisher's F:
 * `/usr/bin/python3 test/reference/scipy_f_reference.py` (Python 3.11.2, NumPy 1.24.2, SciPy
 * 1.10.1), in test/reference/scipy-f-values.json; the beta-binomial likewise
 * (`scipy_betabinom_reference.py`, SciPy 1.10.1), in test/reference/scipy-betabinom-values.json.
 */
import { describe, expect, it } from 'vitest';
import {
  betaBinomialLogCdf,
  betaBinomialLogSf,
  binomialLogCdf,
  fisherLogSf,
  binomialLogSf,
  negativeBinomialLogCdf,
  negativeBinomialLogSf,
  normalCdf,
  normalLogCdf,
  normalQuantile,
  normalQuantileFromLog,
  studentTLogTail,
  studentTTwoSidedP,
  incompleteBeta,
  logGamma,
  logIncompleteGamma,
} from '../src/index.js';
import { expectClose } from './close-to.js';

describe('special functions (scipy.special)', () => {
  it('logGamma matches gammaln', () => {
    const cases: [number, number][] = [
      [0.1, 2.252712651734206],
      [0.5, 0.5723649429247],
      [2.5, 0.2846828704729192],
      [10, 12.801827480081469],
      [171.3, 708.1149470389971],
      [1e4, 82099.71749644238],
    ];
    for (const [x, expected] of cases) expectClose(logGamma(x), expected, 1e-12);
    expectClose(logGamma(1), 0);
  });

  it('incompleteBeta matches betainc', () => {
    const cases: [number, number, number, number][] = [
      [0.5, 0.5, 0.2, 0.2951672353008665],
      [2, 3, 0.4, 0.5247999999999999],
      [10, 20, 0.3, 0.3640040810719437],
      [50, 5, 0.95, 0.8679513437737131],
      [200.5, 0.5, 0.999, 0.5267275885768902],
      [1000, 1000, 0.48, 0.03677948327863959],
      [3, 7.5, 0.9, 0.999998938462918],
    ];
    for (const [a, b, x, expected] of cases) expectClose(incompleteBeta(x, a, b), expected, 1e-10);
  });

  it('logIncompleteGamma matches gammainc and gammaincc', () => {
    const cases: [number, number, number, number][] = [
      [0.5, 0.1, 0.34527915398142317, 0.6547208460185768],
      [1.5, 2, 0.7385358700508888, 0.26146412994911117],
      [5, 3, 0.18473675547622787, 0.8152632445237722],
      [20, 25, 0.8664251659143496, 0.1335748340856504],
      [100, 80, 0.0171083130351331, 0.9828916869648668],
      [0.5, 50, 1.0, 1.5239706048320995e-23],
    ];
    for (const [a, x, lower, upper] of cases) {
      const result = logIncompleteGamma(a, x);
      expectClose(Math.exp(result.lower), lower, 1e-10);
      expectClose(Math.exp(result.upper), upper, 1e-10);
    }
  });
});

describe('distributions (scipy.stats)', () => {
  it('normalCdf and normalLogCdf match norm.cdf and norm.logcdf, far into the tail', () => {
    const cases: [number, number, number][] = [
      [-40, 0, -804.6084420137539],
      [-10, 7.61985302416047e-24, -53.23128515051248],
      [-3, 0.0013498980316300933, -6.60772622151035],
      [-1.5, 0.06680720126885807, -2.7059444008238898],
      [0, 0.5, -0.6931471805599453],
      [0.7, 0.758036347776927, -0.2770239422771313],
      [2.5, 0.9937903346742238, -0.00622902548586],
      [8, 0.9999999999999993, -6.220960574271742e-16],
    ];
    for (const [z, cdf, logCdf] of cases) {
      expectClose(normalLogCdf(z), logCdf, 1e-9);
      if (cdf > 0) expectClose(normalCdf(z), cdf, 1e-9);
    }
  });

  it('normalQuantile matches norm.ppf, and works from logarithms beyond 1e-308', () => {
    const cases: [number, number][] = [
      [1e-300, -37.0470962993612],
      [1e-20, -9.262340089798409],
      [1e-5, -4.264890793922825],
      [0.025, -1.9599639845400545],
      [0.3, -0.5244005127080409],
      [0.8, 0.8416212335729143],
      [0.999999, 4.753424308817087],
    ];
    for (const [p, z] of cases) expectClose(normalQuantile(p), z, 1e-9);
    expectClose(normalQuantile(0.5), 0);
    // ln Φ(−40) from scipy.stats.norm.logcdf(-40): the inverse recovers −40 where p itself underflows.
    expectClose(normalQuantileFromLog(-804.6084420137539), -40, 1e-9);
  });

  it('studentTTwoSidedP matches 2·t.sf(|t|, df) and studentTLogTail matches t.logsf', () => {
    const cases: [number, number, number][] = [
      [0.5, 3, 0.651447964848151],
      [2.1, 5, 0.08975324988459879],
      [-3.7, 10, 0.00410849682004021],
      [12, 4, 0.000276428548502973],
      [1.96, 1000, 0.050273184955748736],
    ];
    for (const [t, df, p] of cases) expectClose(studentTTwoSidedP(t, df), p, 1e-9);
    const tails: [number, number, number][] = [
      [3, 5, -4.19640227489469],
      [10, 8, -12.369982951057093],
      [40, 30, -62.54623464729917],
    ];
    for (const [t, df, logSf] of tails) expectClose(studentTLogTail(t, df), logSf, 1e-9);
  });

  it('fisherLogSf matches f.logsf, with fractional degrees of freedom', () => {
    const cases: [number, number, number, number][] = [
      [0.5, 4, 10, -0.3054719803994575],
      [1, 2.4, 30, -0.935912923717465],
      [2.5, 7.2, 41, -3.510592512023857],
      [4, 12, 6, -2.995769001764575],
      [30, 3, 200, -35.30346025932114],
      [1.8, 24.8, 55, -3.3346170247103046],
    ];
    for (const [f, d1, d2, expected] of cases) expectClose(fisherLogSf(f, d1, d2), expected, 1e-9);
    expectClose(fisherLogSf(0, 3, 4), 0);
  });

  it('beta-binomial tails match betabinom.logcdf and logsf, and their mid-p versions', () => {
    // [k, n, a, b, ln P(X ≤ k), ln(P(X < k) + P(X = k)/2), ln P(X ≥ k), ln(P(X > k) + P(X = k)/2)]
    const cases: [number, number, number, number, number, number, number, number][] = [
      [4, 16, 61.5, 24.5, -7.594741074556229, -8.134908494660012, -8.316496968739412e-5, -0.0002931688269104506],
      [0, 6, 66.4, 23.6, -7.603509708127994, -8.29665688868794, 0.0, -0.0002493801294734071],
      [0, 1, 3.2, 0.8, -1.6094379124341, -2.3025850929940455, 0.0, -0.1053605156578264],
      [3, 10, 0.7, 0.7, -0.9482483111958903, -1.0542567019193059, -0.3703155576773075, -0.428403187248026],
      [40, 200, 980.0, 20.0, -312.7716213660257, -313.4218651474964, 0.0, 0.0],
      [95, 100, 9.0, 1.0, -0.4393907033203876, -0.4836239582972133, -0.8883377328353966, -0.958533018279667],
      [12, 12, 50.0, 2.5, 0.0, -0.3482806085107741, -0.5306908596564743, -1.2238380402164193],
      [7, 60, 5.5, 30.25, -0.9424863719918509, -1.0650849205066208, -0.35630268095620826, -0.42265996835198905],
    ];
    for (const [k, n, a, b, lower, lowerMid, upper, upperMid] of cases) {
      expectClose(betaBinomialLogCdf(k, n, a, b), lower, 1e-9);
      expectClose(betaBinomialLogCdf(k, n, a, b, 0.5), lowerMid, 1e-9);
      expectClose(betaBinomialLogSf(k, n, a, b), upper, 1e-9);
      expectClose(betaBinomialLogSf(k, n, a, b, 0.5), upperMid, 1e-9);
    }
    expect(betaBinomialLogCdf(-1, 5, 2, 3)).toBe(Number.NEGATIVE_INFINITY);
    // Far above the mean (about 32) the terms grow by 10^600 towards the mode without overflowing.
    expectClose(betaBinomialLogCdf(990, 1000, 2, 60), 0);
  });

  it('binomial tails match binom.logcdf and binom.logsf', () => {
    const lower: [number, number, number, number][] = [
      [1, 2, 0.98, -3.2289261607217012],
      [160, 200, 0.98, -62.20409233724247],
      [3, 10, 0.5, -1.7609878105613013],
      [0, 5, 0.94, -14.067053583800178],
      [45, 50, 0.95, -2.2670557022408877],
    ];
    for (const [k, n, p, expected] of lower) expectClose(binomialLogCdf(k, n, p), expected, 1e-9);
    // P(X ≥ k) = binom.logsf(k − 1).
    const upper: [number, number, number, number][] = [
      [2, 2, 0.5, -1.3862943611198906],
      [30, 50, 0.4, -5.695700542721427],
      [10, 10, 0.6, -5.108256237659907],
    ];
    for (const [k, n, p, expected] of upper) expectClose(binomialLogSf(k, n, p), expected, 1e-9);
  });

  it('negative binomial tails match nbinom(r, r/(r+μ)), and approach the Poisson for large r', () => {
    // scipy.stats.poisson.logcdf(5, 2.5) and logsf(4, 2.5).
    expectClose(negativeBinomialLogCdf(5, 2.5, 1e7), -0.04292946179031047, 1e-5);
    expectClose(negativeBinomialLogSf(5, 2.5, 1e7), -2.2180419329269676, 1e-5);
    const nb: [number, number, number, number, number][] = [
      [0, 2, 1.5, -1.2709467905808056, 0],
      [10, 4, 5, -0.023240494346792966, -3.246667553501465],
      [200, 100, 44.4, -2.767793282447151e-6, -12.621284455157651],
      [22, 2.75, 1.3, -0.0002851547200053983, -7.7874544688801235],
    ];
    for (const [k, mean, size, logCdf, logSf] of nb) {
      expectClose(negativeBinomialLogCdf(k, mean, size), logCdf, 1e-8);
      expectClose(negativeBinomialLogSf(k, mean, size), logSf, 1e-8);
    }
  });
});
