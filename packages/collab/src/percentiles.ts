import { lowerBound, upperBound } from './binary-search.js';

/**
 * Each skill's effectiveness percentile among all skills given: the share of skills with a
 * strictly lower completion rate, plus half the share with the same rate (itself included),
 * × 100. So the lone skill gets 50, the best of three distinct rates 83.33, and equal rates share
 * one percentile. Rates must be numbers in [0, 1]; skills without invocations should be left out.
 *
 * @example
 * effectivenessPercentiles(new Map([['lint', 0.9], ['test', 0.5], ['deploy', 0.2]]));
 * // Map { 'lint' => 83.33…, 'test' => 50, 'deploy' => 16.66… }
 */
export function effectivenessPercentiles<K>(rates: ReadonlyMap<K, number>): Map<K, number> {
  const sorted: number[] = [];
  for (const [skill, rate] of rates) {
    if (!(rate >= 0 && rate <= 1)) {
      throw new RangeError(`rate must be in [0, 1] (got ${String(rate)} for skill ${String(skill)})`);
    }
    sorted.push(rate);
  }
  sorted.sort((a, b) => a - b);
  const n = sorted.length;
  const percentiles = new Map<K, number>();
  for (const [skill, rate] of rates) {
    const lower = lowerBound(sorted, rate);
    const ties = upperBound(sorted, rate) - lower;
    percentiles.set(skill, ((lower + ties / 2) / n) * 100);
  }
  return percentiles;
}
