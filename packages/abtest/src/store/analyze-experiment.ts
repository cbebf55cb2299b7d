import type { Store } from '@skills/storage';
import { analyzeSums } from '../analyze-users.js';
import type { Clock, ExperimentAnalysis, ExperimentRef } from '../types.js';
import { getExperiment } from './experiments.js';
import { fillPreExposureStats } from './pre-exposure-stats.js';
import { loadVariantSums } from './variant-sums.js';

/**
 * Analyses an experiment: one grouped scan of its per-user rows gives every sum the tests need;
 * if some users still lack their pre-exposure covariate, one grouped query fills it (once per
 * user) and the scan is repeated. Every treatment is compared with control on every metric.
 * @example const result = await analyzeExperiment(store, 'search-v2'); result.verdict // 'keep_running'
 */
export async function analyzeExperiment(store: Store, ref: ExperimentRef, clock: Clock = {}): Promise<ExperimentAnalysis> {
  const experiment = await getExperiment(store, ref);
  const names = experiment.variants.map((v) => v.name);
  let sums = await loadVariantSums(store, experiment.id, names);
  if (experiment.options.cuped && sums.some((s) => s.pendingCovariates > 0)) {
    await fillPreExposureStats(store, experiment.id, clock.now ?? Date.now());
    sums = await loadVariantSums(store, experiment.id, names);
  }
  return analyzeSums(experiment, sums);
}
