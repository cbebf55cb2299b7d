import { analyzeSums, DEFAULT_OPTIONS, type AnalysisOptions, type Experiment, type VariantSums } from '../src/index.js';
import { binomial, seededRandom } from './random.js';

/** A two-arm experiment on completion rate only, as analyzeSums sees it. */
export function completionExperiment(options: Partial<AnalysisOptions> = {}, minSampleSize = 100): Experiment {
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

/** The sums the store computes for `n` users with one 0/1 outcome each, `successes` of them 1. */
export function binarySums(variant: string, successes: number, n: number): VariantSums {
  const empty = { n: 0, sumY: 0, sumY2: 0, nX: 0, sumX: 0, sumX2: 0, sumXY: 0, sumYWithX: 0 };
  return {
    variant,
    assigned: n,
    metrics: { completion_rate: { ...empty, n, sumY: successes, sumY2: successes }, duration: { ...empty }, rating: { ...empty } },
    durationCounts: new Map(),
    pendingCovariates: 0,
  };
}

export interface LookSimulation {
  experiments: number;
  looks: number;
  usersPerLook: number;
  pControl: number;
  pTreatment: number;
  options?: Partial<AnalysisOptions>;
  seed: number;
}

/**
 * Experiments analysed after every batch of users (a "daily look") through analyzeSums itself:
 * the share that was ever significant at any look (what a team that stops at the first
 * significant look ships), and the share significant at the last look only.
 */
export function simulateLooks(s: LookSimulation): { everSignificant: number; lastLookSignificant: number } {
  const random = seededRandom(s.seed);
  const experiment = completionExperiment(s.options, 1);
  let ever = 0;
  let last = 0;
  for (let e = 0; e < s.experiments; e++) {
    let sc = 0;
    let st = 0;
    let fired = false;
    let final = false;
    for (let look = 1; look <= s.looks; look++) {
      sc += binomial(random, s.usersPerLook, s.pControl);
      st += binomial(random, s.usersPerLook, s.pTreatment);
      const n = look * s.usersPerLook;
      const significant = analyzeSums(experiment, [binarySums('control', sc, n), binarySums('treatment', st, n)]).comparisons[0]!
        .significant;
      if (significant) fired = true;
      final = significant;
    }
    if (fired) ever++;
    if (final) last++;
  }
  return { everSignificant: ever / s.experiments, lastLookSignificant: last / s.experiments };
}
