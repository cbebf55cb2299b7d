import { checkFinite, checkNonNegative, checkProbability } from './checks.js';
import type { Interval } from './proportions.js';

export interface MsprtResult {
  /** Mixture likelihood ratio Λ of "difference = 0" against the normal mixture N(0, τ²). */
  likelihoodRatio: number;
  /** Always-valid p-value min(1, 1/Λ): P(it ever falls below α under the null) ≤ α. */
  pValue: number;
  /** Always-valid (1 − α) confidence sequence for the difference at this look. */
  confidenceSequence: Interval;
}

/**
 * Mixture sequential probability ratio test (Johari, Pekelis, Walsh 2017) for a difference of
 * means with estimate `difference` and variance `variance` (s_c²/n_c + s_t²/n_t), mixing over
 * the true difference with N(0, τ²):
 *   Λ = √(V/(V+τ²)) · exp(d²·τ² / (2·V·(V+τ²))).
 * Looking after every batch of users (every day, every hour) keeps the false-positive rate ≤ α.
 * @example msprt(0.03, 0.0001, 0.05 ** 2).pValue // 0.06735
 */
export function msprt(difference: number, variance: number, tauSquared: number, alpha = 0.05): MsprtResult {
  checkLook(difference, variance, 'tauSquared', tauSquared, alpha);
  if (!(tauSquared > 0)) {
    return { likelihoodRatio: 1, pValue: 1, confidenceSequence: { lower: Number.NEGATIVE_INFINITY, upper: Number.POSITIVE_INFINITY } };
  }
  if (!(variance > 0)) {
    const known = knownDifference(difference);
    return { likelihoodRatio: known.pValue === 0 ? Number.POSITIVE_INFINITY : 1, ...known };
  }
  const v = variance;
  const logLambda = 0.5 * Math.log(v / (v + tauSquared)) + (difference * difference * tauSquared) / (2 * v * (v + tauSquared));
  const likelihoodRatio = Math.exp(logLambda);
  // Λ(d − δ) < 1/α  ⇔  |d − δ| < √(2V(V+τ²)/τ² · ln(√((V+τ²)/V)/α)).
  const half = Math.sqrt(((2 * v * (v + tauSquared)) / tauSquared) * (0.5 * Math.log((v + tauSquared) / v) - Math.log(alpha)));
  return {
    likelihoodRatio,
    pValue: Math.min(1, Math.exp(-logLambda)),
    confidenceSequence: { lower: difference - half, upper: difference + half },
  };
}

/**
 * The arguments of one look of a sequential test (`msprt`, `sequentialTest`): a finite
 * difference, its variance and the test's variance-scale parameter (`field`) ≥ 0, α in (0, 1).
 */
export function checkLook(difference: number, variance: number, field: string, scale: number, alpha: number): void {
  checkFinite('difference', difference);
  checkNonNegative('variance', variance);
  checkNonNegative(field, scale);
  checkProbability('alpha', alpha, { open: true });
}

/** A difference with no variance is known exactly: certain unless it is 0, its interval the point. */
export function knownDifference(difference: number): { pValue: number; confidenceSequence: Interval } {
  return { pValue: difference !== 0 ? 0 : 1, confidenceSequence: { lower: difference, upper: difference } };
}
