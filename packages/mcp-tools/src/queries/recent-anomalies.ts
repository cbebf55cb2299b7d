import type { Store } from '@skills/storage';
import { replayAnomalies, type AnomalyEpisode, type Metric, type SeriesPoint } from '@skills/timeseries';

const HOUR_MS = 3_600_000;
/** The z-score method compares each hour with the 23 before it. */
const ZSCORE_BASELINE_HOURS = 23;

/**
 * The original system's z-score detector (`method: 'zscore'` of @skills/timeseries) replayed over
 * the complete hours of the last `hours` hours, as the hourly job would have run it: at most one
 * open anomaly per skill, metric and direction, with when it was over. Nothing is recorded.
 *
 * One read of the hourly rollups for every skill (the window and the 23 hours before it), then
 * `replayAnomalies` per skill; a skill older than the read window starts with a zero hour there,
 * so quiet hours count as zero invocations (as `detectAndRecordAnomalies` counts them).
 * @example await recentAnomalies(store, { now: Date.now(), hours: 24, threshold: 2, metrics: ['completion_rate'] })
 */
export async function recentAnomalies(
  store: Store,
  options: { now: number; hours: number; threshold: number; metrics?: readonly Metric[] },
): Promise<AnomalyEpisode[]> {
  const until = options.now - (((options.now % HOUR_MS) + HOUR_MS) % HOUR_MS);
  const since = until - options.hours * HOUR_MS;
  const readFrom = since - ZSCORE_BASELINE_HOURS * HOUR_MS;
  const [rows, skills] = await Promise.all([
    store.db
      .selectFrom('skill_time_series')
      // duration_sum rather than avg_duration_seconds: the columns before the histogram are read
      // without touching the rest of the row.
      .select(['skill_name', 'hour_start', 'invocation_count', 'completed_count', 'duration_sum', 'duration_count'])
      .where('skill_name', 'in', (eb) => eb.selectFrom('skill_metrics').select('skill_metrics.skill_name'))
      .where('hour_start', '>=', readFrom)
      .where('hour_start', '<', until)
      .orderBy('skill_name')
      .orderBy('hour_start')
      .execute(),
    store.db.selectFrom('skill_metrics').select(['skill_name', 'first_invoked']).where('first_invoked', '<', until).execute(),
  ]);
  const series = new Map<string, SeriesPoint[]>();
  for (const { skill_name: skill, first_invoked: first } of skills) {
    series.set(skill, first < readFrom ? [{ ts: readFrom, count: 0, completed: 0, avgDuration: null }] : []);
  }
  for (const row of rows) {
    const points = series.get(row.skill_name);
    if (!points) continue;
    const point: SeriesPoint = {
      ts: row.hour_start,
      count: Number(row.invocation_count),
      completed: Number(row.completed_count),
      avgDuration: Number(row.duration_count) > 0 ? Number(row.duration_sum) / Number(row.duration_count) : null,
      durationCount: Number(row.duration_count),
    };
    if (points[0]?.ts === row.hour_start) points[0] = point;
    else points.push(point);
  }
  const found: AnomalyEpisode[] = [];
  for (const [skill, points] of series) {
    if (points.length === 0) continue;
    found.push(...replayAnomalies(points, { skill, method: 'zscore', threshold: options.threshold, since, until, ...(options.metrics === undefined ? {} : { metrics: options.metrics }) }));
  }
  return found;
}
