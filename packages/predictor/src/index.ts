export { trainPredictor, MIN_INVOCATIONS, PROBABILITY_FLOOR, type TrainOptions, type TrainProgress } from './train.js';
export { predictSuccess, type PredictionInput, type Prediction, type PredictionFactor, type FactorName } from './predict.js';
export { savePredictor, loadPredictor, listPredictors } from './model-store.js';
export type { PredictorModel, EvaluationReport, TrainingSettings } from './model.js';
export { FEATURE_NAMES, FEATURE_VERSION, PHASES, type FeatureName } from './features.js';
export { DEFAULT_FOREST_OPTIONS, type ForestOptions } from './forest.js';
export {
  rocAuc,
  brierScore,
  logLoss,
  calibrationTable,
  expectedCalibrationError,
  LOG_LOSS_EPS,
  type ProbabilityMetrics,
  type CalibrationBin,
} from './metrics.js';
export { fitIsotonic, applyIsotonic, fitStacking, applyStacking, type IsotonicCalibration, type Stacking } from './calibration.js';
export { fitAdditive, poolCells, additiveLogit, type AdditiveModel, type AdditiveCells, type AdditivePenalty } from './additive-model.js';
export { clusterUsers, countUsage, type UsageClusters, type UsageCounts } from './usage-clusters.js';
export type { ContextSelection, SavedContextLayer } from './context-layer.js';
export { PredictorError, InsufficientDataError, FeatureVersionError } from './errors.js';
export { ValidationError, NotFoundError } from '@skills/storage';
