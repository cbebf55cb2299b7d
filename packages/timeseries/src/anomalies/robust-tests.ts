/**
 * The robust method's three tests. Each compares one window of hours with the same hours on
 * earlier days (references.ts) and turns the evidence into a score with a distribution that
 * fits the metric: binomial for rates, negative binomial for counts, Student's t on log
 * durations. All three widen the null distribution by the noise seen between days (spread.ts)
 * and by the uncertainty of the baseline itself, so a small or noisy skill needs more evidence.
 */
import {
  betaBinomialLogCdf,
  betaBinomialLogSf,
  binomialLogCdf,
  binomialLogSf,
  negativeBinomialLogCdf,
  negativeBinomialLogSf,
  normalQuantileFromLog,
  studentTLogTail,
  trimmedMean,
  weightedMedian,
} from '@skills/stats';
import type { DenseSeries } from '../series.js';
import { clampScore, type Judgement, type NotJudged } from './judgement.js';
import { referenceVolume, windowSum, type References } from './references.js';
import { describeNotJudged } from './reason.js';
import type { Spread } from './spread.js';

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

/** Least relative between-day spread assumed for volumes (10%): real traffic is never purely Poisson. */
const MIN_VOLUME_SPREAD = 0.15;
/** Least between-day spread assumed for mean log durations (5%). */
const MIN_DURATION_SPREAD = 0.05;
/** Least per-completion spread of log durations. */
const MIN_LOG_DURATION_SD = 0.1;
/**
 * Up to this many calls in the window, a completion rate is judged by the exact beta-binomial
 * tail rather than the quasi-binomial: where a few calls make the count coarse, dividing them by a
 * design effect misstates the tail (both ways). Above it the two agree and the exact sum costs more.
 */
const EXACT_RATE_MAX_CALLS = 100;
/** Weight of the observed count in the exact tail: 0.5, the mid-p (counting it whole makes a discrete test conservative). */
const RATE_TAIL_WEIGHT = 0.5;
/** A reference day this far out (in z², after overdispersion) is an earlier incident: left out. */
const OUTLIER_Z2 = 16;

/**
 * Log-scale variance assumed for the weekend/weekday ratio when there is no history of the judged
 * day type yet (a factor of about 1.6 either way): volumes are then compared with the other day
 * type's unscaled, upward only.
 */
const UNKNOWN_RATIO_LOG_VARIANCE = 0.5 ** 2;

/** Scratch space for reference values, reused across calls (judging is synchronous). */
let refN = new Float64Array(64);
let refC = new Float64Array(64);
let refRate = new Float64Array(64);

function ensure(k: number): void {
  if (refN.length >= k) return;
  refN = new Float64Array(k * 2);
  refC = new Float64Array(k * 2);
  refRate = new Float64Array(k * 2);
}

function lowerScore(logP: number): number {
  return clampScore(Math.min(0, normalQuantileFromLog(logP)));
}
function upperScore(logP: number): number {
  return clampScore(Math.max(0, -normalQuantileFromLog(logP)));
}

/** Sum of `values` over the `hours` hours ending at `end`, the hours before the series' start counting as empty. */
function sumFrom(values: Float64Array, end: number, hours: number): number {
  let sum = 0;
  for (let i = Math.max(0, end - hours + 1); i <= end; i++) sum += values[i] as number;
  return sum;
}

/**
 * The reference days with data for a metric: each day's window at these exact hours, or, when
 * fewer than `minReferenceDays` days have data there, each day's window widened by one hour on
 * either side (still a day or more before the judged hours). `weights` counts what a day's value
 * rests on (invocations, or timed completions); `sums` is what is averaged (completions, or
 * summed durations).
 */
function referenceDays(
  weights: Float64Array,
  sums: Float64Array,
  refs: References,
  minDays: number,
): { k: number; total: number; pooled: boolean } {
  ensure(refs.ends.length);
  for (const pooled of [false, true]) {
    // Pooling must not reach the judged hours (only possible with windows of 23 hours or more).
    if (pooled && refs.hours + 2 > 24) break;
    const end = (refEnd: number) => (pooled ? refEnd + 1 : refEnd);
    const hours = pooled ? refs.hours + 2 : refs.hours;
    let k = 0;
    let total = 0;
    for (const refEnd of refs.ends) {
      const ni = sumFrom(weights, end(refEnd), hours);
      if (ni > 0) {
        refN[k] = ni;
        refC[k] = sumFrom(sums, end(refEnd), hours);
        total += ni;
        k += 1;
      }
    }
    if (k >= minDays) return { k, total, pooled };
    if (pooled) return { k, total, pooled };
  }
  return { k: 0, total: 0, pooled: false };
}

function notJudged(
  metric: Judgement['metric'],
  refs: References,
  code: NotJudged['code'],
  days: number,
  options: RobustTestOptions,
): NotJudged {
  return { metric, hours: refs.hours, code, reason: describeNotJudged(metric, refs.hours, code, days, options.minReferenceDays) };
}

/**
 * Completion rate: is `completed of count` in the window plausible for the reference rate?
 * Up to 100 calls, the exact predictive tail: a beta-binomial whose rate varies by the
 * overdispersion between hours (ρ) and the uncertainty of the baseline rate, mid-p. Above, a
 * quasi-binomial test with the same variance: the binomial tail with the sample divided by a
 * design effect. One failure in two calls is never significant; 40 failures in 200 after a 2%
 * baseline is overwhelming.
 */
export function judgeRate(series: DenseSeries, refs: References, spread: Spread, options: RobustTestOptions): Judgement | NotJudged {
  const n = windowSum(series.count, refs.end, refs.hours);
  if (n === 0) return notJudged('completion_rate', refs, 'no_data', 0, options);
  if (refs.ends.length < options.minReferenceDays) return notJudged('completion_rate', refs, 'young_history', refs.ends.length, options);
  const rho = spread.rateCorrelation;
  const c = windowSum(series.completed, refs.end, refs.hours);
  const { k, total, pooled } = referenceDays(series.count, series.completed, refs, options.minReferenceDays);
  if (k < options.minReferenceDays) return notJudged('completion_rate', refs, 'thin_references', k, options);
  for (let i = 0; i < k; i++) refRate[i] = (refC[i] as number) / (refN[i] as number);
  const center = Math.min(1 - 0.5 / total, Math.max(0.5 / total, weightedMedian(refRate, refN, k)));
  let keptN = 0;
  let keptC = 0;
  let kept = 0;
  for (let i = 0; i < k; i++) {
    const ni = refN[i] as number;
    const ci = refC[i] as number;
    const z2 = (ci - ni * center) ** 2 / (ni * center * (1 - center) * (1 + (ni - 1) * rho));
    if (z2 <= OUTLIER_Z2) {
      keptN += ni;
      keptC += ci;
      kept += 1;
    }
  }
  const typicalN = keptN / Math.max(1, kept);
  const p0 = (keptC + 0.5) / (keptN + 1);
  const referenceEffect = 1 + (typicalN - 1) * rho;
  const observed = c / n;
  let score: number;
  if (n <= EXACT_RATE_MAX_CALLS) {
    // Few calls: the exact predictive distribution of the count, a beta-binomial whose rate varies
    // by the hour's overdispersion and the baseline's own uncertainty, with the mid-p tail
    // (a discrete test that counts the observed value whole is conservative at these counts).
    const phi = Math.min(0.99, rho + referenceEffect / (keptN + 1));
    const concentration = 1 / phi - 1;
    const a = p0 * concentration;
    const b = (1 - p0) * concentration;
    score =
      observed < p0
        ? lowerScore(betaBinomialLogCdf(c, n, a, b, RATE_TAIL_WEIGHT))
        : upperScore(betaBinomialLogSf(c, n, a, b, RATE_TAIL_WEIGHT));
  } else {
    // Many calls: a quasi-binomial, the sample divided by the same design effect.
    const designEffect = 1 + (n - 1) * rho + (n * referenceEffect) / (keptN + 1);
    const nEff = n / designEffect;
    const cEff = c / designEffect;
    score = observed < p0 ? lowerScore(binomialLogCdf(cEff, nEff, p0)) : upperScore(binomialLogSf(cEff, nEff, p0));
  }
  return {
    metric: 'completion_rate',
    hours: refs.hours,
    observed,
    baseline: p0,
    score,
    material: Math.abs(observed - p0) >= options.minRateChange,
    sample: n,
    completed: c,
    references: k,
    sameDayType: refs.sameDayType,
    pooled,
  };
}

/**
 * Volume: is the window's invocation count plausible given the same hours on reference days?
 * Negative binomial around a trimmed mean of the references, with the between-day spread seen
 * at this time of day (at least 15%), widened for the baseline's own error and for the
 * uncertainty of the weekend/weekday ratio where references of the other day type were rescaled.
 * With no history of the judged day type at all, volumes are compared with the other type's
 * unscaled and only a rise is judged: weekends are usually quieter, so a weekend hour below the
 * weekday references says nothing.
 */
export function judgeCount(series: DenseSeries, refs: References, spread: Spread, options: RobustTestOptions): Judgement | NotJudged {
  const k = refs.ends.length;
  if (k < options.minReferenceDays) return notJudged('invocation_count', refs, 'young_history', k, options);
  ensure(k);
  let rescaled = 0;
  let unknown = false;
  for (let j = 0; j < k; j++) {
    const reference = referenceVolume(series, refs, refs.ends[j] as number);
    refN[j] = reference.volume;
    rescaled += reference.rescaled;
    unknown ||= reference.unknown;
  }
  const x = windowSum(series.count, refs.end, refs.hours);
  // A skill silent at these hours still gets a small expected count, never exactly zero.
  const mean = Math.max(trimmedMean(refN, 0.2, k), 0.5 / k);
  if (unknown && x < mean) return notJudged('invocation_count', refs, 'no_day_type_history', k, options);
  const share = rescaled / (k * refs.hours);
  const ratioVariance = (unknown ? UNKNOWN_RATIO_LOG_VARIANCE : refs.weekendRatioLogVariance) * share * share;
  const spread2 = Math.max(MIN_VOLUME_SPREAD ** 2, spread.volumeSpread2) + ratioVariance;
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
 * Variance of the log of a mean of `n` log-normal durations whose logs have variance `sigma2`
 * (Fenton–Wilkinson): σ²/n for small σ, but a few long runs dominate a small sample, so the log
 * of its mean is both noisier and lower than that of a large sample, by half this variance.
 */
function logMeanVariance(sigma2: number, n: number): number {
  return Math.log1p(Math.expm1(sigma2) / Math.max(1, n));
}

/**
 * Duration: is the window's mean duration plausible? Compared on a log scale with the
 * count-weighted median of the reference days, as Student's t, with the per-completion spread
 * seen at this time of day plus a between-day spread. Durations are skewed (log-normal), so the
 * mean of 2 completions sits lower, on the log scale, than the mean of 50: each value is set
 * against what a mean of its own size is expected to be, or every quiet hour would look fast.
 */
export function judgeDuration(series: DenseSeries, refs: References, spread: Spread, options: RobustTestOptions): Judgement | NotJudged {
  const n = windowSum(series.timed, refs.end, refs.hours);
  if (n === 0) return notJudged('avg_duration_seconds', refs, 'no_data', 0, options);
  if (refs.ends.length < options.minReferenceDays)
    return notJudged('avg_duration_seconds', refs, 'young_history', refs.ends.length, options);
  const mean = windowSum(series.durationSum, refs.end, refs.hours) / n;
  const { k, total, pooled } = referenceDays(series.timed, series.durationSum, refs, options.minReferenceDays);
  if (k < options.minReferenceDays) return notJudged('avg_duration_seconds', refs, 'thin_references', k, options);
  // The spread is per completion at the references' typical size: back to the spread of one log duration.
  const s2 = Math.max(MIN_LOG_DURATION_SD ** 2, spread.logDurationVariance);
  const typicalN = Math.max(1, spread.durationTypicalN);
  const sigma2 = Math.log1p(typicalN * Math.expm1(s2 / typicalN));
  // Each reference day's log mean, moved to the log of the expected duration.
  for (let i = 0; i < k; i++) {
    const ni = refN[i] as number;
    refRate[i] = Math.log(Math.max(1e-3, (refC[i] as number) / ni)) + logMeanVariance(sigma2, ni) / 2;
  }
  const center = weightedMedian(refRate, refN, k);
  const ownVariance = logMeanVariance(sigma2, n);
  const expected = center - ownVariance / 2;
  // The floor keeps a little between-day spread for big samples, where per-completion noise vanishes.
  const between = MIN_DURATION_SPREAD ** 2;
  // A median's variance is about π/2 times a mean's.
  const variance = ownVariance + between + (Math.PI / 2) * (logMeanVariance(sigma2, total) + between / k);
  const t = (Math.log(Math.max(1e-3, mean)) - expected) / Math.sqrt(variance);
  const logTail = studentTLogTail(t, spread.logDurationDf);
  const score = t < 0 ? lowerScore(logTail) : upperScore(logTail);
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
    pooled,
  };
}
