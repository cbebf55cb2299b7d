import { NotFoundError } from '../errors.js';
import { HOUR_MS } from '../rollups/rollup.js';
import type { Store } from '../store.js';
import { hourWindow } from './time-window.js';

/** One hour of one skill, from `skill_time_series`. */
export interface HourlyPoint {
  /** Start of the hour, epoch ms. */
  ts: number;
  count: number;
  completed: number;
  /** Mean duration of completed invocations with a known duration; null when none. */
  avgDuration: number | null;
  uniqueSessions: number;
}

export interface HourlySeriesOptions {
  /** Default: 30 days before `until`. */
  since?: number;
  /** Default: now. */
  until?: number;
  /** Include hours with no invocations as zero points (default false: only hours with data). */
  fill?: boolean;
}

/**
 * The hourly series of one skill, oldest first, read from the rollups.
 * @throws NotFoundError when the skill was never recorded.
 * @example await hourlySeries(store, 'pytest-run', { since: Date.now() - 7 * 86_400_000, fill: true })
 */
export async function hourlySeries(store: Store, skill: string, options: HourlySeriesOptions = {}): Promise<HourlyPoint[]> {
  const window = hourWindow(options.since, options.until, 30 * 86_400_000, Date.now());
  const rows = await store.db
    .selectFrom('skill_time_series')
    .select(['hour_start', 'invocation_count', 'completed_count', 'avg_duration_seconds', 'unique_sessions'])
    .where('skill_name', '=', skill)
    .where('hour_start', '>=', window.since)
    .where('hour_start', '<', window.until)
    .orderBy('hour_start')
    .execute();
  if (rows.length === 0) {
    const known = await store.db.selectFrom('skill_metrics').select('skill_name').where('skill_name', '=', skill).executeTakeFirst();
    if (!known) throw new NotFoundError('skill', skill);
  }
  const points = rows.map((row) => ({
    ts: row.hour_start,
    count: row.invocation_count,
    completed: row.completed_count,
    avgDuration: row.avg_duration_seconds,
    uniqueSessions: row.unique_sessions,
  }));
  if (!options.fill) return points;
  const filled: HourlyPoint[] = [];
  let next = 0;
  for (let ts = window.since; ts < window.until; ts += HOUR_MS) {
    const point = points[next];
    if (point && point.ts === ts) {
      filled.push(point);
      next += 1;
    } else {
      filled.push({ ts, count: 0, completed: 0, avgDuration: null, uniqueSessions: 0 });
    }
  }
  return filled;
}
