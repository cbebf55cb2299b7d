import { HOUR_MS, ValidationError } from '@skills/storage';

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
