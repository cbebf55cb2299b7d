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
  /** Robust method: the references were too thin at these exact hours, so each day's neighbouring hours were pooled in. */
  pooled?: boolean | undefined;
}

/** Why a metric of an hour was not judged. */
export type NotJudgedCode =
  /** No invocations (rate) or no timed completions (duration) in the judged hours: nothing to judge. */
  | 'no_data'
  /** The skill's history is shorter than the reference days needed. */
  | 'young_history'
  /** Too few earlier days had data at these hours, even with the neighbouring hours pooled in. */
  | 'thin_references'
  /** A volume below the weekday references on a weekend (or the reverse) with no history of that day type to scale by. */
  | 'no_day_type_history'
  /** The z-score method's baseline is too short or constant. */
  | 'no_baseline';

export interface NotJudged {
  metric: Metric;
  hours: number;
  code: NotJudgedCode;
  /** The reason in plain words. */
  reason: string;
}

export const isJudgement = (j: Judgement | NotJudged | undefined): j is Judgement => j !== undefined && !('code' in j);

/** The score of a tail probability given as its logarithm: |score| grows as the tail shrinks. */
export const MAX_SCORE = 38;

export function clampScore(score: number): number {
  if (Number.isNaN(score)) return 0;
  return Math.max(-MAX_SCORE, Math.min(MAX_SCORE, score));
}
