import { describe, expect, it } from 'vitest';
import { bucketOf, quantileFromHistogram, parseHistogram, serializeHistogram } from '../src/rollups/duration-histogram.js';
import { seededRandom } from './helpers.js';

describe('duration histogram', () => {
  it('puts durations in log-spaced buckets four per doubling, clamping both ends', () => {
    expect(bucketOf(0)).toBe(0);
    expect(bucketOf(0.001)).toBe(0);
    expect(bucketOf(0.002)).toBe(4);
    expect(bucketOf(1)).toBe(39); // log2(1000) * 4 = 39.86
    expect(bucketOf(1e9)).toBe(95);
  });

  it('round-trips through its JSON text with buckets in order', () => {
    const text = serializeHistogram(
      new Map([
        [12, 3],
        [4, 1],
      ]),
    );
    expect(text).toBe('{"4":1,"12":3}');
    expect([...parseHistogram(text)]).toEqual([
      [4, 1],
      [12, 3],
    ]);
  });

  it('estimates p50 and p95 of log-normal durations within 9% of the exact values', () => {
    const random = seededRandom(3);
    const values = Array.from({ length: 5000 }, () => {
      const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
      return Math.exp(1 + 0.8 * normal);
    }).sort((a, b) => a - b);
    const histogram = new Map<number, number>();
    for (const value of values) histogram.set(bucketOf(value), (histogram.get(bucketOf(value)) ?? 0) + 1);
    for (const q of [0.5, 0.95]) {
      const exact = values[Math.ceil(q * values.length) - 1]!;
      const estimate = quantileFromHistogram(histogram, q)!;
      expect(Math.abs(estimate / exact - 1)).toBeLessThan(0.09);
    }
    expect(quantileFromHistogram(new Map(), 0.95)).toBeNull();
  });
});
