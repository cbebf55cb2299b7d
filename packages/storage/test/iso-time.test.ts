import { describe, expect, it } from 'vitest';
import { parseIsoTime, parseTimeText } from '../src/index.js';

const NOW = Date.UTC(2026, 2, 15, 12, 30, 0);

describe('parseIsoTime', () => {
  it('reads a zone, an offset, and no offset as UTC', () => {
    expect(parseIsoTime('2026-01-02T03:04:05Z')).toEqual({ ok: true, ms: Date.UTC(2026, 0, 2, 3, 4, 5) });
    expect(parseIsoTime('2026-01-02T05:04:05+02:00')).toEqual({ ok: true, ms: Date.UTC(2026, 0, 2, 3, 4, 5) });
    expect(parseIsoTime('2026-01-02 03:04')).toEqual({ ok: true, ms: Date.UTC(2026, 0, 2, 3, 4) });
    expect(parseIsoTime('2026-01-02')).toEqual({ ok: true, ms: Date.UTC(2026, 0, 2) });
  });

  it('refuses a day that does not exist instead of rolling it over', () => {
    expect(parseIsoTime('2026-02-30T00:00:00Z')).toEqual({ ok: false, reason: 'date' });
    expect(parseIsoTime('2026-13-01')).toEqual({ ok: false, reason: 'date' });
  });

  it('says when the text is not ISO-8601 at all', () => {
    expect(parseIsoTime('yesterday')).toEqual({ ok: false, reason: 'format' });
    expect(parseIsoTime('Dec 1 2026')).toEqual({ ok: false, reason: 'format' });
  });
});

describe('parseTimeText', () => {
  it.each([
    ['now', NOW],
    ['30s', NOW - 30_000],
    ['30m', NOW - 30 * 60_000],
    ['1.5h', NOW - 5_400_000],
    ['24 h', NOW - 24 * 3_600_000],
    ['7d', NOW - 7 * 86_400_000],
    ['2w', NOW - 14 * 86_400_000],
    ['1767225600000', Date.UTC(2026, 0, 1)],
    [' 2026-01-01T10:00:00Z ', Date.UTC(2026, 0, 1, 10)],
  ])('reads %s', (text, ms) => {
    expect(parseTimeText(text, NOW)).toEqual({ ok: true, ms });
  });

  it('gives the reason for what it cannot read', () => {
    expect(parseTimeText('8640000000000001', NOW)).toEqual({ ok: false, reason: 'range' });
    expect(parseTimeText('2026-02-30', NOW)).toEqual({ ok: false, reason: 'date' });
    expect(parseTimeText('5y', NOW)).toEqual({ ok: false, reason: 'format' });
  });
});
