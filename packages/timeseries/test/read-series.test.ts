import { describe, expect, it } from 'vitest';
import { histogramLogSquares, unpackHours } from '../src/store/read-series.js';

const FIELD = '\x1f';
const RECORD = '\x1e';
const pack = (...hours: (string | number)[][]) => hours.map((fields) => fields.join(FIELD)).join(RECORD);

describe('unpackHours (the packed rows of readHours)', () => {
  it('reads every field exactly: integers, the mean duration as the database printed it, the histogram in place', () => {
    const histogram = '{"39":7,"43":6,"47":6}';
    const text = pack(
      [1767600000000, 20, 19, 19, 0.1 + 0.2, histogram],
      [1767603600000, 3, 0, 0, '', ''],
      [1767607200000, 1, 1, 1, '1.0e-05', ''],
      [-3600000, 12, 10, 8, '2.263157894736842', ''],
    );
    expect(unpackHours(text)).toEqual([
      {
        ts: 1767600000000,
        count: 20,
        completed: 19,
        avgDuration: 0.30000000000000004,
        durationCount: 19,
        logDurationSquares: histogramLogSquares(histogram, 19),
      },
      { ts: 1767603600000, count: 3, completed: 0, avgDuration: null, durationCount: 0, logDurationSquares: null },
      { ts: 1767607200000, count: 1, completed: 1, avgDuration: 0.00001, durationCount: 1, logDurationSquares: null },
      { ts: -3600000, count: 12, completed: 10, avgDuration: 2.263157894736842, durationCount: 8, logDurationSquares: null },
    ]);
    expect(unpackHours(text)[0]?.logDurationSquares).toBeGreaterThan(0);
  });

  it('reads a histogram in the middle of the text as it reads it alone, and one that does not match its count as unknown', () => {
    const text = pack([0, 4, 4, 4, 2, '{"10":2,"12":2}'], [3600000, 4, 4, 4, 2, '{"10":3}']);
    const [first, second] = unpackHours(text);
    expect(first?.logDurationSquares).toBe(histogramLogSquares('{"10":2,"12":2}', 4));
    expect(first?.logDurationSquares).toBeCloseTo(4 * (Math.LN2 / 4) ** 2, 12);
    expect(second?.logDurationSquares).toBeNull();
  });

  it('fails loudly on a text that is not packed hours, rather than misreading it', () => {
    expect(() => unpackHours(pack([1767600000000, '20.0', 19, 19, 1, '']))).toThrow(/expected an integer at 16/);
    expect(unpackHours('')).toEqual([]);
  });
});
