import { NotFoundError, type Store } from '@skills/storage';
import { checkMetric, type Metric } from '../metrics.js';
import { DAY_MS, HOUR_MS, type SeriesPoint } from '../series.js';
import { trend, type Trend, type TrendOptions } from '../trend/trend.js';
import { firstHours } from './read-series.js';

export interface SkillTrendOptions extends Omit<TrendOptions, 'until'> {
  /** Default `completion_rate`. */
  metric?: Metric | undefined;
  /** End of the window (default: now); the hour containing it is left out, as it is not over. */
  until?: number | undefined;
}

/**
 * The trend of one skill over the last `days` days, from the `skill_time_series` rollups.
 * @throws NotFoundError for a skill never recorded.
 * @example await skillTrend(store, 'pytest-run', { metric: 'completion_rate', days: 7 })
 */
export async function skillTrend(store: Store, skill: string, options: SkillTrendOptions = {}): Promise<Trend> {
  const metric = checkMetric(options.metric ?? 'completion_rate');
  const { series, until } = await skillSeries(store, skill, { days: options.days ?? 7, until: options.until });
  return trend(series, metric, { ...options, until });
}

/**
 * The hourly points of one skill over the last `days` days before `until` (default now, rounded
 * down to the hour), from the rollups; when the skill is older than the window, a zero point at
 * the window's start marks the whole window as observed.
 */
export async function skillSeries(
  store: Store,
  skill: string,
  options: { days: number; until?: number | undefined },
): Promise<{ series: SeriesPoint[]; since: number; until: number }> {
  const rawUntil = options.until ?? Date.now();
  const until = Number.isFinite(rawUntil) ? rawUntil - (((rawUntil % HOUR_MS) + HOUR_MS) % HOUR_MS) : rawUntil;
  const since = until - (Number.isInteger(options.days) ? options.days : 7) * DAY_MS;
  const first = (await firstHours(store, [skill])).get(skill);
  if (first === undefined) throw new NotFoundError('skill', skill);
  if (!Number.isFinite(until)) return { series: [], since, until };
  const rows = await store.db
    .selectFrom('skill_time_series')
    .select(['hour_start', 'invocation_count', 'completed_count', 'avg_duration_seconds', 'duration_count'])
    .where('skill_name', '=', skill)
    .where('hour_start', '>=', since)
    .where('hour_start', '<', until)
    .orderBy('hour_start')
    .execute();
  const series: SeriesPoint[] = rows.map((row) => ({
    ts: row.hour_start,
    count: row.invocation_count,
    completed: row.completed_count,
    avgDuration: row.avg_duration_seconds,
    durationCount: row.duration_count,
  }));
  if (first <= since && series[0]?.ts !== since) series.unshift({ ts: since, count: 0, completed: 0, avgDuration: null });
  return { series, since, until };
}
