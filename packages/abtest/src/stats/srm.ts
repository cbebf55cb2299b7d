import { chiSquareSurvival } from '@skills/stats';
import { checkCount, checkProbability, checkSameLength, fail } from './checks.js';

export interface SrmResult {
  /** Users per variant, as observed. */
  observed: number[];
  /** Users per variant the configured weights lead one to expect. */
  expected: number[];
  chiSquare: number;
  pValue: number;
  /** p < threshold: assignment is broken and no verdict may be drawn. */
  mismatch: boolean;
}

/** The conventional SRM threshold: strict, because a true mismatch is a bug, not a fluctuation. */
export const SRM_THRESHOLD = 0.001;

/**
 * Sample-ratio-mismatch check: chi-square goodness of fit of the assigned counts to the
 * configured weights (scipy's `chisquare(observed, expected)`).
 * @example sampleRatioMismatch([4500, 5500], [0.5, 0.5]).mismatch // true
 */
export function sampleRatioMismatch(observed: readonly number[], weights: readonly number[], threshold = SRM_THRESHOLD): SrmResult {
  checkSameLength('observed', observed, 'weights', weights);
  if (observed.length < 2) fail('observed', 'needs at least two variants');
  for (const [i, count] of observed.entries()) checkCount(`observed[${i}]`, count);
  weights.forEach((w, i) => {
    if (!(Number.isFinite(w) && w > 0)) fail(`weights[${i}]`, `must be a finite number > 0 (got ${w})`);
  });
  checkProbability('threshold', threshold, { open: true });
  const total = observed.reduce((a, b) => a + b, 0);
  const weightSum = weights.reduce((a, b) => a + b, 0);
  const expected = weights.map((w) => (total * w) / weightSum);
  let chiSquare = 0;
  for (let i = 0; i < observed.length; i++) {
    const e = expected[i]!;
    if (e > 0) chiSquare += (observed[i]! - e) ** 2 / e;
  }
  const pValue = total > 0 ? chiSquareSurvival(chiSquare, observed.length - 1) : 1;
  return { observed: [...observed], expected, chiSquare, pValue, mismatch: pValue < threshold };
}
