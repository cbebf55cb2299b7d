import type { Store } from '@skills/storage';
import { HOUR_MS, type SeriesPoint } from '../series.js';

/**
 * Points of each skill, oldest first, from the `skill_time_series` rows of the given hours (a
 * sorted list of hour starts), of the given skills or of all. Only hours with invocations have
 * rows. A list that is nearly a contiguous range is read as the range.
 */
export async function readHours(store: Store, hours: readonly number[], skills?: readonly string[]): Promise<Map<string, SeriesPoint[]>> {
  const series = new Map<string, SeriesPoint[]>();
  if (hours.length === 0 || (skills !== undefined && skills.length === 0)) return series;
  const first = hours[0] as number;
  const last = hours[hours.length - 1] as number;
  const span = (last - first) / HOUR_MS + 1;
  let query = store.db
    .selectFrom('skill_time_series')
    .select(['skill_name', 'hour_start', 'invocation_count', 'completed_count', 'avg_duration_seconds', 'duration_count']);
  query = span <= hours.length * 1.5 ? query.where('hour_start', '>=', first).where('hour_start', '<=', last) : query.where('hour_start', 'in', [...hours]);
  if (skills !== undefined) query = query.where('skill_name', 'in', [...skills]);
  const wanted = span <= hours.length * 1.5 ? new Set(hours) : undefined;
  // No ORDER BY: sorting in the database costs more than sorting each skill's few points here.
  const rows = await query.execute();
  for (const row of rows) {
    if (wanted !== undefined && !wanted.has(row.hour_start)) continue;
    let points = series.get(row.skill_name);
    if (points === undefined) {
      points = [];
      series.set(row.skill_name, points);
    }
    points.push({
      ts: row.hour_start,
      count: row.invocation_count,
      completed: row.completed_count,
      avgDuration: row.avg_duration_seconds,
      durationCount: row.duration_count,
    });
  }
  for (const points of series.values()) {
    for (let i = 1; i < points.length; i++) {
      if ((points[i] as SeriesPoint).ts < (points[i - 1] as SeriesPoint).ts) {
        points.sort((a, b) => a.ts - b.ts);
        break;
      }
    }
  }
  return series;
}

/** Hour in which each skill was first invoked (from `skill_metrics`), for the given skills or all. */
export async function firstHours(store: Store, skills?: readonly string[]): Promise<Map<string, number>> {
  let query = store.db.selectFrom('skill_metrics').select(['skill_name', 'first_invoked']);
  if (skills !== undefined) {
    if (skills.length === 0) return new Map();
    query = query.where('skill_name', 'in', [...skills]);
  }
  const rows = await query.execute();
  return new Map(rows.map((row) => [row.skill_name, row.first_invoked - (row.first_invoked % HOUR_MS)]));
}
