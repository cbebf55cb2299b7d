/**
 * The shapes the analysis passes around: what the store reads per variant (`VariantSums`, or
 * `VariantUsers` on the pure path), what one comparison and the whole analysis return, and how a
 * caller names an experiment and the time of a write. Types only, so the store functions and the
 * pure analysis can share them without importing each other.
 */
import type { AnalysisOptions, Experiment, MetricName } from './experiment.js';
import type { BayesianComparison } from './stats/beta-binomial.js';
import type { MannWhitneyResult } from './stats/mann-whitney.js';
import type { Correction } from './stats/multiple-comparisons.js';
import type { Interval } from './stats/proportions.js';
import type { SrmResult } from './stats/srm.js';
import type { WelchResult } from './stats/welch.js';
import type { MetricSums } from './sufficient-stats.js';

/** An experiment by id or by name, or the experiment itself. */
export type ExperimentRef = string | Experiment;

export interface Clock {
  /** Epoch ms used for the write (default Date.now()). */
  now?: number;
}

/** Per-user values of one variant, as typed arrays (one entry per user with outcomes). */
export interface VariantUsers {
  variant: string;
  /** Users assigned, with or without outcomes (the SRM check counts these). */
  assigned: number;
  /** Per user: completions / outcomes. */
  completionRate: Float64Array;
  /** Per user: mean ln(duration_seconds) over outcomes with a duration > 0; NaN when none. */
  meanLogDuration: Float64Array;
  /** Per user: mean rating; NaN when none. */
  meanRating: Float64Array;
  /** Pre-exposure completion rate; NaN when the user had no invocations before assignment. */
  preCompletionRate: Float64Array;
  /** Pre-exposure mean ln(duration); NaN when unknown. */
  preMeanLogDuration: Float64Array;
}

/** What an analysis needs of one variant: sums per metric and the distribution of durations. */
export interface VariantSums {
  variant: string;
  assigned: number;
  metrics: Record<MetricName, MetricSums>;
  /** Per-user mean ln(duration) → number of users with it (for Mann–Whitney ranks). */
  durationCounts: Map<number, number>;
  /** Users with outcomes whose pre-exposure covariate is not computed yet. */
  pendingCovariates: number;
}

export interface CupedReport {
  /** Whether the adjusted values were used (enough users had pre-exposure history). */
  applied: boolean;
  /** Users of the two variants whose covariate came from their own history (the rest get its mean). */
  usersWithHistory: number;
  theta: number;
  /** 1 − var(adjusted)/var(raw): the share of variance removed. */
  varianceReduction: number;
  unadjustedDifference: number;
  unadjustedStandardError: number;
}

/** One treatment against control on one metric. */
export interface MetricComparison {
  metric: MetricName;
  variant: string;
  controlUsers: number;
  treatmentUsers: number;
  /** Means per user: completion rate (0–1), mean ln(duration seconds), or mean rating. */
  controlMean: number;
  treatmentMean: number;
  /** treatment − control (CUPED-adjusted when `cuped.applied`). */
  difference: number;
  /** completion/rating: treatment/control − 1; duration: exp(difference) − 1, the change in geometric-mean duration. */
  relativeLift: number;
  differenceInterval: Interval;
  relativeLiftInterval: Interval;
  standardError: number;
  /** Fixed-horizon two-sided p: z-test (completion rate) or Welch t-test (duration, rating). */
  pValue: number;
  /** Always-valid p-value tuned to the planned sample size (`sequentialTest`), safe under any looking schedule. */
  sequentialPValue: number;
  confidenceSequence: Interval;
  /** Users per variant the sequential test is planned for (`options.plannedUsersPerVariant`, else `requiredUsersPerVariant`). */
  plannedUsersPerVariant: number;
  /** Smaller group's users / planned users per variant (the sequential test's information fraction). */
  informationFraction: number;
  /** Whether the comparison counts in the multiple-comparison family: false when either group has fewer than 2 users (nothing to test). */
  inFamily: boolean;
  /** The p-value of the analysis mode after the multiple-comparison correction. */
  adjustedPValue: number;
  significant: boolean;
  /** Whether a positive difference is good (false for duration). */
  higherIsBetter: boolean;
  welch: WelchResult | null;
  mannWhitney: MannWhitneyResult | null;
  bayesian: BayesianComparison | null;
  cuped: CupedReport | null;
  minDetectableEffect: number;
  /** Power now reached against the minimum detectable effect. */
  power: number;
  /** Users per variant a fixed-horizon test needs for that power. */
  requiredUsersPerVariant: number;
  additionalUsersNeeded: number;
}

export interface VariantSummary {
  name: string;
  strategy: string;
  weight: number;
  assigned: number;
  usersWithOutcomes: number;
  completionRate: number;
  /** Wilson 95 % interval, users as trials and the sum of their completion rates as successes. */
  completionRateInterval: Interval;
  /** Geometric mean of per-user mean durations (seconds); null without durations. */
  geometricMeanDurationSeconds: number | null;
  meanRating: number | null;
}

export interface ExperimentAnalysis {
  experimentId: string;
  name: string;
  status: Experiment['status'];
  mode: AnalysisOptions['mode'];
  alpha: number;
  correction: Correction;
  /** Comparisons in the corrected family: treatments × metrics that have at least 2 users in both groups. */
  familySize: number;
  primaryMetric: MetricName;
  variants: VariantSummary[];
  srm: SrmResult;
  comparisons: MetricComparison[];
  /** Per treatment, on the primary metric. */
  verdicts: VariantVerdict[];
  verdict: Verdict;
  /** The winning variant when verdict is treatment_wins or control_wins. */
  winner: string | null;
  reason: string;
}

export type Verdict = 'treatment_wins' | 'control_wins' | 'no_difference' | 'keep_running' | 'invalid_srm';

export interface VariantVerdict {
  variant: string;
  verdict: Verdict;
  reason: string;
}
