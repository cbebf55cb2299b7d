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
  const n = y.length;
  let my = 0;
  let mx = 0;
  for (let i = 0; i < n; i++) {
    my += y[i]!;
    mx += x[i]!;
  }
  my /= n;
  mx /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  const theta = sxx > 0 ? sxy / sxx : 0;
  const adjusted = new Float64Array(n);
  for (let i = 0; i < n; i++) adjusted[i] = y[i]! - theta * (x[i]! - mx);
  const residual = syy - theta * sxy;
  return { adjusted, theta, varianceReduction: syy > 0 ? Math.max(0, 1 - residual / syy) : 0 };
}
