import { METRICS, type AnalysisOptions, type Experiment, type MetricName } from './experiment.js';
import { betaPosterior, compareBetaPosteriors, type BayesianComparison } from './stats/beta-binomial.js';
import { checkCount, checkFinite, checkNonNegative, checkSameLength, fail } from './stats/checks.js';
import { mannWhitneyFromCounts, type MannWhitneyResult } from './stats/mann-whitney.js';
import { adjustPValues } from './stats/multiple-comparisons.js';
import { powerOfDifference, sampleSizePerVariant } from './stats/power.js';
import { meanDifferenceZTest, wilsonInterval } from './stats/proportions.js';
import { sequentialTest } from './stats/sequential.js';
import { sampleRatioMismatch } from './stats/srm.js';
import type { SampleSummary } from './stats/summary.js';
import { welchTTest } from './stats/welch.js';
import { cupedFromSums, summaryOfSums, variantSumsOf } from './sufficient-stats.js';
import type { CupedReport, ExperimentAnalysis, MetricComparison, VariantSummary, VariantSums, VariantUsers } from './types.js';
import { decideVerdicts } from './verdict.js';

/** Users with pre-exposure history needed before CUPED is used. */
const MIN_CUPED_USERS = 20;

/**
 * The analysis of per-user values (typed arrays, one entry per user), a pure function; the same
 * as `analyzeExperiment` computes from the store.
 * @example analyzeUsers(experiment, [controlUsers, treatmentUsers]).verdict
 */
export function analyzeUsers(experiment: Experiment, data: readonly VariantUsers[]): ExperimentAnalysis {
  return analyzeSums(experiment, data.map(variantSumsOf));
}

/** The analysis itself, from per-variant sums (what the store computes in SQL). */
export function analyzeSums(experiment: Experiment, data: readonly VariantSums[]): ExperimentAnalysis {
  checkVariantSums(experiment, data);
  const options = experiment.options;
  const control = data[0]!;
  const srm = sampleRatioMismatch(
    data.map((d) => d.assigned),
    experiment.variants.map((v) => v.weight),
  );
  const comparisons: MetricComparison[] = [];
  for (const treatment of data.slice(1)) {
    for (const metric of experiment.metrics) comparisons.push(compare(metric, control, treatment, options));
  }
  // A comparison with no testable data (p = 1 by construction) would only dilute the others.
  const family = comparisons.filter((c) => c.inFamily);
  const adjusted = adjustPValues(
    family.map((c) => (options.mode === 'sequential' ? c.sequentialPValue : c.pValue)),
    options.correction,
  );
  family.forEach((c, i) => {
    c.adjustedPValue = adjusted[i]!;
    c.significant = adjusted[i]! < options.alpha;
  });
  const variants = experiment.variants.map((v, i) => summarizeVariant(v, data[i]!));
  const primaryMetric = experiment.metrics[0]!;
  const decided = decideVerdicts({
    srm,
    comparisons: comparisons.filter((c) => c.metric === primaryMetric),
    minSampleSize: experiment.minSampleSize,
    mode: options.mode,
    power: options.power,
    controlName: control.variant,
  });
  return {
    experimentId: experiment.id,
    name: experiment.name,
    status: experiment.status,
    mode: options.mode,
    alpha: options.alpha,
    correction: options.correction,
    familySize: family.length,
    primaryMetric,
    variants,
    srm,
    comparisons,
    ...decided,
  };
}

/** Sums that cannot come from real users (negative, NaN, more successes than users) are refused. */
function checkVariantSums(experiment: Experiment, data: readonly VariantSums[]): void {
  checkSameLength('data', data, 'experiment.variants', experiment.variants);
  data.forEach((d, i) => {
    const at = `data[${i}]`;
    checkCount(`${at}.assigned`, d.assigned);
    for (const metric of METRICS) {
      const s = d.metrics[metric];
      const field = `${at}.metrics.${metric}`;
      checkCount(`${field}.n`, s.n);
      checkCount(`${field}.nX`, s.nX);
      if (s.nX > s.n) fail(`${field}.nX`, `users with history (${s.nX}) cannot exceed users (${s.n})`);
      for (const key of ['sumY', 'sumY2', 'sumX', 'sumX2', 'sumXY', 'sumYWithX'] as const) checkFinite(`${field}.${key}`, s[key]);
      if (metric === 'completion_rate' && !(s.sumY >= 0 && s.sumY <= s.n)) {
        fail(`${field}.sumY`, `a sum of completion rates must be between 0 and the users (${s.n}) (got ${s.sumY})`);
      }
      checkNonNegative(`${field}.sumY2`, s.sumY2);
      checkNonNegative(`${field}.sumX2`, s.sumX2);
    }
  });
}

function compare(metric: MetricName, control: VariantSums, treatment: VariantSums, options: AnalysisOptions): MetricComparison {
  const c = control.metrics[metric];
  const t = treatment.metrics[metric];
  const rawC = summaryOfSums(c);
  const rawT = summaryOfSums(t);
  const unadjustedSe = Math.sqrt(rawC.variance / rawC.n + rawT.variance / rawT.n);

  let sc: SampleSummary = rawC;
  let st: SampleSummary = rawT;
  let cuped: CupedReport | null = null;
  // Ratings have no pre-exposure counterpart.
  if (options.cuped && metric !== 'rating' && rawC.n > 1 && rawT.n > 1) {
    const result = cupedFromSums(c, t);
    const applied = result.usersWithHistory >= MIN_CUPED_USERS && result.varianceReduction > 0;
    cuped = {
      applied,
      usersWithHistory: result.usersWithHistory,
      theta: result.theta,
      varianceReduction: result.varianceReduction,
      unadjustedDifference: rawT.mean - rawC.mean,
      unadjustedStandardError: unadjustedSe,
    };
    if (applied) {
      sc = result.control;
      st = result.treatment;
    }
  }

  const higherIsBetter = metric !== 'duration';
  const mde = options.minDetectableEffect[metric];
  const z = meanDifferenceZTest(sc.mean, sc.variance / sc.n, st.mean, st.variance / st.n, 1 - options.alpha);
  const welch = metric === 'completion_rate' ? null : welchTTest(sc, st, 1 - options.alpha);
  const required = sampleSizePerVariant(sc.variance, st.variance, mde, options.alpha, options.power);
  const enough = sc.n >= 2 && st.n >= 2;
  const planned =
    options.plannedUsersPerVariant ?? (Number.isFinite(required) && required > 0 ? Math.ceil(required) : Math.min(sc.n, st.n));
  const informationFraction = Math.min(sc.n, st.n) / planned;
  const variance = z.standardError ** 2;
  const sequential = enough
    ? sequentialTest(z.difference, variance, variance * informationFraction, options.alpha)
    : { pValue: 1, confidenceSequence: { lower: Number.NEGATIVE_INFINITY, upper: Number.POSITIVE_INFINITY } };

  let relativeLift = z.relativeLift;
  let relativeLiftInterval = z.relativeLiftInterval;
  if (metric === 'duration') {
    const interval = welch?.differenceInterval ?? z.differenceInterval;
    relativeLift = Math.exp(z.difference) - 1;
    relativeLiftInterval = { lower: Math.exp(interval.lower) - 1, upper: Math.exp(interval.upper) - 1 };
  }
  let bayesian: BayesianComparison | null = null;
  if (metric === 'completion_rate' && rawC.n > 0 && rawT.n > 0) {
    bayesian = compareBetaPosteriors(betaPosterior(c.sumY, c.n), betaPosterior(t.sumY, t.n));
  }
  return {
    metric,
    variant: treatment.variant,
    controlUsers: rawC.n,
    treatmentUsers: rawT.n,
    controlMean: rawC.mean,
    treatmentMean: rawT.mean,
    difference: z.difference,
    relativeLift,
    differenceInterval: welch?.differenceInterval ?? z.differenceInterval,
    relativeLiftInterval,
    standardError: z.standardError,
    pValue: enough ? (welch ? welch.pValue : z.pValue) : 1,
    sequentialPValue: enough ? sequential.pValue : 1,
    confidenceSequence: sequential.confidenceSequence,
    plannedUsersPerVariant: planned,
    informationFraction,
    inFamily: enough,
    adjustedPValue: 1,
    significant: false,
    higherIsBetter,
    welch,
    mannWhitney: metric === 'duration' && enough ? durationRanks(control, treatment) : null,
    bayesian,
    cuped,
    minDetectableEffect: mde,
    power: enough ? powerOfDifference(mde, z.standardError, options.alpha) : 0,
    requiredUsersPerVariant: enough ? Math.ceil(required) : Number.NaN,
    additionalUsersNeeded: enough ? Math.max(0, Math.ceil(required) - Math.min(sc.n, st.n)) : Number.NaN,
  };
}

function durationRanks(control: VariantSums, treatment: VariantSums): MannWhitneyResult {
  const values = [...new Set([...control.durationCounts.keys(), ...treatment.durationCounts.keys()])].sort((a, b) => a - b);
  return mannWhitneyFromCounts(
    values,
    values.map((v) => control.durationCounts.get(v) ?? 0),
    values.map((v) => treatment.durationCounts.get(v) ?? 0),
  );
}

function summarizeVariant(variant: Experiment['variants'][number], sums: VariantSums): VariantSummary {
  const rate = summaryOfSums(sums.metrics.completion_rate);
  const logDuration = summaryOfSums(sums.metrics.duration);
  const rating = summaryOfSums(sums.metrics.rating);
  return {
    name: variant.name,
    strategy: variant.strategy,
    weight: variant.weight,
    assigned: sums.assigned,
    usersWithOutcomes: rate.n,
    completionRate: rate.n > 0 ? rate.mean : Number.NaN,
    completionRateInterval: wilsonInterval(sums.metrics.completion_rate.sumY, rate.n),
    geometricMeanDurationSeconds: logDuration.n > 0 ? Math.exp(logDuration.mean) : null,
    meanRating: rating.n > 0 ? rating.mean : null,
  };
}
