/**
 * Count and tail distributions in log space where tails matter: binomial, negative binomial,
 * beta-binomial (n and k may be fractional where the incomplete-beta form allows it), the exact
 * binomial test, Fisher's F, chi-square and the beta CDF.
 * Checked against scipy.stats in test/distributions.test.ts and test/stats.test.ts.
 */
import { incompleteBeta, logBeta, logGamma, logIncompleteBeta, logIncompleteGamma } from './special-functions.js';

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

/**
 * Upper tail P(X ≥ x) of a chi-square with `df` degrees of freedom, Q(df/2, x/2), computed
 * directly so far tails keep their digits (an SRM report says 1.5e-23, not 0).
 * @example chiSquareSurvival(10, 3) // 0.0185661… (scipy: chi2.sf(10, 3))
 */
export function chiSquareSurvival(x: number, df: number): number {
  if (Number.isNaN(x) || !(df > 0)) return Number.NaN;
  if (x <= 0) return 1;
  return Math.exp(logIncompleteGamma(df / 2, x / 2).upper);
}

/**
 * Beta(a, b) cumulative distribution at x: the regularized incomplete beta I_x(a, b).
 * @example betaCdf(0.3, 2, 5) // 0.579825 (scipy: beta.cdf(0.3, 2, 5))
 */
export function betaCdf(x: number, a: number, b: number): number {
  return incompleteBeta(x, a, b);
}

/** scipy's tolerance for outcomes as likely as the observed one (binomtest's `rerr`). */
const RELATIVE_ERROR = 1 + 1e-7;

/**
 * Exact two-sided binomial p-value of `k` successes in `n` trials at probability `p`: the sum of
 * the probabilities of every outcome no more likely than the observed one, as
 * `scipy.stats.binomtest` computes it.
 *
 * @example
 * binomialTwoSidedPValue(2, 3, 0.8); // 0.48799999999999993 (scipy: 0.4879999999999999)
 */
export function binomialTwoSidedPValue(k: number, n: number, p: number): number {
  if (p === 0) return k === 0 ? 1 : 0;
  if (p === 1) return k === n ? 1 : 0;
  const logP = Math.log(p);
  const logQ = Math.log1p(-p);
  const logFactorial = new Float64Array(n + 1);
  for (let i = 2; i <= n; i++) logFactorial[i] = logFactorial[i - 1]! + Math.log(i);
  const pmf = (i: number): number => Math.exp(logFactorial[n]! - logFactorial[i]! - logFactorial[n - i]! + i * logP + (n - i) * logQ);
  const observed = pmf(k) * RELATIVE_ERROR;
  let total = 0;
  for (let i = 0; i <= n; i++) {
    const probability = pmf(i);
    if (probability <= observed) total += probability;
  }
  return Math.min(1, total);
}
