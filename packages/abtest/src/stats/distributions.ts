import jstat from 'jstat';

const { jStat } = jstat;

/** P(Z ≤ z) for a standard normal Z. */
export function normalCdf(z: number): number {
  return jStat.normal.cdf(z, 0, 1);
}

/** The z with P(Z ≤ z) = p. `normalQuantile(0.975)` ≈ 1.959964. */
export function normalQuantile(p: number): number {
  return jStat.normal.inv(p, 0, 1);
}

/** Two-sided p-value of a z statistic. */
export function normalTwoSidedP(z: number): number {
  if (!Number.isFinite(z)) return Number.isNaN(z) ? 1 : 0;
  // 2·Φ(−|z|) keeps precision in the far tail, where 1 − Φ(|z|) would round to 0.
  return Math.min(1, 2 * normalCdf(-Math.abs(z)));
}

/** Two-sided p-value of a t statistic with `df` degrees of freedom. */
export function studentTTwoSidedP(t: number, df: number): number {
  if (!Number.isFinite(t)) return Number.isNaN(t) ? 1 : 0;
  return Math.min(1, 2 * jStat.studentt.cdf(-Math.abs(t), df));
}

/** The t with P(T ≤ t) = p for `df` degrees of freedom. */
export function studentTQuantile(p: number, df: number): number {
  return jStat.studentt.inv(p, df);
}

/**
 * Upper tail P(X ≥ x) of a chi-square with `df` degrees of freedom: Q(df/2, x/2). Computed
 * directly (continued fraction in the tail) because 1 − jstat's cdf rounds to 0 below ~1e-16,
 * and an SRM report should say 1.5e-23, not 0.
 */
export function chiSquareSurvival(x: number, df: number): number {
  if (x <= 0) return 1;
  const a = df / 2;
  const half = x / 2;
  if (half < a + 1) return Math.max(0, 1 - jStat.chisquare.cdf(x, df));
  return upperRegularizedGamma(a, half);
}

/** Q(a, x) by Lentz's continued fraction (Numerical Recipes `gcf`), valid for x ≥ a + 1. */
function upperRegularizedGamma(a: number, x: number): number {
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 500; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return Math.exp(-x + a * Math.log(x) - jStat.gammaln(a)) * h;
}

/** ln B(a, b). */
export function logBeta(a: number, b: number): number {
  return jStat.betaln(a, b);
}

/** Beta(a, b) cumulative distribution at x. */
export function betaCdf(x: number, a: number, b: number): number {
  return jStat.beta.cdf(x, a, b);
}
