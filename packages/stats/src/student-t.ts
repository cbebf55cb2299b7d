/**
 * Student's t distribution through the regularized incomplete beta function:
 * P(|T| ≥ |t|) = I_x(df/2, 1/2) with x = df / (df + t²), in logs where the tail gets small.
 * Checked against scipy.stats.t in test/distributions.test.ts and test/stats.test.ts.
 */
import { normalQuantile } from './normal.js';
import { logGamma, logIncompleteBeta } from './special-functions.js';

const LN_HALF = -Math.LN2;

/**
 * Two-sided p-value 2·P(T ≥ |t|) of a t statistic with `df` degrees of freedom. A NaN statistic
 * gives 1 (no evidence either way), ±∞ gives 0, and `df` ≤ 0 gives NaN.
 * @example studentTTwoSidedP(2.1, 5) // 0.0897532… (scipy: 2 * t.sf(2.1, 5))
 */
export function studentTTwoSidedP(t: number, df: number): number {
  if (!Number.isFinite(t)) return Number.isNaN(t) ? 1 : 0;
  if (!(df > 0)) return Number.NaN;
  return Math.min(1, Math.exp(logIncompleteBeta(df / (df + t * t), df / 2, 0.5).lower));
}

/** ln P(T ≥ |t|) for Student's t with `df` degrees of freedom: the one-sided tail, in logs. */
export function studentTLogTail(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return Number.NaN;
  if (!Number.isFinite(t)) return Number.NEGATIVE_INFINITY;
  return LN_HALF + logIncompleteBeta(df / (df + t * t), df / 2, 0.5).lower;
}

/**
 * ln P(T ≥ |t|) and P(|T| ≤ |t|)/2 from whichever of x = df/(df + t²) and y = t²/(df + t²) is
 * below ½, so neither is found as 1 − the other (which loses the digits of a small t).
 */
function tailAndCentre(t: number, df: number): { logTail: number; centre: number } {
  const t2 = t * t;
  if (t2 > df) {
    const { lower, upper } = logIncompleteBeta(df / (df + t2), df / 2, 0.5);
    return { logTail: LN_HALF + lower, centre: 0.5 * Math.exp(upper) };
  }
  const { lower, upper } = logIncompleteBeta(t2 / (df + t2), 0.5, df / 2);
  return { logTail: LN_HALF + upper, centre: 0.5 * Math.exp(lower) };
}

/**
 * P(T ≤ t) for Student's t with `df` degrees of freedom (fractional df allowed).
 * @example studentTCdf(-1.5, 7) // 0.0886492… (scipy: t.cdf(-1.5, 7))
 */
export function studentTCdf(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return Number.NaN;
  if (t === Number.NEGATIVE_INFINITY) return 0;
  if (t === Number.POSITIVE_INFINITY) return 1;
  const { logTail, centre } = tailAndCentre(t, df);
  return t < 0 ? Math.exp(logTail) : 0.5 + centre;
}

/** ln of the t density at t, for the Newton steps of the quantile. */
function studentTLogPdf(t: number, df: number): number {
  return logGamma((df + 1) / 2) - logGamma(df / 2) - 0.5 * Math.log(df * Math.PI) - ((df + 1) / 2) * Math.log1p((t * t) / df);
}

/**
 * The t with P(T ≤ t) = p for `df` degrees of freedom (fractional df allowed): −∞ at 0, +∞ at 1.
 * Closed forms for df = 1 and 2; otherwise Newton steps from the normal quantile with its first
 * Cornish–Fisher correction, kept inside a shrinking bracket: on P(0 ≤ T ≤ t) = |p − ½| in the
 * middle, on ln P(T ≥ t) in ln t in the tails (where t may reach 1e5 and beyond).
 * @example studentTQuantile(0.975, 10) // 2.2281388… (scipy: t.ppf(0.975, 10))
 */
export function studentTQuantile(p: number, df: number): number {
  if (!(p >= 0 && p <= 1) || !(df > 0)) return Number.NaN;
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  if (p === 0.5) return 0;
  const tail = Math.min(p, 1 - p);
  const sign = p < 0.5 ? -1 : 1;
  if (df === 1) return sign * Math.tan(Math.PI * (0.5 - tail));
  if (df === 2) return sign * Math.sqrt(2 / (4 * tail * (1 - tail)) - 2);
  const z = -normalQuantile(tail);
  const guess = z + (z * z * z + z) / (4 * df);
  const start = guess > 0 ? guess : z;
  const centre = Math.abs(p - 0.5); // exact for p in [¼, ¾]
  return sign * (centre < 0.25 ? solveCentre(centre, df, start) : solveTail(Math.log(tail), df, start));
}

/** The t > 0 with P(0 ≤ T ≤ t) = centre. */
function solveCentre(centre: number, df: number, start: number): number {
  let t = start;
  let low = 0;
  let high = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 100; i++) {
    const gap = tailAndCentre(t, df).centre - centre;
    if (gap === 0) break;
    if (gap < 0) low = t;
    else high = t;
    let next = t - gap / Math.exp(studentTLogPdf(t, df));
    if (!(next > low && next < high)) next = Number.isFinite(high) ? (low + high) / 2 : 2 * t;
    const step = next - t;
    t = next;
    if (Math.abs(step) <= 1e-15 * t) break;
  }
  return t;
}

/** The t > 0 with ln P(T ≥ t) = logTarget, by Newton steps in u = ln t. */
function solveTail(logTarget: number, df: number, start: number): number {
  let u = Math.log(start);
  let low = Number.NEGATIVE_INFINITY;
  let high = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 100; i++) {
    const t = Math.exp(u);
    const { logTail } = tailAndCentre(t, df);
    const gap = logTail - logTarget;
    if (gap === 0) break;
    // The tail falls as t grows: above the target, t is too small.
    if (gap > 0) low = u;
    else high = u;
    // d ln S / d ln t = −t·f(t)/S(t).
    const slope = -Math.exp(u + studentTLogPdf(t, df) - logTail);
    let next = u - gap / slope;
    if (!(next > low && next < high)) next = Number.isFinite(low) && Number.isFinite(high) ? (low + high) / 2 : u + (gap > 0 ? 1 : -1);
    const step = next - u;
    u = next;
    if (Math.abs(step) <= 1e-15 * Math.max(1, Math.abs(u))) break;
  }
  return Math.exp(u);
}
