import { median, normalQuantile } from '@skills/stats';

/** The Theil–Sen line, as scipy.stats.theilslopes reports it (method 'separate'). */
export interface TheilSen {
  /** Median of the slopes between every pair of points. */
  slope: number;
  /** median(y) − slope · median(x). */
  intercept: number;
  /** Confidence interval of the slope (Sen 1968), at `confidence`. */
  lowSlope: number;
  highSlope: number;
}

/** NumPy's rounding: halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function tieTerm(values: ArrayLike<number>): number {
  const counts = new Map<number, number>();
  for (let i = 0; i < values.length; i++) counts.set(values[i] as number, (counts.get(values[i] as number) ?? 0) + 1);
  let sum = 0;
  for (const k of counts.values()) if (k > 1) sum += k * (k - 1) * (2 * k + 5);
  return sum;
}

/**
 * Theil–Sen slope of y on x: the median of pairwise slopes, which a few outliers cannot move
 * far (breakdown point 29%), with its confidence interval.
 * @example theilSen([0, 1, 2, 3, 4], [1, 2, 3, 4, 100]).slope // 1
 */
export function theilSen(x: ArrayLike<number>, y: ArrayLike<number>, confidence = 0.95): TheilSen {
  const n = y.length;
  const slopes: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const dx = (x[i] as number) - (x[j] as number);
      if (dx > 0) slopes.push(((y[i] as number) - (y[j] as number)) / dx);
    }
  }
  if (slopes.length === 0) return { slope: Number.NaN, intercept: Number.NaN, lowSlope: Number.NaN, highSlope: Number.NaN };
  slopes.sort((a, b) => a - b);
  const slope = median(slopes);
  const intercept = median(y) - slope * median(x);
  const alpha = confidence > 0.5 ? 1 - confidence : confidence;
  const z = normalQuantile(alpha / 2);
  const sigma = Math.sqrt((n * (n - 1) * (2 * n + 5) - tieTerm(x) - tieTerm(y)) / 18);
  const nt = slopes.length;
  const upper = Math.min(roundHalfEven((nt - z * sigma) / 2), nt - 1);
  const lower = Math.max(roundHalfEven((nt + z * sigma) / 2) - 1, 0);
  return {
    slope,
    intercept,
    lowSlope: Number.isFinite(sigma) && lower < nt ? (slopes[lower] as number) : Number.NaN,
    highSlope: Number.isFinite(sigma) && upper >= 0 ? (slopes[upper] as number) : Number.NaN,
  };
}
