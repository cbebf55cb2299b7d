import { describe, expect, it } from 'vitest';
import { leaveOneOutMedians, median, seededRandom, trimmedMean, trimmedVarianceRatio, weightedMedian } from '../src/index.js';

describe('robust statistics', () => {
  it('median of odd and even counts, leaving the input untouched', () => {
    const values = [5, 1, 4, 2, 3];
    expect(median(values)).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(values).toEqual([5, 1, 4, 2, 3]);
    expect(median([])).toBeNaN();
  });

  it('weightedMedian: equal weights give the median; weight pulls it; zero weights are ignored', () => {
    expect(weightedMedian([1, 2, 3, 4], [1, 1, 1, 1])).toBe(2.5);
    expect(weightedMedian([0.5, 0.9, 0.95], [1, 10, 1])).toBe(0.9);
    expect(weightedMedian([0.1, 0.9], [0, 3])).toBe(0.9);
    expect(weightedMedian([1, 2], [0, 0])).toBeNaN();
  });

  it('leaveOneOutMedians gives each value the median of the others', () => {
    const out = leaveOneOutMedians([1, 2, 3, 4, 100], 5, new Float64Array(5));
    expect([...out]).toEqual([3.5, 3.5, 3, 2.5, 2.5]);
    expect([...leaveOneOutMedians([7, 7, 7], 3, new Float64Array(3))]).toEqual([7, 7, 7]);
  });

  it('trimmedMean drops the extremes', () => {
    expect(trimmedMean([1, 2, 3, 4, 1000], 0.2)).toBe(3);
  });

  it('trimmedVarianceRatio is about 1 for squared standard normals, even with 1% wild values', () => {
    const random = seededRandom(9);
    const squares: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const z = Math.sqrt(-2 * Math.log(Math.max(1e-12, random()))) * Math.cos(2 * Math.PI * random());
      squares.push(z * z);
    }
    expect(trimmedVarianceRatio(squares)).toBeCloseTo(1, 1);
    const contaminated = squares.map((s, i) => (i % 100 === 0 ? 1e6 : s));
    expect(Math.abs(trimmedVarianceRatio(contaminated) - 1)).toBeLessThan(0.1);
  });
});
