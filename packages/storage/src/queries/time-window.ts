import { ValidationError } from '../errors.js';
import { HOUR_MS } from '../rollups/rollup.js';

export interface TimeWindow {
  /** Inclusive start, epoch ms. */
  since: number;
  /** Exclusive end, epoch ms. */
  until: number;
}

/**
 * Resolve optional since/until (epoch ms) into hour-aligned bounds over the hourly rollups:
 * `since` rounds down and `until` up to whole hours, since rollups have hourly resolution.
 */
export function hourWindow(since: number | undefined, until: number | undefined, defaultSpanMs: number, now: number): TimeWindow {
  const end = until ?? now;
  const start = since ?? end - defaultSpanMs;
  for (const [field, value] of [
    ['since', start],
    ['until', end],
  ] as const) {
    if (!Number.isFinite(value)) {
      throw new ValidationError([{ index: -1, field, message: 'expected a time in epoch milliseconds' }]);
    }
  }
  if (start > end) {
    throw new ValidationError([{ index: -1, field: 'since', message: 'must not be after until' }]);
  }
  return { since: start - (start % HOUR_MS), until: end % HOUR_MS === 0 ? end : end - (end % HOUR_MS) + HOUR_MS };
}

export function checkLimit(limit: number | undefined, fallback: number, max: number): number {
  const value = limit ?? fallback;
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new ValidationError([{ index: -1, field: 'limit', message: `expected an integer from 1 to ${max}` }]);
  }
  return value;
}
