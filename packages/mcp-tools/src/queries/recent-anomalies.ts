import { HOUR_MS, type Store } from '@skills/storage';
import { replayAnomalies, type AnomalyEpisode, type Metric, type SeriesPoint } from '@skills/timeseries';
import { sql } from 'kysely';

/** The z-score method compares each hour with the 23 before it. */
const ZSCORE_BASELINE_HOURS = 23;
/** Replays kept per store (one per window, threshold and metrics asked). */
const MAX_KEPT = 16;

interface Kept {
  /** What the replay read, summed: it changes whenever a row of the window does. */
  fingerprint: string;
  found: AnomalyEpisode[];
}

const kept = new WeakMap<Store, Map<string, Kept>>();

/**
 * The original system's z-score detector (`method: 'zscore'` of @skills/timeseries) replayed over
 * the complete hours of the last `hours` hours, as the hourly job would have run it: at most one
 * open anomaly per skill, metric and direction, with when it was over. Nothing is recorded.
 *
 * One read of the hourly rollups for every skill (the window and the 23 hours before it), then
 * `replayAnomalies` per skill; a skill older than the read window starts with a zero hour there,
 * so quiet hours count as zero invocations (as `detectAndRecordAnomalies` counts them).
 *
 * Only complete hours are judged, so invocations of the current hour change nothing here: the
 * replay is kept, and reused while a fingerprint of what it read (the skills' first invocations
 * and the window's rows summed, one aggregate over the same index range, no rows carried to
 * JavaScript) is unchanged. A late invocation, an erasure or a rebuild in the window changes the
 * sums, from this process or any other, and the replay runs again.
 * @example await recentAnomalies(store, { now: Date.now(), hours: 24, threshold: 2, metrics: ['completion_rate'] })
 */
export async function recentAnomalies(
  store: Store,
  options: { now: number; hours: number; threshold: number; metrics?: readonly Metric[] },
): Promise<AnomalyEpisode[]> {
  const until = options.now - (((options.now % HOUR_MS) + HOUR_MS) % HOUR_MS);
  const since = until - options.hours * HOUR_MS;
  const readFrom = since - ZSCORE_BASELINE_HOURS * HOUR_MS;
  const [skills, sums] = await Promise.all([
    store.db
      .selectFrom('skill_metrics')
      .select(['skill_name', 'first_invoked'])
      .where('first_invoked', '<', until)
      .orderBy('skill_name')
      .execute(),
    windowRows(store, readFrom, until)
      .select((eb) => [
        eb.fn.countAll<number>().as('n'),
        eb.fn.sum<number>('invocation_count').as('count'),
        eb.fn.sum<number>('completed_count').as('completed'),
        eb.fn.sum<number>('duration_count').as('timed'),
        eb.fn.sum<number>('duration_sum').as('seconds'),
        // Weighted by the hour, so moving invocations between hours changes it too.
        sql<number>`sum(invocation_count * ((hour_start - ${readFrom}) / ${HOUR_MS} + 1))`.as('placed'),
      ])
      .executeTakeFirstOrThrow(),
  ]);
  const key = JSON.stringify([readFrom, until, options.threshold, options.metrics ?? null]);
  const fingerprint = JSON.stringify([
    skills.map((s) => [s.skill_name, Number(s.first_invoked) < readFrom]),
    Object.values(sums).map(String),
  ]);
  const cache = kept.get(store) ?? new Map<string, Kept>();
  kept.set(store, cache);
  const hit = cache.get(key);
  if (hit?.fingerprint === fingerprint) return hit.found.map((episode) => ({ ...episode }));

  const rows = await windowRows(store, readFrom, until)
    // duration_sum rather than avg_duration_seconds: the columns before the histogram are read
    // without touching the rest of the row.
    .select(['skill_name', 'hour_start', 'invocation_count', 'completed_count', 'duration_sum', 'duration_count'])
    .orderBy('skill_name')
    .orderBy('hour_start')
    .execute();
  const series = new Map<string, SeriesPoint[]>();
  for (const { skill_name: skill, first_invoked: first } of skills) {
    series.set(skill, Number(first) < readFrom ? [{ ts: readFrom, count: 0, completed: 0, avgDuration: null }] : []);
  }
  for (const row of rows) {
    const points = series.get(row.skill_name);
    if (!points) continue;
    const point: SeriesPoint = {
      ts: Number(row.hour_start),
      count: Number(row.invocation_count),
      completed: Number(row.completed_count),
      avgDuration: Number(row.duration_count) > 0 ? Number(row.duration_sum) / Number(row.duration_count) : null,
      durationCount: Number(row.duration_count),
    };
    if (points[0]?.ts === point.ts) points[0] = point;
    else points.push(point);
  }
  const found: AnomalyEpisode[] = [];
  for (const [skill, points] of series) {
    if (points.length === 0) continue;
    found.push(
      ...replayAnomalies(points, {
        skill,
        method: 'zscore',
        threshold: options.threshold,
        since,
        until,
        ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
      }),
    );
  }
  cache.delete(key);
  cache.set(key, { fingerprint, found: found.map((episode) => ({ ...episode })) });
  while (cache.size > MAX_KEPT) cache.delete(cache.keys().next().value!);
  return found;
}

/** The hourly rows a replay reads: every known skill's, from `from` to `until`. */
function windowRows(store: Store, from: number, until: number) {
  return store.db
    .selectFrom('skill_time_series')
    .where('skill_name', 'in', (eb) => eb.selectFrom('skill_metrics').select('skill_metrics.skill_name'))
    .where('hour_start', '>=', from)
    .where('hour_start', '<', until);
}
