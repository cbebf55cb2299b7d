import { describe, expect, it } from 'vitest';
import { analyzeUsers, DEFAULT_OPTIONS, type Experiment, type VariantUsers } from '../src/index.js';
import { binomial, seededRandom } from './random.js';

const experiment: Experiment = {
  id: 'e1',
  name: 'cuped-sim',
  description: null,
  controlStrategy: 'a',
  treatmentStrategy: 'b',
  variants: [
    { name: 'control', strategy: 'a', weight: 0.5 },
    { name: 'treatment', strategy: 'b', weight: 0.5 },
  ],
  assignmentRatio: 0.5,
  metrics: ['completion_rate'],
  minSampleSize: 100,
  startDate: 0,
  endDate: null,
  status: 'running',
  salt: 's',
  options: { ...DEFAULT_OPTIONS },
  createdAt: 0,
};

/**
 * Users with a true propensity p ~ Uniform(0.2, 0.9); 8 invocations before the experiment give
 * their pre-period rate, 8 outcomes during it their in-experiment rate (treatment adds 0.03 to p).
 * corr(pre rate, in-experiment rate) = var(p)/(var(p) + E[p(1−p)]/8) = 0.0408/0.0667 = 0.61.
 */
function simulatedUsers(random: () => number, usersPerArm: number, effect: number): VariantUsers[] {
  return ['control', 'treatment'].map((variant, arm) => {
    const rate = new Float64Array(usersPerArm);
    const pre = new Float64Array(usersPerArm);
    for (let i = 0; i < usersPerArm; i++) {
      const p = 0.2 + 0.7 * random();
      pre[i] = binomial(random, 8, p) / 8;
      rate[i] = binomial(random, 8, p + arm * effect) / 8;
    }
    const nan = new Float64Array(usersPerArm).fill(Number.NaN);
    return {
      variant,
      assigned: usersPerArm,
      completionRate: rate,
      meanLogDuration: nan,
      meanRating: nan,
      preCompletionRate: pre,
      preMeanLogDuration: nan,
    };
  });
}

describe('CUPED on 1,000 simulated experiments (1,000 users per arm, true effect +0.03)', () => {
  const random = seededRandom(7);
  const effect = 0.03;
  const adjusted: number[] = [];
  const raw: number[] = [];
  const reductions: number[] = [];
  const correlations: number[] = [];
  for (let s = 0; s < 1000; s++) {
    const data = simulatedUsers(random, 1000, effect);
    const c = analyzeUsers(experiment, data).comparisons[0]!;
    adjusted.push(c.difference);
    raw.push(c.cuped!.unadjustedDifference);
    reductions.push(c.cuped!.varianceReduction);
    if (s < 50)
      correlations.push(
        correlation(
          concat(data[0]!.preCompletionRate, data[1]!.preCompletionRate),
          concat(data[0]!.completionRate, data[1]!.completionRate),
        ),
      );
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = (xs: number[]) => {
    const m = mean(xs);
    return xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1);
  };

  it('simulates users whose pre-period rate correlates about 0.6 with their in-experiment rate', () => {
    expect(mean(correlations)).toBeGreaterThan(0.55);
    expect(mean(correlations)).toBeLessThan(0.65);
  });

  it('is unbiased: the mean adjusted estimate is within one standard error of the true effect', () => {
    const standardError = Math.sqrt(variance(adjusted) / adjusted.length);
    // README: mean 0.02997 (unadjusted 0.02983), SE 0.00029.
    expect(Math.abs(mean(adjusted) - effect)).toBeLessThanOrEqual(standardError);
  });

  it('lowers the variance of the estimate by at least 30%', () => {
    const reduction = 1 - variance(adjusted) / variance(raw);
    // README: 34.0% lower across simulations; 37.5% reported per experiment on average (corr 0.614).
    expect(reduction).toBeGreaterThanOrEqual(0.3);
    expect(mean(reductions)).toBeGreaterThanOrEqual(0.3);
  });
});

function concat(a: Float64Array, b: Float64Array): number[] {
  return [...a, ...b];
}

function correlation(x: number[], y: number[]): number {
  const mx = x.reduce((a, b) => a + b, 0) / x.length;
  const my = y.reduce((a, b) => a + b, 0) / y.length;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}
