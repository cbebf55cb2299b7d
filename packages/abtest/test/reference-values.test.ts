/**
 * Every statistic against a reference implementation on fixed inputs.
 *
 * Reference: SciPy 1.17.1 / NumPy 2.4.6 on Python 3 (no statsmodels or R on the build machine;
 * where SciPy has no function the formula is written out in NumPy, as noted). The script that
 * produced every value is test/reference/reference_values.py; run it with
 *   python3 packages/abtest/test/reference/reference_values.py
 * Values are compared to at least 4 significant digits (`close(x, ref, 4)`), most to 8+.
 */
import { describe, expect, it } from 'vitest';
import {
  adjustPValues,
  betaPosterior,
  compareBetaPosteriors,
  cupedAdjust,
  mannWhitneyU,
  msprt,
  powerOfDifference,
  sampleRatioMismatch,
  sampleSizePerVariant,
  twoProportionZTest,
  welchTTest,
  wilsonInterval,
} from '../src/index.js';
import { summarize } from '../src/stats/summary.js';
import { DURATIONS_A, DURATIONS_B } from './reference/samples.js';

/** Agreement to `digits` significant digits. */
function close(actual: number, expected: number, digits = 4): void {
  const tolerance = Math.abs(expected) * 10 ** -digits + 1e-300;
  expect(Math.abs(actual - expected), `${actual} vs reference ${expected}`).toBeLessThanOrEqual(tolerance);
}

describe('wilsonInterval', () => {
  // Wilson formula in NumPy with z = scipy.stats.norm.ppf(0.975): 45 of 100.
  it('matches the Wilson score interval for 45/100', () => {
    const { lower, upper } = wilsonInterval(45, 100);
    close(lower, 0.3561453798, 8);
    close(upper, 0.54755397, 8);
  });
});

describe('twoProportionZTest', () => {
  // 120/1000 control vs 150/1000 treatment. Pooled z and 2·norm.sf(|z|) (= statsmodels
  // proportions_ztest); Wald interval with unpooled SE; lift interval exp(ln(p2/p1) ± z·se_log) − 1.
  const r = twoProportionZTest(120, 1000, 150, 1000);
  it('gives the pooled z statistic and two-sided p-value', () => {
    close(r.statistic, 1.963049808, 8);
    close(r.pValue, 0.04964038687, 8);
  });
  it('gives the unpooled 95% interval of the difference', () => {
    close(r.differenceInterval.lower, 7.60288213e-5, 6);
    close(r.differenceInterval.upper, 0.05992397118, 8);
  });
  it('gives the delta-method interval of the relative lift', () => {
    expect(r.relativeLift).toBeCloseTo(0.25, 12);
    close(r.relativeLiftInterval.lower, -0.000326672242, 6);
    close(r.relativeLiftInterval.upper, 0.5630105922, 8);
  });
});

describe('welchTTest', () => {
  it('matches scipy.stats.ttest_ind(b, a, equal_var=False) on [1..5] vs [3..7]', () => {
    const r = welchTTest(summarize([1, 2, 3, 4, 5]), summarize([3, 4, 5, 6, 7]));
    close(r.statistic, 2, 10);
    close(r.degreesOfFreedom, 8, 10);
    close(r.pValue, 0.08051623796, 8);
    // result.confidence_interval(0.95)
    close(r.differenceInterval.lower, -0.3060041352, 6);
    close(r.differenceInterval.upper, 4.306004135, 8);
  });
  it('matches it on log-durations of two lognormal samples (numpy default_rng(7))', () => {
    const r = welchTTest(summarize(DURATIONS_A.map(Math.log)), summarize(DURATIONS_B.map(Math.log)));
    close(r.statistic, 5.414161108, 8);
    close(r.degreesOfFreedom, 61.57364256, 8);
    close(r.pValue, 1.075508738e-6, 6);
  });
});

describe('mannWhitneyU', () => {
  it('matches scipy.stats.mannwhitneyu(t, c, method="asymptotic") with ties', () => {
    const r = mannWhitneyU([1, 2, 3, 4], [3, 5, 6, 7]);
    expect(r.u).toBe(14.5);
    close(r.pValue, 0.08142910236, 8);
  });
  it('matches it on the lognormal samples', () => {
    const r = mannWhitneyU(DURATIONS_A, DURATIONS_B);
    expect(r.u).toBe(1773);
    close(r.pValue, 3.995763207e-7, 6);
  });
});

describe('compareBetaPosteriors', () => {
  // Beta(121, 881) vs Beta(151, 851). P(T > C) = scipy.integrate.quad(B.pdf·A.cdf);
  // losses by scipy.integrate.dblquad of max(c − t, 0)·f_A(c)·f_B(t) over [0.05, 0.25]².
  const r = compareBetaPosteriors(betaPosterior(120, 1000), betaPosterior(150, 1000));
  it('gives the chance to beat control', () => close(r.chanceToBeatControl, 0.9750678368, 5));
  it('gives the expected loss of shipping treatment', () => close(r.expectedLossTreatment, 0.0001441777965, 4));
  it('gives the expected loss of keeping control', () => close(r.expectedLossControl, 0.03008429752, 6));
});

describe('msprt', () => {
  // Λ = sqrt(V/(V+τ²))·exp(d²τ²/(2V(V+τ²))) in NumPy (Johari et al. 2017, eq. for normal mixture):
  // d = 0.03, V = 1e-4, τ² = 0.05².
  const r = msprt(0.03, 0.0001, 0.05 ** 2);
  it('gives the mixture likelihood ratio and always-valid p-value', () => {
    close(r.likelihoodRatio, 14.84814301, 8);
    close(r.pValue, 0.06734848924, 8);
  });
  it('gives the confidence sequence', () => {
    close(r.confidenceSequence.lower, -0.001015388968, 8);
    close(r.confidenceSequence.upper, 0.06101538897, 8);
  });
});

describe('sampleRatioMismatch', () => {
  it('matches scipy.stats.chisquare for a 45/55 split, deep in the tail', () => {
    const r = sampleRatioMismatch([4500, 5500], [0.5, 0.5]);
    close(r.chiSquare, 100, 10);
    close(r.pValue, 1.523970605e-23, 6);
    expect(r.mismatch).toBe(true);
  });
  it('matches it for a healthy 50.5/49.5 split and does not flag it', () => {
    const r = sampleRatioMismatch([5050, 4950], [0.5, 0.5]);
    close(r.pValue, 0.3173105079, 8);
    expect(r.mismatch).toBe(false);
  });
  it('matches it for three and four variants', () => {
    close(sampleRatioMismatch([3400, 3300, 3300], [1 / 3, 1 / 3, 1 / 3]).pValue, 0.3678794412, 8);
    close(sampleRatioMismatch([2480, 2600, 2520, 2400], [0.25, 0.25, 0.25, 0.25]).pValue, 0.03984112111, 8);
  });
});

describe('power', () => {
  it('gives the power of a two-sided z-test (norm.cdf(δ/se − z) + norm.cdf(−δ/se − z))', () => {
    close(powerOfDifference(0.05, 0.02), 0.7054180011, 8);
  });
  it('gives users per variant for 10% → 12% at α 0.05, power 0.8 ((z₀.₉₇₅ + z₀.₈)²·Σp(1−p)/δ²)', () => {
    close(sampleSizePerVariant(0.1 * 0.9, 0.12 * 0.88, 0.02), 3838.10219, 8);
  });
});

describe('adjustPValues', () => {
  const ps = [0.01, 0.04, 0.03, 0.005, 0.2];
  it('matches scipy.stats.false_discovery_control(ps, method="bh")', () => {
    expect(adjustPValues(ps, 'benjamini-hochberg').map((p) => +p.toPrecision(10))).toEqual([0.025, 0.05, 0.05, 0.025, 0.2]);
  });
  it('matches Holm step-down (written in NumPy, as R p.adjust "holm")', () => {
    expect(adjustPValues(ps, 'holm').map((p) => +p.toPrecision(10))).toEqual([0.04, 0.09, 0.09, 0.025, 0.2]);
  });
});

describe('cupedAdjust', () => {
  it('gives θ = cov(y, x)/var(x) and the variance reduction ρ² (numpy.cov, numpy.corrcoef)', () => {
    const r = cupedAdjust(new Float64Array([1, 2, 3]), new Float64Array([1, 2, 4]));
    close(r.theta, 0.6428571429, 9);
    close(r.varianceReduction, 0.9642857143, 9);
  });
});
