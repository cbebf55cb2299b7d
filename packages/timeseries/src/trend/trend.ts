import { ValidationError, type FieldIssue } from '@skills/storage';
import { checkMetric, higherIsBetter, type Metric } from '../metrics.js';
import { checkSeries, DAY_MS, denseSeries, HOUR_MS, type SeriesPoint } from '../series.js';
import { dailyPoints, type DailyPoint } from './daily-points.js';
import { linearRegression, type LinearFit } from './linear-regression.js';
import { mannKendall, type MannKendall } from './mann-kendall.js';
import { theilSen, type TheilSen } from './theil-sen.js';

export type TrendDirection = 'improving' | 'declining' | 'stable' | 'insufficient_data';

export interface TrendOptions {
  /** Length of the window in days (integer 1–366, default 7). */
  days?: number | undefined;
  /** End of the window, exclusive (default: the hour after the last point); rounded down to an hour. */
  until?: number | undefined;
  /** Significance level of the robust test that decides the direction (default 0.05). */
  alpha?: number | undefined;
}

/** Whether, and how fast, a metric of a skill is changing. */
export interface Trend {
  metric: Metric;
  /**
   * From the robust test: `improving`/`declining` when the Mann–Kendall p-value is below `alpha`
   * (higher is better for completion rate and volume, lower for duration); `stable` otherwise;
   * `insufficient_data` with fewer than 3 days of data.
   */
  direction: TrendDirection;
  /** Theil–Sen slope per day in the metric's unit (rate 0–1, invocations a day, seconds); null without data. */
  slopePerDay: number | null;
  /** Change across the window along the Theil–Sen line, relative to its start (e.g. −0.12 for −12%); null when it starts at 0. */
  change: number | null;
  /** Robust answer: Mann–Kendall test (p-value decides `direction`) and the Theil–Sen line with its 95% interval. */
  mannKendall: MannKendall | null;
  theilSen: TheilSen | null;
  /** Least-squares line and the two-sided p-value of its slope, for comparison (outliers can move it). */
  linear: LinearFit | null;
  /** Volume only: weekend traffic relative to weekday traffic, divided out of the daily points. */
  weekendFactor: number | null;
  /** The daily points the trend was fitted to. */
  points: DailyPoint[];
  since: number;
  until: number;
  /** The trend in plain words. */
  summary: string;
}

/** Fewest days with data for a trend (a straight line through two points proves nothing). */
export const MIN_TREND_DAYS = 3;

/**
 * Trend of one metric of one skill over the last `days` days of an hourly series.
 *
 * The window is cut into 24-hour blocks ending at `until`, so each block has every hour of the
 * day once; volumes are adjusted for weekends. The direction comes from the Mann–Kendall test
 * with the Theil–Sen slope (rank-based: a few outlier days cannot flip it); the least-squares
 * slope and its t-test p-value are reported beside it. Gaps are hours without invocations;
 * hours before the first point are not observed.
 *
 * @example trend(await hourlySeries(store, 'pytest-run', { since: Date.now() - 7 * 86_400_000 }), 'completion_rate')
 */
export function trend(series: readonly SeriesPoint[], metric: Metric, options: TrendOptions = {}): Trend {
  checkMetric(metric);
  const { days, alpha, until: rawUntil } = checkTrendOptions(options);
  const points = checkSeries(series);
  const last = points[points.length - 1];
  const untilBase = rawUntil ?? (last === undefined ? undefined : last.ts + HOUR_MS);
  if (untilBase === undefined) return emptyTrend(metric, Number.NaN, Number.NaN, [], 'no data');
  const until = untilBase - (((untilBase % HOUR_MS) + HOUR_MS) % HOUR_MS);
  const since = until - days * DAY_MS;
  const dense = denseSeries(points, since, until);
  const observedFrom = points[0]?.ts ?? until;
  const daily = dailyPoints(dense, metric, days, observedFrom);
  if (daily.points.length < MIN_TREND_DAYS) {
    return emptyTrend(
      metric,
      since,
      until,
      daily.points,
      `${daily.points.length} of ${days} days with data; a trend needs ${MIN_TREND_DAYS}`,
    );
  }
  const x = daily.points.map((p) => p.day);
  const y = daily.points.map((p) => p.value);
  const mk = mannKendall(y);
  const ts = theilSen(x, y);
  const linear = linearRegression(x, y);
  const up = mk.s > 0;
  // The two robust answers must agree on the sign (they can differ with many ties).
  const agree = ts.slope === 0 || ts.slope > 0 === up;
  const significant = mk.pValue < alpha && mk.s !== 0 && agree;
  const direction: TrendDirection = !significant ? 'stable' : up === higherIsBetter(metric) ? 'improving' : 'declining';
  const first = x[0] as number;
  const lastDay = x[x.length - 1] as number;
  const startValue = ts.intercept + ts.slope * first;
  const change = startValue !== 0 ? (ts.slope * (lastDay - first)) / Math.abs(startValue) : null;
  return {
    metric,
    direction,
    slopePerDay: ts.slope,
    change,
    mannKendall: mk,
    theilSen: ts,
    linear,
    weekendFactor: daily.weekendFactor ?? null,
    points: daily.points,
    since,
    until,
    summary: summarize(metric, direction, ts, mk, linear, daily.points.length, alpha),
  };
}

function checkTrendOptions(options: TrendOptions): { days: number; alpha: number; until: number | undefined } {
  const issues: FieldIssue[] = [];
  const days = options.days ?? 7;
  if (!Number.isInteger(days) || days < 1 || days > 366)
    issues.push({ index: -1, field: 'days', message: `expected an integer from 1 to 366 (got ${String(days)})` });
  const alpha = options.alpha ?? 0.05;
  if (!(typeof alpha === 'number' && alpha > 0 && alpha < 1))
    issues.push({ index: -1, field: 'alpha', message: `expected a number between 0 and 1 (got ${String(alpha)})` });
  if (options.until !== undefined && !Number.isFinite(options.until))
    issues.push({ index: -1, field: 'until', message: `expected a time in epoch milliseconds (got ${String(options.until)})` });
  if (issues.length > 0) throw new ValidationError(issues);
  return { days, alpha, until: options.until };
}

function emptyTrend(metric: Metric, since: number, until: number, points: DailyPoint[], why: string): Trend {
  return {
    metric,
    direction: 'insufficient_data',
    slopePerDay: null,
    change: null,
    mannKendall: null,
    theilSen: null,
    linear: null,
    weekendFactor: null,
    points,
    since,
    until,
    summary: `${metricName(metric)}: not enough data for a trend (${why})`,
  };
}

function metricName(metric: Metric): string {
  return metric === 'completion_rate' ? 'completion rate' : metric === 'invocation_count' ? 'volume' : 'average duration';
}

function perDay(metric: Metric, slope: number): string {
  const sign = slope < 0 ? '−' : '+';
  const magnitude = Math.abs(slope);
  if (metric === 'completion_rate') return `${sign}${(magnitude * 100).toFixed(2)} points a day`;
  if (metric === 'invocation_count')
    return `${sign}${magnitude >= 10 ? Math.round(magnitude).toLocaleString('en-US') : magnitude.toFixed(1)} invocations a day per day`;
  return `${sign}${magnitude >= 10 ? magnitude.toFixed(1) : magnitude.toFixed(3)} s a day`;
}

const p = (value: number) => (value < 0.001 ? value.toExponential(1) : value.toFixed(3));

function summarize(
  metric: Metric,
  direction: TrendDirection,
  ts: TheilSen,
  mk: MannKendall,
  linear: LinearFit,
  n: number,
  alpha: number,
): string {
  const verdict = direction === 'stable' ? `stable (no significant trend at ${alpha})` : direction;
  const ols = Number.isNaN(linear.pValue) ? '' : `; least squares ${perDay(metric, linear.slope)}, p = ${p(linear.pValue)}`;
  return `${metricName(metric)} ${verdict} over ${n} days: Theil–Sen ${perDay(metric, ts.slope)}, Mann–Kendall p = ${p(mk.pValue)}${ols}`;
}
