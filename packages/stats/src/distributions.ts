/**
 * Distribution functions used by the trend and anomaly tests, in log space where tails matter.
 * Checked against scipy.stats in test/distributions.test.ts.
 */
import { logBeta, logGamma, logIncompleteBeta, logIncompleteGamma } from './special-functions.js';

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

/** Two-sided p-value of Student's t statistic with `df` degrees of freedom. */
export function studentTTwoSidedP(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return Number.NaN;
  if (!Number.isFinite(t)) return 0;
  return Math.exp(logIncompleteBeta(df / (df + t * t), df / 2, 0.5).lower);
}

/**
 * ln P(X ≤ k) for X ~ Binomial(n, p). n and k may be fractional (an effective sample size for
 * overdispersed counts): the incomplete-beta form is the continuous extension.
 */
export function binomialLogCdf(k: number, n: number, p: number): number {
  if (k < 0) return Number.NEGATIVE_INFINITY;
  if (k >= n || p <= 0) return 0;
  if (p >= 1) return Number.NEGATIVE_INFINITY;
  return logIncompleteBeta(1 - p, n - k, k + 1).lower;
}

/** ln P(X ≥ k) for X ~ Binomial(n, p); n and k may be fractional. */
export function binomialLogSf(k: number, n: number, p: number): number {
  if (k <= 0) return 0;
  if (k > n || p <= 0) return Number.NEGATIVE_INFINITY;
  if (p >= 1) return 0;
  return logIncompleteBeta(p, k, n - k + 1).lower;
}

/**
 * ln P(X ≤ k) for a negative binomial with the given mean and size r (variance mean + mean²/r);
 * k may be fractional. As r grows it tends to the Poisson.
 */
export function negativeBinomialLogCdf(k: number, mean: number, size: number): number {
  if (k < 0) return Number.NEGATIVE_INFINITY;
  if (mean <= 0) return 0;
  return logIncompleteBeta(size / (size + mean), size, k + 1).lower;
}

/** ln P(X ≥ k) for the negative binomial of `negativeBinomialLogCdf`. */
export function negativeBinomialLogSf(k: number, mean: number, size: number): number {
  if (k <= 0) return 0;
  if (mean <= 0) return Number.NEGATIVE_INFINITY;
  return logIncompleteBeta(size / (size + mean), size, k).upper;
}

/** ln P(T ≥ |t|) for Student's t with `df` degrees of freedom: the one-sided tail, in logs. */
export function studentTLogTail(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return Number.NaN;
  if (!Number.isFinite(t)) return Number.NEGATIVE_INFINITY;
  return LN_HALF + logIncompleteBeta(df / (df + t * t), df / 2, 0.5).lower;
}

/** ln P(F ≥ f) for Fisher's F with `d1` and `d2` degrees of freedom. */
export function fisherLogSf(f: number, d1: number, d2: number): number {
  if (Number.isNaN(f) || !(d1 > 0) || !(d2 > 0)) return Number.NaN;
  if (f <= 0) return 0;
  if (!Number.isFinite(f)) return Number.NEGATIVE_INFINITY;
  return logIncompleteBeta(d2 / (d2 + d1 * f), d2 / 2, d1 / 2).lower;
}

/**
 * ln of the lower tail of a beta-binomial (n draws whose success probability is Beta(a, b)):
 * P(X < k) + w·P(X = k), with w = 1 for P(X ≤ k) and w = 0.5 for the mid-p tail. `k` and `n` are
 * integers; the terms are summed from k down, in logs, until they no longer count.
 * @example betaBinomialLogCdf(4, 16, 61.5, 24.5) // ln 0.000503 (scipy.stats.betabinom(16, 61.5, 24.5).logcdf(4))
 */
export function betaBinomialLogCdf(k: number, n: number, a: number, b: number, w = 1): number {
  if (k < 0) return Number.NEGATIVE_INFINITY;
  if (k >= n && w === 1) return 0;
  const top = Math.min(k, n);
  // ln P(X = top); the terms below it are summed relative to it, with no logarithm per term.
  let logBase = logGamma(n + 1) - logGamma(top + 1) - logGamma(n - top + 1) + logBeta(top + a, n - top + b) - logBeta(a, b);
  const mean = (n * a) / (a + b);
  let term = 1;
  let sum = top === k ? w : 1;
  for (let j = top; j > 0; j--) {
    // P(X = j − 1) / P(X = j) = j (n − j + b) / ((n − j + 1)(j − 1 + a))
    term *= (j * (n - j + b)) / ((n - j + 1) * (j - 1 + a));
    sum += term;
    if (term < sum * 1e-17 && j - 1 < mean) break;
    if (sum > 1e250) {
      // Terms grow towards the mode when k lies above it: rescale before they overflow.
      logBase += Math.log(sum);
      term /= sum;
      sum = 1;
    }
  }
  return Math.min(0, logBase + Math.log(sum));
}

/** ln of the upper tail P(X > k) + w·P(X = k) of the beta-binomial of `betaBinomialLogCdf`. */
export function betaBinomialLogSf(k: number, n: number, a: number, b: number, w = 1): number {
  // n − X is beta-binomial with a and b swapped.
  return betaBinomialLogCdf(n - k, n, b, a, w);
}
