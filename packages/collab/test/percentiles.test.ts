import { describe, expect, it } from 'vitest';
import { effectivenessPercentiles } from '../src/index.js';

describe('effectivenessPercentiles', () => {
  it('places three distinct rates at 16.67, 50 and 83.33', () => {
    const result = effectivenessPercentiles(
      new Map([
        ['lint', 0.9],
        ['test', 0.5],
        ['deploy', 0.2],
      ]),
    );
    expect(result.get('deploy')).toBeCloseTo(100 / 6, 12);
    expect(result.get('test')).toBe(50);
    expect(result.get('lint')).toBeCloseTo(500 / 6, 12);
  });

  it('gives tied rates the same percentile: lower share plus half the ties', () => {
    const result = effectivenessPercentiles(
      new Map([
        ['a', 0.1],
        ['b', 0.6],
        ['c', 0.6],
        ['d', 0.9],
      ]),
    );
    // b and c: 1 lower of 4, 2 ties → (1 + 1) / 4 = 50.
    expect([...result.values()]).toEqual([12.5, 50, 50, 87.5]);
  });

  it('puts a lone skill at 50', () => {
    expect(effectivenessPercentiles(new Map([[7, 0.3]])).get(7)).toBe(50);
  });

  it('returns an empty map for no skills', () => {
    expect(effectivenessPercentiles(new Map()).size).toBe(0);
  });

  it('rejects a rate outside [0, 1], naming the skill', () => {
    expect(() => effectivenessPercentiles(new Map([['lint', 1.2]]))).toThrow(/skill lint/);
  });
});
