import { ValidationError } from '@skills/storage';

export const HOUR_MS = 3_600_000;

/** The page's range, hour-aligned as the rollups are, and the range of the same length before it. */
export interface DashboardWindow {
  since: number;
  until: number;
  previousSince: number;
}

/** What narrows every figure of the page: a skill, a workflow phase, a user. */
export interface DashboardFilter {
  skill?: string | undefined;
  phase?: string | undefined;
  user?: string | undefined;
}

/**
 * `since` rounds down and `until` up to whole hours (the rollups' resolution), so "the last hour"
 * at 14:20 is 13:00–15:00 and the previous range 11:00–13:00.
 */
export function dashboardWindow(since: number, until: number): DashboardWindow {
  if (since > until) throw new ValidationError([{ index: -1, field: 'since', message: 'must not be after until' }]);
  const start = since - (since % HOUR_MS);
  const end = until % HOUR_MS === 0 ? until : until - (until % HOUR_MS) + HOUR_MS;
  const span = Math.max(end - start, HOUR_MS);
  return { since: start, until: start + span, previousSince: start - span };
}

/** Hours per sparkline point: about 24–48 points whatever the range. */
export function sparklineBucketMs(window: DashboardWindow): number {
  const hours = (window.until - window.since) / HOUR_MS;
  if (hours <= 48) return HOUR_MS;
  if (hours <= 8 * 24) return 6 * HOUR_MS;
  return 24 * HOUR_MS;
}

/** Whether the filter needs the raw invocations (the rollups are per skill and hour only). */
export function needsRawRows(filter: DashboardFilter): boolean {
  return filter.phase !== undefined || filter.user !== undefined;
}

/**
 * The q-quantile of the rollups' duration histograms (`skill_time_series.duration_histogram`:
 * bucket i covers [0.001 s · 2^(i/4), 0.001 s · 2^((i+1)/4)), as @skills/storage writes them),
 * interpolated geometrically inside the bucket, the way storage's topSkills estimates a skill's p95.
 */
export function quantileOfHistograms(histograms: readonly string[], q: number): number | null {
  const merged = new Map<number, number>();
  let total = 0;
  for (const text of histograms) {
    if (text === '' || text === '{}') continue;
    const parsed = JSON.parse(text) as Record<string, number>;
    for (const key in parsed) {
      const count = parsed[key] ?? 0;
      merged.set(Number(key), (merged.get(Number(key)) ?? 0) + count);
      total += count;
    }
  }
  if (total === 0) return null;
  const rank = q * total;
  const lower = (i: number) => (i === 0 ? 0 : 0.001 * 2 ** (i / 4));
  const upper = (i: number) => 0.001 * 2 ** ((i + 1) / 4);
  const buckets = [...merged.keys()].sort((a, b) => a - b);
  let seen = 0;
  for (const bucket of buckets) {
    const count = merged.get(bucket)!;
    if (seen + count >= rank) {
      const fraction = count === 0 ? 0 : (rank - seen) / count;
      const lo = lower(bucket);
      const hi = upper(bucket);
      return lo === 0 ? hi * fraction : lo * (hi / lo) ** fraction;
    }
    seen += count;
  }
  return upper(buckets[buckets.length - 1]!);
}

/** The q-quantile by linear interpolation between order statistics (as storage's exact p95). */
export function quantileOf(values: number[], q: number): number | null {
  if (values.length === 0) return null;
  values.sort((a, b) => a - b);
  const h = (values.length - 1) * q;
  const lo = Math.floor(h);
  const below = values[lo]!;
  const above = values[Math.min(lo + 1, values.length - 1)]!;
  return below + (h - lo) * (above - below);
}
