import type { IsotonicCalibration, Stacking } from './calibration.js';
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
  model: ProbabilityMetrics;
  /** The skill's historical completion rate (smoothed, from earlier invocations only). */
  baseline: ProbabilityMetrics;
  /** model AUC − baseline AUC, and baseline Brier − model Brier (positive = the model is better). */
  improvement: { auc: number; brier: number; logLoss: number };
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
  /** Blends the calibrated forest with the baseline (see `fitStacking`). */
  stacking: Stacking;
  /** Per feature, the value used as "typical" when explaining a prediction (median of the fitting rows). */
  reference: number[];
  aggregates: SavedAggregates;
}
