import { describe, expect, it } from 'vitest';
import { analyzeUsers, DEFAULT_OPTIONS, type AnalysisOptions, type Experiment, type VariantUsers } from '../src/index.js';

function experiment(options: Partial<AnalysisOptions> = {}, minSampleSize = 100): Experiment {
  return {
    id: 'e',
    name: 'e',
    description: null,
    controlStrategy: 'a',
    treatmentStrategy: 'b',
    variants: [
      { name: 'control', strategy: 'a', weight: 0.5 },
      { name: 'treatment', strategy: 'b', weight: 0.5 },
    ],
    assignmentRatio: 0.5,
    metrics: ['completion_rate'],
    minSampleSize,
    startDate: 0,
    endDate: null,
    status: 'running',
    salt: 's',
    options: { ...DEFAULT_OPTIONS, ...options },
    createdAt: 0,
  };
}

/** `users` users per arm with one outcome each: the first round(rate·users) complete. */
function arms(users: number, controlRate: number, treatmentRate: number): VariantUsers[] {
  return [controlRate, treatmentRate].map((rate, arm) => {
    const completion = new Float64Array(users);
    for (let i = 0; i < Math.round(rate * users); i++) completion[i] = 1;
    const nan = new Float64Array(users).fill(Number.NaN);
    return {
      variant: arm === 0 ? 'control' : 'treatment',
      assigned: users,
      completionRate: completion,
      meanLogDuration: nan,
      meanRating: nan,
      preCompletionRate: nan,
      preMeanLogDuration: nan,
    };
  });
}

describe('the verdict rule', () => {
  it('keeps running below the minimum sample size, however large the difference', () => {
    const r = analyzeUsers(experiment({}, 100), arms(50, 0.2, 0.9));
    expect(r.verdict).toBe('keep_running');
    expect(r.reason).toBe('treatment: 50 users with outcomes in the smaller group, 100 needed before any verdict');
  });

  it('declares control the winner when treatment is significantly worse', () => {
    const r = analyzeUsers(experiment(), arms(2000, 0.6, 0.5));
    expect(r).toMatchObject({ verdict: 'control_wins', winner: 'control' });
  });

  it('sequential: no difference once the confidence sequence lies within ±MDE', () => {
    const r = analyzeUsers(experiment(), arms(20000, 0.6, 0.6));
    expect(r.comparisons[0]!.confidenceSequence.upper).toBeLessThan(0.05);
    expect(r.verdict).toBe('no_difference');
  });

  it('sequential: keeps running while the confidence sequence still reaches the MDE', () => {
    const r = analyzeUsers(experiment(), arms(300, 0.6, 0.62));
    expect(r.verdict).toBe('keep_running');
  });

  it('fixed: no difference once the planned power is reached; keep running before, with users still needed', () => {
    const enough = analyzeUsers(experiment({ mode: 'fixed' }), arms(2000, 0.6, 0.6));
    expect(enough.verdict).toBe('no_difference');
    const early = analyzeUsers(experiment({ mode: 'fixed' }), arms(300, 0.6, 0.6));
    expect(early.verdict).toBe('keep_running');
    // (1.959964 + 0.841621)²·2·0.24·(300/299)/0.05² = 1512.0… → 1513 per variant, 1213 more.
    expect(early.comparisons[0]!.requiredUsersPerVariant).toBe(1513);
    expect(early.comparisons[0]!.additionalUsersNeeded).toBe(1213);
  });

  it('reports the Bayesian chance to beat control and the Wilson interval per variant', () => {
    const r = analyzeUsers(experiment(), arms(1000, 0.12, 0.15));
    expect(r.comparisons[0]!.bayesian!.chanceToBeatControl).toBeCloseTo(0.97507, 4);
    expect(r.variants[0]!.completionRateInterval.lower).toBeCloseTo(0.1012993, 6); // Wilson formula in NumPy, z = norm.ppf(0.975)
  });
});
