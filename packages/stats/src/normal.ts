/**
 * The standard normal distribution: Φ, ln Φ (far into the lower tail) and Φ⁻¹, also from a
 * probability given as its logarithm, so scores of p-values below 1e-308 stay finite.
 * Checked against scipy.stats.norm in test/distributions.test.ts and test/stats.test.ts.
 */
import { logIncompleteGamma } from './special-functions.js';

const LN_HALF = -Math.LN2;
const LN_SQRT_2PI = 0.9189385332046728;

/** ln Φ(z), the log of the standard normal CDF (accurate far into the lower tail). */
export function normalLogCdf(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  const tail = LN_HALF + logIncompleteGamma(0.5, (z * z) / 2).upper; // ln Φ(−|z|)
  return z <= 0 ? tail : Math.log1p(-Math.exp(tail));
}

/** Φ(z). */
export function normalCdf(z: number): number {
  return Math.exp(normalLogCdf(z));
}

// Acklam's rational approximation of the normal quantile (relative error 1.15e-9), refined below.
const A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];

function acklam(p: number): number {
  const [a0, a1, a2, a3, a4, a5] = A as [number, number, number, number, number, number];
  const [b0, b1, b2, b3, b4] = B as [number, number, number, number, number];
  const [c0, c1, c2, c3, c4, c5] = C as [number, number, number, number, number, number];
  const [d0, d1, d2, d3] = D as [number, number, number, number];
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
  }
  if (p > 1 - 0.02425) return -acklam(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q) / (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1);
}

/**
 * The z with ln Φ(z) = logP: the normal quantile of a probability given as its logarithm, so
 * tails far below 1e-308 still map to a finite z. Newton steps on ln Φ refine the first guess.
 */
export function normalQuantileFromLog(logP: number): number {
  if (Number.isNaN(logP) || logP > 0) return Number.NaN;
  if (logP === 0) return Number.POSITIVE_INFINITY;
  if (logP === Number.NEGATIVE_INFINITY) return Number.NEGATIVE_INFINITY;
  let z = logP > -700 ? acklam(Math.exp(logP)) : -Math.sqrt(-2 * logP);
  if (!Number.isFinite(z)) z = logP < LN_HALF ? -Math.sqrt(-2 * logP) : 8;
  for (let i = 0; i < 50; i++) {
    const logCdf = normalLogCdf(z);
    // d/dz ln Φ(z) = φ(z)/Φ(z), computed in logs.
    const slope = Math.exp(-LN_SQRT_2PI - (z * z) / 2 - logCdf);
    const step = (logCdf - logP) / slope;
    if (!Number.isFinite(step)) break;
    z -= step;
    if (Math.abs(step) <= 1e-13 * Math.max(1, Math.abs(z))) break;
  }
  return z;
}

/** The standard normal quantile Φ⁻¹(p). */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) return Number.NaN;
  return normalQuantileFromLog(Math.log(p));
}

/**
 * Two-sided p-value 2·Φ(−|z|) of a z statistic; 1 for NaN (no evidence), 0 for ±∞.
 * @example normalTwoSidedP(1.959963984540054) // 0.05 (scipy: 2 * norm.sf(1.959963984540054))
 */
export function normalTwoSidedP(z: number): number {
  if (!Number.isFinite(z)) return Number.isNaN(z) ? 1 : 0;
  // 2·Φ(−|z|) keeps precision in the far tail, where 1 − Φ(|z|) would round to 0.
  return Math.min(1, 2 * normalCdf(-Math.abs(z)));
}
