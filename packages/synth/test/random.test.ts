import { describe, expect, it } from 'vitest';
import { createRandom } from '../src/index.js';

function draws(seed: number, count: number, stream?: number): number[] {
  const random = stream === undefined ? createRandom(seed) : createRandom(seed, stream);
  return Array.from({ length: count }, () => random.next());
}

describe('createRandom', () => {
  it('produces the documented sequence for seed 42', () => {
    const random = createRandom(42);
    expect(random.next()).toBe(0.09343458875082433);
    expect(random.next()).toBe(0.3258408224210143);
    expect(random.int(6)).toBe(2);
  });

  it('repeats the same sequence for the same seed', () => {
    expect(draws(7, 1000)).toEqual(draws(7, 1000));
  });

  it('gives different sequences for neighbouring seeds, negative seeds and large seeds', () => {
    const sequences = [0, 1, -1, 2 ** 40, 2 ** 40 + 1].map((seed) => draws(seed, 4).join());
    expect(new Set(sequences).size).toBe(5);
  });

  it('gives an independent stream per stream number', () => {
    expect(createRandom(42, 1).next()).toBe(0.1290312430355698);
    expect(draws(42, 4, 1)).not.toEqual(draws(42, 4, 2));
  });

  it('keeps next() in [0, 1) with a uniform mean and spread', () => {
    const values = draws(3, 100_000);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const belowTenth = values.filter((v) => v < 0.1).length / values.length;
    expect(mean).toBeCloseTo(0.5, 2);
    expect(belowTenth).toBeCloseTo(0.1, 2);
  });

  it('draws int(n) over exactly 0 … n−1', () => {
    const random = createRandom(5);
    const seen = new Set(Array.from({ length: 10_000 }, () => random.int(6)));
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('draws standard normal variates', () => {
    const random = createRandom(11);
    const values = Array.from({ length: 100_000 }, () => random.normal());
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
    expect(mean).toBeCloseTo(0, 1);
    expect(variance).toBeCloseTo(1, 1);
  });

  it('shuffles into a permutation without touching the input', () => {
    const input = [1, 2, 3, 4, 5, 6, 7, 8];
    const shuffled = createRandom(2).shuffle(input);
    expect(input).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect([...shuffled].sort()).toEqual(input);
    expect(shuffled).not.toEqual(input);
  });

  it('picks only elements of the array, and refuses an empty one', () => {
    const random = createRandom(9);
    expect(['a', 'b']).toContain(random.pick(['a', 'b']));
    expect(() => random.pick([])).toThrow(RangeError);
  });

  it('rejects a seed that is not a safe integer', () => {
    expect(() => createRandom(1.5)).toThrow(new RangeError('seed must be a safe integer (got 1.5)'));
    expect(() => createRandom(Number.NaN)).toThrow(RangeError);
  });
});
