import { normalCdf, normalQuantile } from '@skills/stats';
import { checkFinite, checkNonNegative, checkProbability } from './checks.js';

/**
 * Power of a two-sided z-test at level `alpha` to detect an absolute difference `effect` when
 * the difference's standard error is `standardError`.
 * @example powerOfDifference(0.05, 0.02, 0.05) // 0.7054
 */
export function powerOfDifference(effect: number, standardError: number, alpha = 0.05): number {
  checkFinite('effect', effect);
  checkNonNegative('standardError', standardError);
  checkProbability('alpha', alpha, { open: true });
  if (!(standardError > 0)) return 1;
  const z = normalQuantile(1 - alpha / 2);
  const shift = Math.abs(effect) / standardError;
  return normalCdf(shift - z) + normalCdf(-shift - z);
}

/**
 * Users needed per variant for a two-sided z-test of means with per-user variances
 * `controlVariance` and `treatmentVariance` to detect `effect` with `power` at `alpha`:
 *   n = (z_{1−α/2} + z_{power})² · (σ_c² + σ_t²) / effect².
 * For proportions pass p(1 − p) of each arm.
 * @example sampleSizePerVariant(0.1 * 0.9, 0.12 * 0.88, 0.02) // 3838.1
 */
export function sampleSizePerVariant(
  controlVariance: number,
  treatmentVariance: number,
  effect: number,
  alpha = 0.05,
  power = 0.8,
): number {
  checkNonNegative('controlVariance', controlVariance);
  checkNonNegative('treatmentVariance', treatmentVariance);
  checkFinite('effect', effect);
  checkProbability('alpha', alpha, { open: true });
  checkProbability('power', power, { open: true });
  if (effect === 0) return Number.POSITIVE_INFINITY;
  const z = normalQuantile(1 - alpha / 2) + normalQuantile(power);
  return (z * z * (controlVariance + treatmentVariance)) / (effect * effect);
}
