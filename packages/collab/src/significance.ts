import { binomialTwoSidedPValue } from '@skills/stats';

/** A user's completion rate on a skill set against the global rate, with an exact test. */
export interface RateComparison {
  readonly userRate: number;
  readonly globalRate: number;
  /** userRate − globalRate. */
  readonly difference: number;
  /** Exact two-sided binomial test of userCompleted out of userTotal at globalRate. */
  readonly pValue: number;
  /** pValue < alpha. */
  readonly significant: boolean;
  /** 'above' or 'below' only when significant; otherwise the data cannot tell. */
  readonly verdict: 'above' | 'below' | 'indistinguishable';
}

export interface CompareRateOptions {
  /** Significance level. Default 0.05. */
  readonly alpha?: number;
}

/**
 * Compares a user's completion rate with a baseline using the exact two-sided binomial test: the
 * p-value sums the probabilities of every outcome no more likely than the observed one, as
 * `scipy.stats.binomtest` does. So 2 of 3 against 0.8 (p = 0.488) is not "below average".
 *
 * @example
 * compareRate(2, 3, 0.8);
 * // { userRate: 0.667, globalRate: 0.8, difference: -0.133, pValue: 0.488,
 * //   significant: false, verdict: 'indistinguishable' } (rounded)
 */
export function compareRate(
  userCompleted: number,
  userTotal: number,
  globalRate: number,
  options: CompareRateOptions = {},
): RateComparison {
  if (!Number.isInteger(userTotal) || userTotal < 1) {
    throw new RangeError(`userTotal must be a positive integer (got ${String(userTotal)})`);
  }
  if (!Number.isInteger(userCompleted) || userCompleted < 0 || userCompleted > userTotal) {
    throw new RangeError(`userCompleted must be an integer in [0, ${userTotal}] (got ${String(userCompleted)})`);
  }
  if (!(globalRate >= 0 && globalRate <= 1)) {
    throw new RangeError(`globalRate must be in [0, 1] (got ${String(globalRate)})`);
  }
  const alpha = options.alpha ?? 0.05;
  const userRate = userCompleted / userTotal;
  const pValue = binomialTwoSidedPValue(userCompleted, userTotal, globalRate);
  const significant = pValue < alpha;
  const difference = userRate - globalRate;
  return {
    userRate,
    globalRate,
    difference,
    pValue,
    significant,
    verdict: !significant || difference === 0 ? 'indistinguishable' : difference > 0 ? 'above' : 'below',
  };
}
