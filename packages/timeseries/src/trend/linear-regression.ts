import { leastSquares, studentTTwoSidedP } from '@skills/stats';

/** Ordinary least squares of y on x, as scipy.stats.linregress reports it. */
export interface LinearFit {
  slope: number;
  intercept: number;
  /** Pearson correlation of x and y. */
  r: number;
  /** Two-sided p-value of the slope (t-test, n − 2 degrees of freedom). */
  pValue: number;
  /** Standard error of the slope. */
  stderr: number;
}

/**
 * Least-squares line through (x, y), with the t-test of its slope. A constant y gives slope 0
 * and p-value 1. Needs at least 3 points and two distinct x values (else NaN throughout).
 * @example linearRegression([0, 1, 2, 3], [1, 3, 2, 5]).slope // 1.1
 */
export function linearRegression(x: ArrayLike<number>, y: ArrayLike<number>): LinearFit {
  const n = x.length;
  const { sxx, syy, sxy, slope, intercept } = leastSquares(x, y);
  if (n < 3 || !(sxx > 0)) return { slope: Number.NaN, intercept: Number.NaN, r: Number.NaN, pValue: Number.NaN, stderr: Number.NaN };
  if (syy === 0) return { slope: 0, intercept, r: 0, pValue: 1, stderr: 0 };
  const r = Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
  const df = n - 2;
  const residual = Math.max(0, syy - slope * sxy);
  const stderr = Math.sqrt(residual / df / sxx);
  const pValue = stderr === 0 ? 0 : studentTTwoSidedP(slope / stderr, df);
  return { slope, intercept, r, pValue, stderr };
}
