/**
 * Least squares of y on one x: the centred sums every simple fit starts from (two passes, so a
 * large mean does not cancel the digits of the spread), optionally with weights.
 */

/** Centred sums and the least-squares line of y on x. */
export interface LeastSquares {
  /** Number of points (the total weight when weights are given). */
  n: number;
  meanX: number;
  meanY: number;
  /** Σ w(x − x̄)². */
  sxx: number;
  /** Σ w(y − ȳ)². */
  syy: number;
  /** Σ w(x − x̄)(y − ȳ). */
  sxy: number;
  /** sxy / sxx, or 0 when x does not vary (sxx = 0), so a constant x predicts nothing. */
  slope: number;
  /** ȳ − slope·x̄. */
  intercept: number;
}

/**
 * The least-squares line of y on x, with the centred sums behind it (for a t-test of the slope,
 * a correlation, or CUPED's θ = cov(y, x)/var(x), which is this slope). Weights, when given,
 * must be ≥ 0; the means and sums are then weighted. An empty input gives NaN means.
 * @example leastSquares([0, 1, 2, 3], [1, 3, 2, 5]).slope // 1.1
 */
export function leastSquares(x: ArrayLike<number>, y: ArrayLike<number>, weights?: ArrayLike<number>): LeastSquares {
  const count = x.length;
  let n = 0;
  let meanX = 0;
  let meanY = 0;
  if (weights === undefined) {
    for (let i = 0; i < count; i++) {
      meanX += x[i] as number;
      meanY += y[i] as number;
    }
    n = count;
  } else {
    for (let i = 0; i < count; i++) {
      const w = weights[i] as number;
      meanX += w * (x[i] as number);
      meanY += w * (y[i] as number);
      n += w;
    }
  }
  meanX /= n;
  meanY /= n;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < count; i++) {
    const w = weights === undefined ? 1 : (weights[i] as number);
    const dx = (x[i] as number) - meanX;
    const dy = (y[i] as number) - meanY;
    sxx += w * dx * dx;
    syy += w * dy * dy;
    sxy += w * dx * dy;
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  return { n, meanX, meanY, sxx, syy, sxy, slope, intercept: meanY - slope * meanX };
}
