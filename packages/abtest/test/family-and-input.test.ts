import { describe, expect, it } from 'vitest';
import {
  adjustPValues,
  analyzeSums,
  betaPosterior,
  mannWhitneyFromCounts,
  sampleRatioMismatch,
  twoProportionZTest,
  ValidationError,
  welchTTest,
  wilsonInterval,
  type VariantSums,
} from '../src/index.js';
import { binarySums, completionExperiment } from './simulate-looks.js';

function fieldOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues[0]!.field;
  }
  throw new Error('expected a ValidationError');
}

/** `users` users per arm rating exactly `rating`, for the rating metric only. */
function ratingSums(variant: string, users: number, rating: number): VariantSums {
  const s = binarySums(variant, 0, users);
  return {
    ...s,
    metrics: {
      ...s.metrics,
      rating: { n: users, sumY: users * rating, sumY2: users * rating * rating, nX: 0, sumX: 0, sumX2: 0, sumXY: 0, sumYWithX: 0 },
    },
  };
}

describe('the multiple-comparison family', () => {
  // 600/2000 vs 665/2000 users completing, one outcome each, fixed mode.
  const data = [binarySums('control', 600, 2000), binarySums('treatment', 665, 2000)];

  it('leaves out a metric with no data: the default metrics give the same p as completion rate alone', () => {
    const alone = analyzeSums(completionExperiment({ mode: 'fixed' }), data);
    const defaults = analyzeSums({ ...completionExperiment({ mode: 'fixed' }), metrics: ['completion_rate', 'duration'] }, data);
    // Reference: statsmodels 0.13.5 (Debian) CompareMeans(DescrStatsW(t), DescrStatsW(c)).ztest_ind(usevar='unequal')
    // on the 0/1 per-user values: z 2.210935947159063, p 0.027040272944958605.
    for (const r of [alone, defaults]) {
      expect(r.comparisons[0]!.pValue).toBeCloseTo(0.027040272944958605, 12);
      expect(r.comparisons[0]!.adjustedPValue).toBeCloseTo(0.027040272944958605, 12);
      expect(r.familySize).toBe(1);
      expect(r.verdict).toBe('treatment_wins');
    }
    const duration = defaults.comparisons[1]!;
    expect(duration).toMatchObject({ metric: 'duration', inFamily: false, significant: false, adjustedPValue: 1 });
  });

  it('the completion-rate p is the z-test on per-user values with n − 1 variances, not the unpooled two-proportion test', () => {
    // statsmodels 0.13.5 test_proportions_2indep(665, 2000, 600, 2000, method='wald'): p 0.02700200048969549;
    // the per-user test divides each variance by n − 1 instead of n, so it is slightly larger.
    const p = analyzeSums(completionExperiment({ mode: 'fixed' }), data).comparisons[0]!.pValue;
    expect(p).not.toBeCloseTo(0.02700200048969549, 6);
    expect(p).toBeGreaterThan(0.02700200048969549);
  });
});

describe('zero variance in both groups', () => {
  const data = [ratingSums('control', 200, 4), ratingSums('treatment', 200, 5)];
  const experiment = (mode: 'fixed' | 'sequential') => ({ ...completionExperiment({ mode }), metrics: ['rating' as const] });

  it('Welch: a difference between two constant groups is certain', () => {
    const r = welchTTest({ n: 200, mean: 4, variance: 0 }, { n: 200, mean: 5, variance: 0 });
    expect(r).toMatchObject({ pValue: 0, statistic: Number.POSITIVE_INFINITY, differenceInterval: { lower: 1, upper: 1 } });
    expect(welchTTest({ n: 200, mean: 4, variance: 0 }, { n: 200, mean: 4, variance: 0 }).pValue).toBe(1);
  });

  it('fixed and sequential modes agree: treatment wins', () => {
    for (const mode of ['fixed', 'sequential'] as const) {
      const r = analyzeSums(experiment(mode), data);
      expect(r.comparisons[0]!.pValue).toBe(0);
      expect(r.verdict, mode).toBe('treatment_wins');
    }
  });
});

describe('impossible input to the pure functions is refused, naming the argument', () => {
  it('sampleRatioMismatch', () => {
    expect(fieldOf(() => sampleRatioMismatch([-1, 5], [0.5, 0.5]))).toBe('observed[0]');
    expect(fieldOf(() => sampleRatioMismatch([10, 5, 3], [0.5, 0.5]))).toBe('observed');
    expect(fieldOf(() => sampleRatioMismatch([10, 5], [0.5, Number.NaN]))).toBe('weights[1]');
    expect(fieldOf(() => sampleRatioMismatch([10.5, 5], [0.5, 0.5]))).toBe('observed[0]');
  });

  it('adjustPValues', () => {
    expect(fieldOf(() => adjustPValues([0.01, Number.NaN], 'holm'))).toBe('pValues[1]');
    expect(fieldOf(() => adjustPValues([1.2], 'benjamini-hochberg'))).toBe('pValues[0]');
    expect(fieldOf(() => adjustPValues([0.1], 'bonferroni' as never))).toBe('method');
  });

  it('analyzeSums', () => {
    const good = binarySums('treatment', 10, 100);
    expect(fieldOf(() => analyzeSums(completionExperiment(), [binarySums('control', -1, 100), good]))).toBe(
      'data[0].metrics.completion_rate.sumY',
    );
    expect(fieldOf(() => analyzeSums(completionExperiment(), [binarySums('control', 101, 100), good]))).toBe(
      'data[0].metrics.completion_rate.sumY',
    );
    expect(fieldOf(() => analyzeSums(completionExperiment(), [good]))).toBe('data');
    expect(fieldOf(() => analyzeSums(completionExperiment(), [{ ...good, assigned: -3 }, good]))).toBe('data[0].assigned');
  });

  it('proportions, Welch, Beta and Mann–Whitney', () => {
    expect(fieldOf(() => twoProportionZTest(-1, 100, 5, 100))).toBe('controlSuccesses');
    expect(fieldOf(() => twoProportionZTest(5, 100, 150, 100))).toBe('treatmentSuccesses');
    expect(fieldOf(() => wilsonInterval(5, -1))).toBe('n');
    expect(fieldOf(() => welchTTest({ n: 10, mean: 1, variance: -1 }, { n: 10, mean: 1, variance: 1 }))).toBe('control.variance');
    expect(fieldOf(() => betaPosterior(-2, 10))).toBe('successes');
    expect(fieldOf(() => mannWhitneyFromCounts([1, 2], [1, -1], [0, 1]))).toBe('controlCounts[1]');
    expect(fieldOf(() => mannWhitneyFromCounts([1, 2], [1], [0, 1]))).toBe('controlCounts');
  });
});
