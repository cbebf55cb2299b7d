export {
  createExperiment,
  getExperiment,
  listExperiments,
  stopExperiment,
  completeExperiment,
  assign,
  type Assignment,
  type ExperimentRef,
  type Clock,
} from './store.js';
export { recordOutcome, recordOutcomes, outcomeSchema, type OutcomeInput, type UserOutcomeInput, type RecordOutcomesResult } from './outcomes.js';
export { analyzeExperiment } from './analyze-experiment.js';
export {
  analyzeUsers,
  analyzeSums,
  type ExperimentAnalysis,
  type MetricComparison,
  type VariantSummary,
  type CupedReport,
} from './analyze-users.js';
export { fillPreExposureStats, loadVariantSums, loadVariantUsers, variantSumsOf, DURATION_RANK_RESOLUTION, type VariantUsers, type VariantSums } from './queries.js';
export { cupedFromSums, sumsOf, summaryOfSums, type MetricSums, type CupedFromSums } from './sufficient-stats.js';
export { decideVerdicts, type Verdict, type VariantVerdict } from './verdict.js';
export {
  experimentInputSchema,
  DEFAULT_OPTIONS,
  METRICS,
  type Experiment,
  type ExperimentInput,
  type ExperimentStatus,
  type AnalysisOptions,
  type MetricName,
  type Variant,
} from './experiment.js';
export { assignmentPoint, chooseVariant } from './assignment.js';
export { cupedAdjust, type CupedAdjustment } from './cuped.js';
export { wilsonInterval, twoProportionZTest, meanDifferenceZTest, type Interval, type DifferenceTest } from './stats/proportions.js';
export { welchTTest, type WelchResult } from './stats/welch.js';
export { mannWhitneyU, mannWhitneyFromCounts, type MannWhitneyResult } from './stats/mann-whitney.js';
export { betaPosterior, compareBetaPosteriors, type BetaPosterior, type BayesianComparison } from './stats/beta-binomial.js';
export { msprt, type MsprtResult } from './stats/msprt.js';
export { sequentialTest, type SequentialResult } from './stats/sequential.js';
export { sampleRatioMismatch, SRM_THRESHOLD, type SrmResult } from './stats/srm.js';
export { powerOfDifference, sampleSizePerVariant } from './stats/power.js';
export { adjustPValues, type Correction } from './stats/multiple-comparisons.js';
export { summarize, type SampleSummary } from './stats/summary.js';
export { ConflictError, NotFoundError, ValidationError } from './errors.js';
