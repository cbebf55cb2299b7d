import { normalLogCdf } from '@skills/stats';

/** The Mann–Kendall trend test, as pymannkendall's `original_test` reports it. */
export interface MannKendall {
  /** S: concordant minus discordant pairs over time. */
  s: number;
  /** Variance of S under no trend, corrected for ties. */
  variance: number;
  /** Standardised S with the continuity correction. */
  z: number;
  /** Two-sided p-value. */
  pValue: number;
  /** Kendall's τ = S / (n(n − 1)/2). */
  tau: number;
}

/**
 * Mann–Kendall test of a monotonic trend in `y` (in time order): rank-based, so a few outliers
 * cannot flip it, with the tie correction of the variance and the continuity correction.
 * @example mannKendall([1, 2, 3, 4, 5]).pValue // 0.0275
 */
export function mannKendall(y: ArrayLike<number>): MannKendall {
  const n = y.length;
  let s = 0;
  for (let i = 0; i < n - 1; i++) {
    const yi = y[i] as number;
    for (let j = i + 1; j < n; j++) s += Math.sign((y[j] as number) - yi);
  }
  const counts = new Map<number, number>();
  for (let i = 0; i < n; i++) counts.set(y[i] as number, (counts.get(y[i] as number) ?? 0) + 1);
  let ties = 0;
  for (const t of counts.values()) ties += t * (t - 1) * (2 * t + 5);
  const variance = (n * (n - 1) * (2 * n + 5) - ties) / 18;
  const z = variance > 0 ? (s > 0 ? (s - 1) / Math.sqrt(variance) : s < 0 ? (s + 1) / Math.sqrt(variance) : 0) : 0;
  const pValue = Math.min(1, 2 * Math.exp(normalLogCdf(-Math.abs(z))));
  return { s, variance, z, pValue, tau: n > 1 ? s / ((n * (n - 1)) / 2) : Number.NaN };
}
