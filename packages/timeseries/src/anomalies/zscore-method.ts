/**
 * The original system's z-score, offered by name (`method: 'zscore'`) so its alerts can be
 * compared with the robust method's. Faithful to session-buddy:
 * - completion rate (`SkillsStorage.detect_anomalies`): the last hour's completion rate against the
 *   23 hours before it, σ = sample standard deviation of the per-invocation completion indicator,
 *   at least 5 invocations in the baseline and 2 in the hour;
 * - duration (`TimeSeriesAnalyzer.get_anomaly_detection`): the hour's average duration against the
 *   mean and population σ of the hourly averages over the 24 hours ending with it (hours with data);
 * - volume (the original had none): the same hourly z-score over hourly invocation counts, gaps
 *   counting as zero.
 * No seasonality, no notion of sample size: every quiet night and every small skill is a candidate.
 */
import type { Metric } from '../metrics.js';
import type { DenseSeries } from '../series.js';
import { clampScore, type Judgement } from './judgement.js';

const BASELINE_HOURS = 23;

export function judgeZscore(series: DenseSeries, end: number, metric: Metric): Judgement | undefined {
  if (metric === 'completion_rate') return judgeRateZscore(series, end);
  const values: number[] = [];
  const from = Math.max(0, end - BASELINE_HOURS);
  for (let i = from; i <= end; i++) {
    if (metric === 'invocation_count') values.push(series.count[i] as number);
    else if ((series.timed[i] as number) > 0) values.push((series.durationSum[i] as number) / (series.timed[i] as number));
  }
  const current =
    metric === 'invocation_count'
      ? (series.count[end] as number)
      : (series.timed[end] as number) > 0
        ? (series.durationSum[end] as number) / (series.timed[end] as number)
        : undefined;
  if (current === undefined || values.length < 2) return undefined;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length);
  if (!(sd > 0)) return undefined;
  return {
    metric,
    hours: 1,
    observed: current,
    baseline: mean,
    score: clampScore((current - mean) / sd),
    material: true,
    sample: metric === 'invocation_count' ? current : (series.timed[end] as number),
    references: values.length,
  };
}

function judgeRateZscore(series: DenseSeries, end: number): Judgement | undefined {
  const n = series.count[end] as number;
  if (n < 2) return undefined;
  let baseN = 0;
  let baseC = 0;
  for (let i = Math.max(0, end - BASELINE_HOURS); i < end; i++) {
    baseN += series.count[i] as number;
    baseC += series.completed[i] as number;
  }
  if (baseN < 5) return undefined;
  const p = baseC / baseN;
  const sd = Math.sqrt((p * (1 - p) * baseN) / (baseN - 1));
  if (!(sd > 0)) return undefined;
  const observed = (series.completed[end] as number) / n;
  return {
    metric: 'completion_rate',
    hours: 1,
    observed,
    baseline: p,
    score: clampScore((observed - p) / sd),
    material: true,
    sample: n,
    completed: series.completed[end] as number,
    references: BASELINE_HOURS,
  };
}
