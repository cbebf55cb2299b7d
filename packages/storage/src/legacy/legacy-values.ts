/**
 * Conversions of the original's values: ISO-8601 text timestamps (with an offset, `Z`, or none,
 * which the original meant as UTC: `datetime('now')` and `datetime.now(UTC)` both write UTC),
 * JSON-array text, and stable ids derived from the file's identity and the old integer id.
 */

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * Epoch ms of an original timestamp, or undefined when it is not one. Text without an offset is
 * UTC. Fractions below a millisecond (Python writes microseconds) are truncated.
 * @example legacyTime('2026-02-10T12:00:00.123456+01:00') // Date.UTC(2026, 1, 10, 11, 0, 0, 123)
 */
export function legacyTime(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return undefined; // the original never stores numbers
  if (typeof value !== 'string') return undefined;
  const match = ISO.exec(value.trim());
  if (!match) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', zone] = match;
  const year = Number(y),
    month = Number(mo),
    day = Number(d),
    hour = Number(h),
    minute = Number(mi),
    second = Number(s);
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = Number(`${fraction}000`.slice(0, 3));
  let at = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offset = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0');
    at -= sign * offset * 60_000;
  }
  return at >= 0 ? at : undefined;
}

/** Whether an original timestamp has no offset (and was therefore read as UTC). */
export function isNaiveTime(value: unknown): boolean {
  return typeof value === 'string' && ISO.test(value.trim()) && !/(?:Z|[+-]\d{2}(?::?\d{2})?)$/i.test(value.trim());
}

/**
 * The stable id of an old row: `sb_<identity>_<kind><old id>`, so importing the same database
 * (or a copy of it, or the same file after the original wrote more) never imports a row twice.
 * @example legacyId('3fa85f6457b2', 'i', 42) // 'sb_3fa85f6457b2_i42'
 */
export function legacyId(identity: string, kind: string, oldId: unknown): string {
  return `sb_${identity}_${kind}${String(oldId)}`;
}

/** A JSON array of strings stored as text; undefined when the text is not one. */
export function legacyStringList(value: unknown): string[] | null | undefined {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    if (parsed === null) return null;
    if (!Array.isArray(parsed)) return undefined;
    return parsed.map((entry) => (typeof entry === 'string' ? entry : JSON.stringify(entry)));
  } catch {
    return undefined;
  }
}

/** SQLite booleans as the original stored them: 0/1, sometimes text. */
export function legacyBoolean(value: unknown): boolean {
  return value === 1 || value === 1n || value === true || value === '1' || value === 'true' || value === 'True';
}
