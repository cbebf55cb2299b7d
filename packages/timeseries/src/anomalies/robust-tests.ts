/**
 * The robust method's three tests. Each compares one window of hours with the same hours on
 * earlier days (see references.ts) and turns the evidence into a score with the right
 * distribution for the metric: binomial for rates, negative binomial for counts, Student's t
 * on log durations. All three widen their null distribution by the spread seen between
 * reference days and by the uncertainty of the baseline itself, so a noisy or small skill needs
 * more evidence before it is flagged.
 */
import {
  binomialLogCdf,
  binomialLogSf,
  negativeBinomialLogCdf,
  negativeBinomialLogSf,
  normalQuantileFromLog,
  studentTLogTail,
} from '../math/distributions.js';
import { median, medianAbsoluteDeviation, trimmedMean, weightedMedian } from '../math/robust.js';
import type { DenseSeries } from '../series.js';
import { clampScore, type Judgement } from './judgement.js';
import { windowSum, type References } from './references.js';

export interface RobustTestOptions {
  minReferenceDays: number;
  /** Smallest change in completion rate (absolute, 0–1) worth an alert. */
  minRateChange: number;
  /** Smallest ratio (observed/baseline or its inverse) of volume worth an alert. */
  minCountRatio: number;
  /** Smallest absolute change in invocations over the window worth an alert. */
  minCountChange: number;
  /** Smallest ratio of durations worth an alert. */
  minDurationRatio: number;
}

/** Median of χ²(1): scales a median of squared z-scores to a variance ratio. */
const CHI2_1_MEDIAN = 0.454936;
/** Least between-day spread assumed for volumes (10%): real traffic is never purely Poisson. */
const MIN_VOLUME_SPREAD = 0.1;
/** Least between-day spread assumed for mean log durations. */
const MIN_DURATION_SPREAD = 0.05;
/** Least per-invocation spread of log durations. */
const MIN_LOG_DURATION_SD = 0.1;

/** Score of an observation in the lower tail (ln P(X ≤ x)) or upper tail (ln P(X ≥ x)). */
function lowerScore(logP: number): number {
  return clampScore(Math.min(0, normalQuantileFromLog(logP)));
}
function upperScore(logP: number): number {
  return clampScore(Math.max(0, -normalQuantileFromLog(logP)));
}

/**
 * Completion rate: is `completed of count` in the window plausible for the reference rate?
 * A quasi-binomial test: the binomial tail with sample size divided by a design effect that
 * covers between-day overdispersion (estimated robustly from the references) and the
 * uncertainty of the baseline rate. One failure in two calls is never significant; 40 failures
 * in 200 after a 2% baseline is overwhelming.
 */
export function judgeRate(series: DenseSeries, refs: References, options: RobustTestOptions): Judgement | undefined {
  const n = windowSum(series.count, refs.end, refs.hours);
  if (n === 0) return undefined;
  const c = windowSum(series.completed, refs.end, refs.hours);
  const refN: number[] = [];
  const refC: number[] = [];
  for (const end of refs.ends) {
    const ni = windowSum(series.count, end, refs.hours);
    if (ni > 0) {
      refN.push(ni);
      refC.push(windowSum(series.completed, end, refs.hours));
    }
  }
  if (refN.length < options.minReferenceDays) return undefined;
  const total = refN.reduce((a, b) => a + b, 0);
  const rates = refN.map((ni, i) => (refC[i] as number) / ni);
  const center = Math.min(1 - 0.5 / total, Math.max(0.5 / total, weightedMedian(rates, refN)));
  const squared = refN.map((ni, i) => ((refC[i] as number) - ni * center) ** 2 / (ni * center * (1 - center)));
  const dispersion = median(squared) / CHI2_1_MEDIAN;
  const typicalN = median(refN);
  // Intra-hour correlation ρ: variance n·p·q·(1 + (n − 1)ρ), as in a beta-binomial.
  const rho = typicalN > 1 ? Math.min(0.25, Math.max(0, (dispersion - 1) / (typicalN - 1))) : 0;
  let keptN = 0;
  let keptC = 0;
  for (let i = 0; i < refN.length; i++) {
    const ni = refN[i] as number;
    // A reference day that was itself an incident must not set the baseline.
    if ((squared[i] as number) / (1 + (ni - 1) * rho) <= 16) {
      keptN += ni;
      keptC += refC[i] as number;
    }
  }
  const p0 = (keptC + 0.5) / (keptN + 1);
  const designEffect = 1 + (n - 1) * rho + (n * (1 + (typicalN - 1) * rho)) / keptN;
  const nEff = n / designEffect;
  const cEff = c / designEffect;
  const observed = c / n;
  const score = observed < p0 ? lowerScore(binomialLogCdf(cEff, nEff, p0)) : upperScore(binomialLogSf(cEff, nEff, p0));
  return {
    metric: 'completion_rate',
    hours: refs.hours,
    observed,
    baseline: p0,
    score,
    material: Math.abs(observed - p0) >= options.minRateChange,
    sample: n,
    completed: c,
    references: refN.length,
    sameDayType: refs.sameDayType,
  };
}

/**
 * Volume: is the window's invocation count plausible given the same hours on reference days?
 * Negative binomial around a trimmed mean of the references, its extra-Poisson spread estimated
 * from their median absolute deviation (at least 10%), widened for the baseline's own error.
 */
export function judgeCount(series: DenseSeries, refs: References, options: RobustTestOptions): Judgement | undefined {
  const scale = refs.volumeScale;
  if (scale === undefined || refs.ends.length < options.minReferenceDays) return undefined;
  const x = windowSum(series.count, refs.end, refs.hours);
  const values = refs.ends.map((end, i) => windowSum(series.count, end, refs.hours) * (scale[i] as number));
  const k = values.length;
  // A skill silent at these hours still gets a small expected count, never exactly zero.
  const mean = Math.max(trimmedMean(values, 0.2), 0.5 / k);
  const sd = 1.4826 * medianAbsoluteDeviation(values, median(values));
  const spread2 = Math.max(MIN_VOLUME_SPREAD ** 2, (sd * sd - mean) / (mean * mean));
  const variance = (mean + spread2 * mean * mean) * (1 + 1.2 / k);
  const size = (mean * mean) / (variance - mean);
  const score = x < mean ? lowerScore(negativeBinomialLogCdf(x, mean, size)) : upperScore(negativeBinomialLogSf(x, mean, size));
  const material =
    x >= mean
      ? x >= mean * options.minCountRatio && x - mean >= options.minCountChange
      : x * options.minCountRatio <= mean && mean - x >= options.minCountChange;
  return {
    metric: 'invocation_count',
    hours: refs.hours,
    observed: x / refs.hours,
    baseline: mean / refs.hours,
    score,
    material,
    sample: x,
    references: k,
    sameDayType: refs.sameDayType,
  };
}

/**
 * Duration: is the window's mean duration plausible? Compared on a log scale with the
 * count-weighted median of the reference days; the spread per timed completion and between days
 * is estimated robustly, and the test is Student's t with (reference days − 1) degrees of freedom.
 */
export function judgeDuration(series: DenseSeries, refs: References, options: RobustTestOptions): Judgement | undefined {
  const n = windowSum(series.timed, refs.end, refs.hours);
  if (n === 0) return undefined;
  const mean = windowSum(series.durationSum, refs.end, refs.hours) / n;
  const logs: number[] = [];
  const weights: number[] = [];
  for (const end of refs.ends) {
    const ni = windowSum(series.timed, end, refs.hours);
    if (ni > 0) {
      logs.push(Math.log(Math.max(1e-3, windowSum(series.durationSum, end, refs.hours) / ni)));
      weights.push(ni);
    }
  }
  const k = logs.length;
  if (k < options.minReferenceDays) return undefined;
  const center = weightedMedian(logs, weights);
  const perInvocation = median(logs.map((y, i) => (weights[i] as number) * (y - center) ** 2)) / CHI2_1_MEDIAN;
  const s2 = Math.max(MIN_LOG_DURATION_SD ** 2, perInvocation);
  const total = weights.reduce((a, b) => a + b, 0);
  const between = MIN_DURATION_SPREAD ** 2;
  // The median's variance is about π/2 times the mean's.
  const variance = s2 / n + between + (Math.PI / 2) * (s2 / total + between / k);
  const t = (Math.log(Math.max(1e-3, mean)) - center) / Math.sqrt(variance);
  const logOneSided = studentTLogTail(t, k - 1);
  const score = t < 0 ? lowerScore(logOneSided) : upperScore(logOneSided);
  const baseline = Math.exp(center);
  const ratio = mean / baseline;
  return {
    metric: 'avg_duration_seconds',
    hours: refs.hours,
    observed: mean,
    baseline,
    score,
    material: ratio >= options.minDurationRatio || ratio * options.minDurationRatio <= 1,
    sample: n,
    references: k,
    sameDayType: refs.sameDayType,
  };
}
