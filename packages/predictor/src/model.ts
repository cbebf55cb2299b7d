import type { IsotonicCalibration, Stacking } from './calibration.js';
import type { ContextSelection, SavedContextLayer } from './context-layer.js';
import type { SavedAggregates } from './features.js';
import type { ForestJson, ForestOptions } from './forest.js';
import type { ProbabilityMetrics } from './metrics.js';

/** How the model and the baseline did on the held-out most recent invocations. */
export interface EvaluationReport {
  rows: { total: number; fit: number; calibration: number; test: number };
  /** invoked_at range of the test slice (epoch ms). */
  testPeriod: { from: number; to: number };
  /** Share of completed invocations in the test slice. */
  testCompletionRate: number;
  /**
   * As deployed: the test slice scored with everything frozen where the older rows left it (the
   * tallies, the usage clusters, the additive model refitted on all older rows), as a saved model
   * scores until it is retrained.
   */
  model: ProbabilityMetrics;
  /** The skill's historical completion rate (smoothed), frozen likewise. */
  baseline: ProbabilityMetrics;
  /** Both again with the tallies updated after every test row (the skill rate keeps learning). */
  running: { model: ProbabilityMetrics; baseline: ProbabilityMetrics };
  /** Frozen model vs frozen baseline: AUC gain, Brier and log-loss reduction, ECE reduction (positive = the model is better). */
  improvement: { auc: number; brier: number; logLoss: number; ece: number };
  /** Usage clusters and interaction penalty chosen on the calibration slice. */
  context: ContextSelection;
  trainingMs: number;
}

export interface TrainingSettings extends ForestOptions {
  smoothing: number;
  testFraction: number;
  calibrationFraction: number;
  since: number;
  until: number;
}

/** A trained predictor: plain, JSON-serialisable data. */
export interface PredictorModel {
  /** Set when saved (1, 2, …); null for a model not saved yet. */
  version: number | null;
  featureVersion: number;
  trainedAt: number;
  trainingRows: number;
  features: string[];
  options: TrainingSettings;
  metrics: EvaluationReport;
  forest: ForestJson;
  calibration: IsotonicCalibration;
  /** Blends the calibrated forest, the context model and the baseline, in that order (see `fitStacking`). */
  stacking: Stacking;
  /** The additive context model (skill × phase, skill × 3-hour block, usage cluster × skill), refitted on all rows. */
  context: SavedContextLayer;
  /** Per feature, the value used as "typical" when explaining a prediction (median of the fitting rows). */
  reference: number[];
  aggregates: SavedAggregates;
}
