import { parseTimeText } from '@skills/storage';
import { optionError } from './errors.js';

const EXPECTED = 'expected a duration before now (30m, 24h, 7d, 2w), epoch milliseconds or an ISO-8601 time';

/**
 * A point in time given on the command line: `now`, a duration before now (`30s`, `30m`, `24h`,
 * `7d`, `2w`), epoch milliseconds, or ISO-8601 text. Returns epoch ms. Read by storage's
 * `parseTimeText`, as the server reads its `since`; the words of the errors are the CLI's.
 * @example parseTimeArgument('24h', '--since', Date.UTC(2026, 0, 2)) // Date.UTC(2026, 0, 1)
 */
export function parseTimeArgument(value: string, option: string, now: number): number {
  const time = parseTimeText(value, now);
  if (time.ok) return time.ms;
  if (time.reason === 'range') throw optionError(option, `epoch milliseconds out of range (got "${value}")`);
  if (time.reason === 'date') throw optionError(option, `not a valid date (got "${value}")`);
  throw optionError(option, `${EXPECTED} (got "${value}")`);
}

/** `parseTimeArgument` for an optional flag. */
export function optionalTime(value: string | undefined, option: string, now: number): number | undefined {
  return value === undefined ? undefined : parseTimeArgument(value, option, now);
}

/**
 * An integer flag within bounds.
 * @example parseInteger('50', '--limit', 1, 1000) // 50
 */
export function parseInteger(value: string, option: string, min: number, max: number): number {
  const text = value.trim().replace(/_/g, '');
  const number = /^[+-]?\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(number) || number < min || number > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`;
    throw optionError(option, `expected ${range} (got "${value}")`);
  }
  return number;
}

/** `parseInteger` for an optional flag. */
export function optionalInteger(value: string | undefined, option: string, min: number, max: number): number | undefined {
  return value === undefined ? undefined : parseInteger(value, option, min, max);
}

/** A finite number ≥ 0, e.g. a duration in seconds. */
export function parseNonNegative(value: string, option: string): number {
  const text = value.trim();
  const number = text === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(number) || number < 0) {
    throw optionError(option, `expected a number ≥ 0 (got "${value}")`);
  }
  return number;
}
