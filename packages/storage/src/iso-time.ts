/**
 * ISO-8601 text as the project accepts it everywhere (the invocation schema, the CLI's time
 * arguments): a date, optionally a time to minutes, seconds or fractions, optionally an offset.
 */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;
const HAS_ZONE = /(?:Z|[+-]\d{2}:?\d{2})$/i;

/** `format`: not ISO-8601 text at all; `date`: shaped like it, but no such day or time. */
export type IsoTime = { ok: true; ms: number } | { ok: false; reason: 'format' | 'date' };

/**
 * Epoch milliseconds of ISO-8601 text; no offset means UTC, and a day that does not exist
 * (2026-02-30) is refused rather than rolled over the way `Date.parse` does. Times before 1970
 * are returned as negative ms: whether they are allowed is the caller's rule.
 * @example parseIsoTime('2026-01-02T03:04:05Z') // { ok: true, ms: 1767323045000 }
 * @example parseIsoTime('2026-02-30') // { ok: false, reason: 'date' }
 */
export function parseIsoTime(text: string): IsoTime {
  if (!ISO_8601.test(text)) return { ok: false, reason: 'format' };
  const hasZone = HAS_ZONE.test(text) || text.length === 10;
  const ms = Date.parse(hasZone ? text : `${text.replace(' ', 'T')}Z`);
  if (Number.isNaN(ms) || !isCalendarDate(text)) return { ok: false, reason: 'date' };
  return { ok: true, ms };
}

/** Date.parse rolls 2026-02-30 over to March 2; a stored event must keep the day it was given. */
function isCalendarDate(text: string): boolean {
  const [year, month, day] = text.slice(0, 10).split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const RELATIVE = /^(\d+(?:\.\d+)?)\s*([smhdw])$/i;
const EPOCH_MS = /^\d+$/;
/** The latest time JavaScript's Date allows (epoch ms); the invocation schema's limit too. */
export const MAX_EPOCH_MS = 8.64e15;

/** `range`: epoch milliseconds past what a Date can hold; else as `IsoTime`. */
export type TimeText = { ok: true; ms: number } | { ok: false; reason: 'format' | 'date' | 'range' };

/**
 * A point in time as people type it, the same for the CLI's `--since` and the server's `since`:
 * `now`, a duration before now (`30s`, `30m`, `24h`, `7d`, `2w`, `1.5h`), epoch milliseconds, or
 * ISO-8601 text (`parseIsoTime`). Each caller words its own error from `reason`.
 * @example parseTimeText('24h', Date.UTC(2026, 0, 2)) // { ok: true, ms: Date.UTC(2026, 0, 1) }
 */
export function parseTimeText(text: string, now: number): TimeText {
  const trimmed = text.trim();
  if (trimmed.toLowerCase() === 'now') return { ok: true, ms: now };
  const relative = RELATIVE.exec(trimmed);
  if (relative) return { ok: true, ms: now - Math.round(Number(relative[1]) * UNIT_MS[relative[2]!.toLowerCase()]!) };
  if (EPOCH_MS.test(trimmed)) {
    const ms = Number(trimmed);
    return ms > MAX_EPOCH_MS ? { ok: false, reason: 'range' } : { ok: true, ms };
  }
  return parseIsoTime(trimmed);
}
