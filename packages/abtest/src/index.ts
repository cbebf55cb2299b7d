// The API the README documents. The store's loaders, the zod schemas and the helpers behind
// the analysis are internal (import them from src/ in this package's tests) and free to change.

// Experiments, assignment and outcomes in the store.
export { createExperiment, getExperiment, listExperiments, stopExperiment, completeExperiment } from './store/experiments.js';
export { assign, type Assignment } from './store/assign.js';
export {
  recordOutcome,
  recordOutcomes,
  type OutcomeInput,
  type UserOutcomeInput,
  type RecordOutcomesResult,
} from './store/record-outcomes.js';
export { analyzeExperiment } from './store/analyze-experiment.js';

// The same analysis as pure functions, and the pure assignment.
export { analyzeUsers, analyzeSums } from './analyze-users.js';
export { assignmentPoint, chooseVariant } from './assignment.js';
export {
  DEFAULT_OPTIONS,
  METRICS,
  type AnalysisOptions,
  type Experiment,
  type ExperimentInput,
  type ExperimentStatus,
  type MetricName,
  type Variant,
} from './experiment.js';
export type {
  Clock,
  ExperimentAnalysis,
  ExperimentRef,
  MetricComparison,
  Verdict,
  VariantSummary,
  VariantSums,
  VariantUsers,
} from './types.js';

// Statistics: pure functions over numbers and typed arrays.
export { cupedAdjust } from './cuped.js';
export { cupedFromSums, type MetricSums } from './sufficient-stats.js';
export { wilsonInterval, twoProportionZTest, meanDifferenceZTest, type Interval } from './stats/proportions.js';
export { welchTTest } from './stats/welch.js';
export { mannWhitneyU, mannWhitneyFromCounts } from './stats/mann-whitney.js';
export { betaPosterior, compareBetaPosteriors, type BetaPosterior } from './stats/beta-binomial.js';
export { msprt } from './stats/msprt.js';
export { sequentialTest } from './stats/sequential.js';
export { sampleRatioMismatch } from './stats/srm.js';
export { powerOfDifference, sampleSizePerVariant } from './stats/power.js';
export { adjustPValues, type Correction } from './stats/multiple-comparisons.js';
export type { SampleSummary } from './stats/summary.js';

export { ConflictError, NotFoundError, ValidationError } from './errors.js';
