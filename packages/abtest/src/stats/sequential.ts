import { normalCdf } from '@skills/stats';
import { checkLook, knownDifference, msprt } from './msprt.js';
import type { Interval } from './proportions.js';

/** Share of α spent on looks up to the planned sample size; the rest guards every later look. */
export const HORIZON_ALPHA_SHARE = 0.9;

export interface SequentialResult {
  /** Always-valid p-value at this look: P(ever as extreme) ≤ p under no difference, however often one looks. */
  pValue: number;
  /** Always-valid (1 − α) confidence sequence for the difference. */
  confidenceSequence: Interval;
  /** Information now against the planned information (≈ users now / planned users per variant). */
  informationFraction: number;
  /** |z| the difference must reach at this look to be significant at α. */
  criticalZ: number;
}

/**
 * An always-valid test of a difference of means tuned to a planned sample size, for an analysis
 * that may be looked at any number of times (every day, every hour).
 *
 * Two parts, α split between them (a union bound, so the overall false-positive rate under any
 * looking schedule is ≤ α):
 * - up to the planned information (t = V* ÷ V ≤ 1, V the variance of the difference now, V* at the
 *   planned size): a boundary that is constant on the Brownian scale, |d|·√(V*) / V ≥ c, with
 *   P(sup over [0, 1] of |W| ≥ c) = 0.9·α — the continuous-monitoring O'Brien–Fleming boundary;
 *   it spends almost nothing on early looks and ends at |z| = c ≈ 2.28 at the plan (α = 0.05),
 *   close to the fixed-horizon 1.96;
 * - at every look, before and after the plan: the normal-mixture SPRT (`msprt`) at 0.1·α with
 *   τ² tuned to the planned size, τ² = V*·(−2 ln α' + ln(1 − 2 ln α')) (the mixture that gives
 *   the narrowest confidence sequence at the plan; Howard et al. 2021, GrowthBook's N*).
 * The plain mSPRT with τ = the MDE ends near |z| = 3.04 and, with 20 daily looks, reaches 71 %
 * power where a single fixed look reaches 92 %; this test reaches ≈ 87 % (`pnpm bench abtest`).
 * @example sequentialTest(0.05, 0.0002, 0.0002).pValue // at the plan: the horizon boundary
 */
export function sequentialTest(difference: number, variance: number, plannedVariance: number, alpha = 0.05): SequentialResult {
  checkLook(difference, variance, 'plannedVariance', plannedVariance, alpha);
  if (!(variance > 0)) return { ...knownDifference(difference), informationFraction: Number.POSITIVE_INFINITY, criticalZ: 0 };
  const planned = plannedVariance > 0 && Number.isFinite(plannedVariance) ? plannedVariance : variance;
  const t = planned / variance;
  const horizonAlpha = HORIZON_ALPHA_SHARE * alpha;
  const mixtureAlpha = alpha - horizonAlpha;
  const k = -2 * Math.log(mixtureAlpha) + Math.log(1 - 2 * Math.log(mixtureAlpha));
  const mixture = msprt(difference, variance, k * planned, mixtureAlpha);
  const pMixture = mixture.pValue;
  const z = difference / Math.sqrt(variance);
  let lower = mixture.confidenceSequence.lower;
  let upper = mixture.confidenceSequence.upper;
  // |z| the mixture part needs: Λ ≥ 1/α' ⇔ z² ≥ (2(1+1/r)) · (ln(1/α') + ½ ln(1+r)), r = τ²/V.
  const r = (k * planned) / variance;
  let criticalZ = Math.sqrt(2 * (1 + 1 / r) * (-Math.log(mixtureAlpha) + 0.5 * Math.log(1 + r)));
  let pHorizon = 1;
  if (t <= 1) {
    const brownian = Math.abs(z) * Math.sqrt(t);
    pHorizon = brownianMaxExceedance(brownian);
    const c = brownianBoundary(horizonAlpha);
    const half = (c * variance) / Math.sqrt(planned);
    lower = Math.max(lower, difference - half);
    upper = Math.min(upper, difference + half);
    criticalZ = Math.min(criticalZ, c / Math.sqrt(t));
  }
  return {
    pValue: Math.min(1, pHorizon / HORIZON_ALPHA_SHARE, pMixture / (1 - HORIZON_ALPHA_SHARE)),
    confidenceSequence: { lower, upper },
    informationFraction: t,
    criticalZ,
  };
}

/**
 * P(sup over s in [0, 1] of |W(s)| ≥ x) for a standard Brownian motion W: from the reflection
 * series 1 − Σₖ (−1)ᵏ [Φ((2k+1)x) − Φ((2k−1)x)] for x ≥ 1, and from the theta series
 * 1 − (4/π) Σₖ (−1)ᵏ/(2k+1) · exp(−(2k+1)²π²/(8x²)) below (both converge fast where used).
 */
export function brownianMaxExceedance(x: number): number {
  if (!(x > 0)) return 1;
  if (x < 1) {
    let inside = 0;
    for (let k = 0; k < 50; k++) {
      const m = 2 * k + 1;
      const term = ((k % 2 === 0 ? 1 : -1) / m) * Math.exp((-m * m * Math.PI * Math.PI) / (8 * x * x));
      inside += term;
      if (Math.abs(term) < 1e-18) break;
    }
    return Math.min(1, Math.max(0, 1 - (4 / Math.PI) * inside));
  }
  // 1 − P(inside) with P(inside) = Σ_k (−1)^k [Φ((2k+1)x) − Φ((2k−1)x)]; the k = 0 term is
  // 1 − 2Φ(−x), and the terms k and −k are equal, so the rest is 2·Σ_{k≥1}.
  let exceed = 2 * normalCdf(-x);
  for (let k = 1; k < 20; k++) {
    const term = 2 * (normalCdf((2 * k - 1) * -x) - normalCdf((2 * k + 1) * -x)) * (k % 2 === 1 ? 1 : -1);
    exceed += term;
    if (Math.abs(term) < 1e-18) break;
  }
  return Math.min(1, Math.max(0, exceed));
}

/** The x with brownianMaxExceedance(x) = probability (bisection to 1e-12). */
export function brownianBoundary(probability: number): number {
  let lo = 0;
  let hi = 40;
  for (let i = 0; i < 200 && hi - lo > 1e-12; i++) {
    const mid = (lo + hi) / 2;
    if (brownianMaxExceedance(mid) > probability) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
