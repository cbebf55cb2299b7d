import { ValidationError, type FieldIssue } from '@skills/storage';
import { checkMetric, METRICS, type Metric } from '../metrics.js';

/** `robust` (default): seasonal, count-aware, robust. `zscore`: the original system's method. */
export type DetectionMethod = 'robust' | 'zscore';
export const DETECTION_METHODS: readonly DetectionMethod[] = ['robust', 'zscore'];

export interface DetectionOptions {
  /** Skill name written on each anomaly (default `''`). */
  skill?: string | undefined;
  method?: DetectionMethod | undefined;
  /** Metrics to judge (default all three). */
  metrics?: readonly Metric[] | undefined;
  /**
   * |score| at which a deviation is an anomaly. Default 3.3 for `robust` (a one-sided tail of
   * about 5 in 10,000 under the null, after every widening for noise), 2 for `zscore` (the
   * original's).
   */
  threshold?: number | undefined;
  /**
   * Robust: |score| at which an improvement (a completion rate above its baseline, a duration
   * below it) is reported (default 5): nobody needs waking for good news, and small samples of
   * skewed durations are more often short than long.
   */
  improvementThreshold?: number | undefined;
  /** An open anomaly is resolved once every score of its metric is back under this (default 2). */
  resolveThreshold?: number | undefined;
  /** Robust: how many earlier days may serve as references (default 14: 10 weekdays, 4 weekend days). */
  baselineDays?: number | undefined;
  /** Robust: fewest reference days with data before a metric is judged (default 2). */
  minReferenceDays?: number | undefined;
  /** Robust: hours pooled to find sustained shifts too small to see in one hour (default 3; 1 turns it off). */
  windowHours?: number | undefined;
  /**
   * Robust: a second, longer pooled window for shifts that last (default 8; 1 turns it off): a
   * small skill's incident gives too few calls in 3 hours to tell from bad luck, but not in 8.
   */
  longWindowHours?: number | undefined;
  /** Robust: smallest change of completion rate worth an alert, absolute (default 0.05). */
  minRateChange?: number | undefined;
  /** Robust: smallest volume ratio worth an alert (default 1.5). */
  minCountRatio?: number | undefined;
  /** Robust: smallest change in invocations over the judged window worth an alert (default 8, more than one session's worth). */
  minCountChange?: number | undefined;
  /** Robust: smallest duration ratio worth an alert (default 1.5). */
  minDurationRatio?: number | undefined;
}

export interface ResolvedDetectionOptions {
  skill: string;
  method: DetectionMethod;
  metrics: readonly Metric[];
  threshold: number;
  improvementThreshold: number;
  resolveThreshold: number;
  baselineDays: number;
  minReferenceDays: number;
  windowHours: number;
  longWindowHours: number;
  minRateChange: number;
  minCountRatio: number;
  minCountChange: number;
  minDurationRatio: number;
}

/** Fill in defaults; a bad option is a ValidationError naming it. */
export function resolveDetectionOptions(options: DetectionOptions = {}): ResolvedDetectionOptions {
  const issues: FieldIssue[] = [];
  const method = options.method ?? 'robust';
  if (!DETECTION_METHODS.includes(method)) {
    issues.push({ index: -1, field: 'method', message: `expected one of ${DETECTION_METHODS.join(', ')} (got ${JSON.stringify(method)})` });
  }
  const number = (field: keyof DetectionOptions, fallback: number, check: (x: number) => boolean, expected: string): number => {
    const value = options[field] ?? fallback;
    if (typeof value !== 'number' || !check(value)) {
      issues.push({ index: -1, field, message: `expected ${expected} (got ${JSON.stringify(value)})` });
      return fallback;
    }
    return value;
  };
  const positive = (x: number) => Number.isFinite(x) && x > 0;
  const resolved: ResolvedDetectionOptions = {
    skill: typeof options.skill === 'string' ? options.skill : '',
    method,
    metrics: METRICS,
    threshold: number('threshold', method === 'zscore' ? 2 : 3.3, positive, 'a number > 0'),
    improvementThreshold: number('improvementThreshold', 5, positive, 'a number > 0'),
    resolveThreshold: number('resolveThreshold', 2, positive, 'a number > 0'),
    baselineDays: number('baselineDays', 14, (x) => Number.isInteger(x) && x >= 1 && x <= 366, 'an integer from 1 to 366'),
    minReferenceDays: number('minReferenceDays', 2, (x) => Number.isInteger(x) && x >= 1, 'an integer ≥ 1'),
    windowHours: number('windowHours', 3, (x) => Number.isInteger(x) && x >= 1 && x <= 24, 'an integer from 1 to 24'),
    longWindowHours: number('longWindowHours', 8, (x) => Number.isInteger(x) && x >= 1 && x <= 24, 'an integer from 1 to 24'),
    minRateChange: number('minRateChange', 0.05, (x) => x >= 0 && x <= 1, 'a number from 0 to 1'),
    minCountRatio: number('minCountRatio', 1.5, (x) => Number.isFinite(x) && x >= 1, 'a number ≥ 1'),
    minCountChange: number('minCountChange', 8, (x) => Number.isFinite(x) && x >= 0, 'a number ≥ 0'),
    minDurationRatio: number('minDurationRatio', 1.5, (x) => Number.isFinite(x) && x >= 1, 'a number ≥ 1'),
  };
  if (options.metrics !== undefined) {
    if (!Array.isArray(options.metrics) || options.metrics.length === 0) {
      issues.push({ index: -1, field: 'metrics', message: 'expected a non-empty array of metric names' });
    } else {
      try {
        resolved.metrics = [...new Set(options.metrics.map((metric) => checkMetric(metric, 'metrics')))];
      } catch (error) {
        if (error instanceof ValidationError) issues.push(...error.issues);
        else throw error;
      }
    }
  }
  if (options.skill !== undefined && typeof options.skill !== 'string') {
    issues.push({ index: -1, field: 'skill', message: 'expected a string' });
  }
  if (issues.length > 0) throw new ValidationError(issues);
  return resolved;
}
