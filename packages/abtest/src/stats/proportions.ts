import { normalQuantile, normalTwoSidedP } from '@skills/stats';
import { checkCount, checkNonNegative, checkProbability, fail, checkFinite } from './checks.js';

/** A two-sided confidence interval. */
export interface Interval {
  lower: number;
  upper: number;
}

/**
 * Wilson score interval for a proportion of `successes` out of `n`.
 * @example wilsonInterval(45, 100) // { lower: 0.3561, upper: 0.5476 }
 */
export function wilsonInterval(successes: number, n: number, confidence = 0.95): Interval {
  checkNonNegative('n', n);
  checkSuccesses('successes', successes, n);
  checkProbability('confidence', confidence, { open: true });
  if (n <= 0) return { lower: 0, upper: 1 };
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const p = successes / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { lower: Math.max(0, centre - half), upper: Math.min(1, centre + half) };
}

/** Result of comparing a treatment proportion or mean with control's. */
export interface DifferenceTest {
  /** treatment − control */
  difference: number;
  /** treatment / control − 1 (NaN when control is 0). */
  relativeLift: number;
  statistic: number;
  pValue: number;
  /** Interval for the difference. */
  differenceInterval: Interval;
  /** Interval for the relative lift (delta method on the log ratio). */
  relativeLiftInterval: Interval;
  standardError: number;
}

/**
 * Two-proportion z-test (pooled standard error for the test, unpooled for the interval, as in
 * statsmodels' `proportions_ztest` / `confint_proportions_2indep(method='wald')`).
 * @example twoProportionZTest(120, 1000, 150, 1000).pValue // 0.04964
 */
export function twoProportionZTest(
  controlSuccesses: number,
  controlN: number,
  treatmentSuccesses: number,
  treatmentN: number,
  confidence = 0.95,
): DifferenceTest {
  checkCount('controlN', controlN);
  checkCount('treatmentN', treatmentN);
  if (controlN === 0 || treatmentN === 0) fail(controlN === 0 ? 'controlN' : 'treatmentN', 'must be > 0');
  checkSuccesses('controlSuccesses', controlSuccesses, controlN);
  checkSuccesses('treatmentSuccesses', treatmentSuccesses, treatmentN);
  checkProbability('confidence', confidence, { open: true });
  const pc = controlSuccesses / controlN;
  const pt = treatmentSuccesses / treatmentN;
  const pooled = (controlSuccesses + treatmentSuccesses) / (controlN + treatmentN);
  const pooledSe = Math.sqrt(pooled * (1 - pooled) * (1 / controlN + 1 / treatmentN));
  const varC = (pc * (1 - pc)) / controlN;
  const varT = (pt * (1 - pt)) / treatmentN;
  const statistic = pooledSe > 0 ? (pt - pc) / pooledSe : 0;
  return {
    ...differenceIntervals(pc, varC, pt, varT, confidence),
    statistic,
    pValue: pooledSe > 0 ? normalTwoSidedP(statistic) : 1,
  };
}

/**
 * Large-sample z-test for a difference of means given each group's mean and the variance of
 * that mean (s²/n). On per-user 0/1 values it is the unpooled two-proportion test.
 * @example meanDifferenceZTest(0.5, 0.0025, 0.56, 0.0025).pValue // 0.3961
 */
export function meanDifferenceZTest(
  controlMean: number,
  controlMeanVariance: number,
  treatmentMean: number,
  treatmentMeanVariance: number,
  confidence = 0.95,
): DifferenceTest {
  // A mean is NaN for a group without users (the result is then NaN too); ±Infinity is refused.
  if (Math.abs(controlMean) === Number.POSITIVE_INFINITY) checkFinite('controlMean', controlMean);
  if (Math.abs(treatmentMean) === Number.POSITIVE_INFINITY) checkFinite('treatmentMean', treatmentMean);
  // NaN (a group without users) passes through as NaN; a negative variance is impossible.
  if (controlMeanVariance < 0 || controlMeanVariance === Number.POSITIVE_INFINITY)
    checkNonNegative('controlMeanVariance', controlMeanVariance);
  if (treatmentMeanVariance < 0 || treatmentMeanVariance === Number.POSITIVE_INFINITY)
    checkNonNegative('treatmentMeanVariance', treatmentMeanVariance);
  checkProbability('confidence', confidence, { open: true });
  const intervals = differenceIntervals(controlMean, controlMeanVariance, treatmentMean, treatmentMeanVariance, confidence);
  if (!(intervals.standardError > 0)) {
    // No variance at all: any difference is certain (the original returned NaN → "inconclusive").
    const certain = intervals.difference !== 0;
    return { ...intervals, statistic: certain ? Math.sign(intervals.difference) * Number.POSITIVE_INFINITY : 0, pValue: certain ? 0 : 1 };
  }
  const statistic = intervals.difference / intervals.standardError;
  return { ...intervals, statistic, pValue: normalTwoSidedP(statistic) };
}

/** Successes (a sum of per-user rates, so not always whole) between 0 and n. */
function checkSuccesses(field: string, successes: number, n: number): void {
  if (!(Number.isFinite(successes) && successes >= 0 && successes <= n)) fail(field, `must be between 0 and ${n} (got ${successes})`);
}

function differenceIntervals(
  mc: number,
  varC: number,
  mt: number,
  varT: number,
  confidence: number,
): Omit<DifferenceTest, 'statistic' | 'pValue'> {
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const difference = mt - mc;
  const standardError = Math.sqrt(varC + varT);
  const relativeLift = mc !== 0 ? mt / mc - 1 : Number.NaN;
  // Var(ln(mt/mc)) ≈ varT/mt² + varC/mc²; the interval is exponentiated back, so it is asymmetric.
  let relativeLiftInterval: Interval = { lower: Number.NaN, upper: Number.NaN };
  if (mc > 0 && mt > 0) {
    const logRatio = Math.log(mt / mc);
    const seLog = Math.sqrt(varT / (mt * mt) + varC / (mc * mc));
    relativeLiftInterval = { lower: Math.exp(logRatio - z * seLog) - 1, upper: Math.exp(logRatio + z * seLog) - 1 };
  }
  return {
    difference,
    relativeLift,
    standardError,
    differenceInterval: { lower: difference - z * standardError, upper: difference + z * standardError },
    relativeLiftInterval,
  };
}
