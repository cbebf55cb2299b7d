import type { Metric } from '../metrics.js';

/** How one metric of one window compares with its baseline: the input of every alert decision. */
export interface Judgement {
  metric: Metric;
  /** Length of the judged window in hours (1, or the pattern-shift window). */
  hours: number;
  /** Observed value: a rate 0–1, invocations per hour, or seconds. */
  observed: number;
  /** What was expected, in the same unit. */
  baseline: number;
  /** Signed deviation, as a standard-normal equivalent: negative below the baseline. */
  score: number;
  /** Whether the change is large enough to matter, whatever its significance. */
  material: boolean;
  /** Invocations (rate, volume) or timed completions (duration) behind `observed`. */
  sample: number;
  /** Completed invocations, for rates. */
  completed?: number | undefined;
  /** Reference days (robust) or baseline hours (z-score) the baseline was built from. */
  references: number;
  /** Robust method: whether the references share the judged day's type (weekday/weekend). */
  sameDayType?: boolean | undefined;
}

/** The score of a tail probability given as its logarithm: |score| grows as the tail shrinks. */
export const MAX_SCORE = 38;

export function clampScore(score: number): number {
  if (Number.isNaN(score)) return 0;
  return Math.max(-MAX_SCORE, Math.min(MAX_SCORE, score));
}
