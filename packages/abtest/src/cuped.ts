import { leastSquares } from '@skills/stats';

/** Result of adjusting per-user values with a pre-exposure covariate. */
export interface CupedAdjustment {
  /** y − θ·(x − x̄) per user, in the input order. */
  adjusted: Float64Array;
  /** cov(y, x) / var(x), pooled over all variants. */
  theta: number;
  /** 1 − var(adjusted)/var(y): the share of variance removed (ρ² of y and x). */
  varianceReduction: number;
}

/**
 * CUPED (Deng, Xu, Kohavi, Walker 2013): subtract from each user's metric `y` the part its
 * pre-exposure covariate `x` predicts. θ is estimated on all users together, so assignment —
 * independent of x — keeps the difference of adjusted means unbiased.
 * @example cupedAdjust(new Float64Array([1, 2, 3]), new Float64Array([1, 2, 4])).theta // 0.6429
 */
export function cupedAdjust(y: Float64Array, x: Float64Array): CupedAdjustment {
  // θ is the least-squares slope of y on x (sxy / sxx, 0 when x is constant).
  const { meanX, syy, sxy, slope: theta } = leastSquares(x, y);
  const adjusted = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) adjusted[i] = y[i]! - theta * (x[i]! - meanX);
  const residual = syy - theta * sxy;
  return { adjusted, theta, varianceReduction: syy > 0 ? Math.max(0, 1 - residual / syy) : 0 };
}
