import { invocationInputSchema } from '@skills/storage';
import { describe, expect, it } from 'vitest';
import { parseInteger, parseTimeArgument } from '../src/index.js';

const NOW = Date.UTC(2026, 2, 15, 12, 30, 0);

describe('parseTimeArgument', () => {
  it.each([
    ['30m', NOW - 30 * 60_000],
    ['24h', NOW - 24 * 3_600_000],
    ['7d', NOW - 7 * 86_400_000],
    ['2w', NOW - 14 * 86_400_000],
    ['90s', NOW - 90_000],
    ['1.5h', NOW - 5_400_000],
    ['now', NOW],
  ])('reads the duration %s as that long before now', (text, expected) => {
    expect(parseTimeArgument(text, '--since', NOW)).toBe(expected);
  });

  it('reads digits as epoch milliseconds', () => {
    expect(parseTimeArgument('1767225600000', '--since', NOW)).toBe(Date.UTC(2026, 0, 1));
  });

  it('reads ISO-8601 with a zone, with an offset, and without (UTC)', () => {
    expect(parseTimeArgument('2026-01-01T10:00:00Z', '--until', NOW)).toBe(Date.UTC(2026, 0, 1, 10));
    expect(parseTimeArgument('2026-01-01T12:00:00+02:00', '--until', NOW)).toBe(Date.UTC(2026, 0, 1, 10));
    expect(parseTimeArgument('2026-01-01T10:00', '--until', NOW)).toBe(Date.UTC(2026, 0, 1, 10));
    expect(parseTimeArgument('2026-01-01', '--until', NOW)).toBe(Date.UTC(2026, 0, 1));
  });

  it('names the option and the accepted forms for a bad value', () => {
    expect(() => parseTimeArgument('yesterday', '--since', NOW)).toThrow(
      '--since: expected a duration before now (30m, 24h, 7d, 2w), epoch milliseconds or an ISO-8601 time (got "yesterday")',
    );
    expect(() => parseTimeArgument('5y', '--until', NOW)).toThrow(/^--until: /);
    expect(() => parseTimeArgument('2026-13-45', '--start', NOW)).toThrow('--start: not a valid date (got "2026-13-45")');
    expect(() => parseTimeArgument('2026-02-30T10:00Z', '--start', NOW)).toThrow('--start: not a valid date (got "2026-02-30T10:00Z")');
  });

  // One ISO-8601 reading for the whole project (storage's parseIsoTime): the CLI's own copy skipped
  // the year check, so it took 0099-01-01 (Date.UTC reads year 99 as 1999) where storage refused it.
  it.each(['2026-02-30T00:00:00Z', '2025-02-29', '0099-01-01T00:00:00Z'])('refuses %s as storage does: no such day', (text) => {
    const stored = invocationInputSchema.safeParse({ skill_name: 'pytest-run', session_id: 's1', invoked_at: text });
    expect(stored.error?.issues.map((issue) => issue.message)).toEqual([`not a valid date: ${text}`]);
    expect(() => parseTimeArgument(text, '--since', NOW)).toThrow(`--since: not a valid date (got "${text}")`);
  });
});

describe('parseInteger', () => {
  it('accepts integers in range', () => {
    expect(parseInteger('10', '--limit', 1, 1000)).toBe(10);
    expect(parseInteger('50_000', '--invocations', 0, 1e9)).toBe(50_000);
  });

  it('rejects fractions, words and out-of-range values naming the option', () => {
    expect(() => parseInteger('0', '--limit', 1, 1000)).toThrow('--limit: expected an integer from 1 to 1000 (got "0")');
    expect(() => parseInteger('2.5', '--limit', 1, 1000)).toThrow(/^--limit: /);
    expect(() => parseInteger('ten', '--steps', 1, 10)).toThrow('--steps: expected an integer from 1 to 10 (got "ten")');
  });
});
