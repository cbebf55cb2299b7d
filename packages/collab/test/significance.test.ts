import { describe, expect, it } from 'vitest';
import { binomialTwoSidedPValue, compareRate } from '../src/index.js';

// Reference values from SciPy 1.10.1 on Python 3.11.2:
//   /usr/bin/python3 -c 'import scipy.stats as s; print(s.binomtest(k, n, p).pvalue)'
const scipy: [k: number, n: number, p: number, pValue: number][] = [
  [2, 3, 0.8, 0.4879999999999999],
  [0, 10, 0.5, 0.001953125],
  [3, 10, 0.5, 0.34375],
  [5, 10, 0.5, 1.0],
  [20, 100, 0.3, 0.02896126040830757],
  [45, 50, 0.8, 0.07883064215278116],
  [1, 20, 0.3, 0.012775421309321397],
  [60, 200, 0.25, 0.10297644047580304],
  [7, 7, 0.6, 0.046835199999999994],
  [0, 5, 0.1, 1.0],
];

describe('binomialTwoSidedPValue', () => {
  it.each(scipy)('matches scipy.stats.binomtest(%i, %i, %f) to 1e-12', (k, n, p, expected) => {
    expect(binomialTwoSidedPValue(k, n, p)).toBeCloseTo(expected, 12);
  });

  it('handles the degenerate baselines 0 and 1', () => {
    expect(binomialTwoSidedPValue(0, 4, 0)).toBe(1);
    expect(binomialTwoSidedPValue(1, 4, 0)).toBe(0);
    expect(binomialTwoSidedPValue(4, 4, 1)).toBe(1);
    expect(binomialTwoSidedPValue(3, 4, 1)).toBe(0);
  });
});

describe('compareRate', () => {
  it('does not call 2 of 3 against a 0.8 baseline below average', () => {
    const result = compareRate(2, 3, 0.8);
    expect(result.userRate).toBe(2 / 3);
    expect(result.globalRate).toBe(0.8);
    expect(result.difference).toBe(2 / 3 - 0.8);
    expect(result.pValue).toBeCloseTo(0.488, 12);
    expect(result.significant).toBe(false);
    expect(result.verdict).toBe('indistinguishable');
  });

  it('calls 20 of 100 against 0.3 significantly below', () => {
    const result = compareRate(20, 100, 0.3);
    expect(result.pValue).toBeCloseTo(0.02896126040830757, 12);
    expect(result.significant).toBe(true);
    expect(result.verdict).toBe('below');
  });

  it('calls 7 of 7 against 0.6 significantly above', () => {
    expect(compareRate(7, 7, 0.6).verdict).toBe('above');
  });

  it('honours a custom alpha', () => {
    expect(compareRate(20, 100, 0.3, { alpha: 0.01 }).significant).toBe(false);
  });

  it('rejects impossible counts and rates, naming the field', () => {
    expect(() => compareRate(1, 0, 0.5)).toThrow(/userTotal/);
    expect(() => compareRate(4, 3, 0.5)).toThrow(/userCompleted/);
    expect(() => compareRate(1, 3, 1.5)).toThrow(/globalRate/);
  });
});
