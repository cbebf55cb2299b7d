import { ValidationError } from '@skills/storage';

/** The metrics of a skill that trends and anomalies are computed for (the rollup's column names). */
export type Metric = 'completion_rate' | 'invocation_count' | 'avg_duration_seconds';

export const METRICS: readonly Metric[] = ['completion_rate', 'invocation_count', 'avg_duration_seconds'];

/** Whether a higher value is better: more completions and more use are, longer durations are not. */
export function higherIsBetter(metric: Metric): boolean {
  return metric !== 'avg_duration_seconds';
}

export function checkMetric(metric: unknown, field = 'metric'): Metric {
  if (!METRICS.includes(metric as Metric)) {
    throw new ValidationError([{ index: -1, field, message: `expected one of ${METRICS.join(', ')} (got ${JSON.stringify(metric)})` }]);
  }
  return metric as Metric;
}
