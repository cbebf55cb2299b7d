/**
 * How noisy a skill is at a given time of day, beyond pure sampling noise. Estimated once per
 * judged hour from single hours on its reference days — the same hour and its two neighbours —
 * by leave-one-out: each reference hour is compared with the median of the other reference days
 * at that hour of day, much as the judged hour will be compared with all of them, so no value is
 * compared with a centre it helped to set (which would make small samples look calmer than they
 * are). The squared, standardised deviations are averaged after dropping the largest 5%, so an
 * earlier incident among the references inflates neither the centre nor the spread (a median of
 * squares would do that too, but is biased for small discrete counts). With few values the
 * estimate is shrunk towards a mild prior (and is the prior when there is nothing to estimate from).
 *
 * Completion rates are the exception: a median of rates is 1 for a reliable skill whose hours are
 * mostly perfect, which made every single failure look like ten variances of noise. They use a
 * Pearson χ² against the pooled rate of each hour of day instead (quasi-binomial moments), with
 * the hours far out for the first estimate left out of the second.
 */
import { fisherLogSf, leaveOneOutMedians, median, trimmedVarianceRatio } from '@skills/stats';
import type { DenseSeries } from '../series.js';
import { volumeScale, type References } from './references.js';

/** A median's variance is about π/2 times a mean's. */
const MEDIAN_EFFICIENCY = Math.PI / 2;
/** Weight of the prior, in values: the estimate counts for m/(m + PRIOR_WEIGHT). */
const PRIOR_WEIGHT = 6;
const PRIOR_RATE_CORRELATION = 0.01;
const MAX_RATE_CORRELATION = 0.25;
/** A reference hour this far out (z², after overdispersion) is an earlier incident: left out of the rate spread. */
const OUTLIER_Z2 = 16;
const PRIOR_VOLUME_SPREAD2 = 0.15 ** 2;
const PRIOR_LOG_DURATION_VARIANCE = 0.5 ** 2;
/** ln 0.01: the F test's level for hourly mean durations that vary more between days than within hours. */
const LOG_DAY_TO_DAY_LEVEL = Math.log(0.01);

export interface Spread {
  /** Completion rate: intra-hour correlation ρ (variance n·p·q·(1 + (n − 1)ρ)); the prior without data. */
  rateCorrelation: number;
  /** Volume: squared relative between-day spread τ² (variance μ + τ²μ²); the prior without data. */
  volumeSpread2: number;
  /** Duration: variance of a log mean duration × its timed completions; the prior without data. */
  logDurationVariance: number;
  /** Degrees of freedom of the duration estimate, for the t test. */
  logDurationDf: number;
  /** Typical timed completions per reference hour behind `logDurationVariance` (1 without data). */
  durationTypicalN: number;
}

const shrink = (estimate: number, values: number, prior: number) => (values * estimate + PRIOR_WEIGHT * prior) / (values + PRIOR_WEIGHT);

/** Scratch space, reused across calls (judging is synchronous and not re-entrant). */
let size = 0;
let n = new Float64Array(0);
let values = new Float64Array(0);
let centres = new Float64Array(0);
let volume = new Float64Array(0);
let duration = new Float64Array(0);

function ensure(k: number): void {
  if (size >= k) return;
  size = Math.max(k, 64);
  n = new Float64Array(size);
  values = new Float64Array(size);
  centres = new Float64Array(size);
  grow(size * 3);
}

function grow(all: number): void {
  if (volume.length >= all) return;
  volume = new Float64Array(all);
  duration = new Float64Array(all);
}

/**
 * The spread for judging the window of `refs`, from the hours its references span on each
 * reference day with the hour either side (offsets −hours … +1 from each reference window's last
 * hour): the single hour's spread rests on 3 hours a day, a 3-hour window's on 5, an 8-hour
 * window's on 10, so a longer window is judged with the noise of the hours it covers, and with
 * more evidence about it.
 */
export function estimateSpread(series: DenseSeries, refs: References): Spread {
  const k = refs.ends.length;
  ensure(k);
  const first = -refs.hours;
  const last = 1;
  grow(k * (last - first + 1));
  let rateX2 = 0;
  let rateExpected = 0;
  let rateSlope = 0;
  let rateValues = 0;
  let volumes = 0;
  let durations = 0;
  let volumeMean = 0;
  let timedSum = 0;
  let timedGroups = 0;
  let volumeGroups = 0;
  let withinSquares = 0;
  let withinDf = 0;
  for (let offset = first; offset <= last; offset++) {
    // Completion rate: a Pearson χ² of each reference hour against the pooled rate of this hour
    // of day (its expectation under pure binomial noise is m − 1, whatever the rate), with the
    // hours far out for this spread (earlier incidents) left out in a second pass.
    let m = 0;
    for (let j = 0; j < k; j++) {
      const i = (refs.ends[j] as number) + offset;
      if (i < 0) continue;
      const ni = series.count[i] as number;
      if (ni === 0) continue;
      n[m] = ni;
      values[m] = series.completed[i] as number;
      m += 1;
    }
    if (m >= 2) {
      const first = pearson(n, values, m, Number.POSITIVE_INFINITY, 0);
      const kept = pearson(n, values, m, OUTLIER_Z2, correlationOf(first.x2, first.expected, first.slope));
      rateX2 += kept.x2;
      rateExpected += kept.expected;
      rateSlope += kept.slope;
      rateValues += kept.values;
    }
    // Volume, on the day type of the hour it stands for, against the median of the other days.
    // (Only the day type of `target` is used, never its data: no look-ahead.)
    const target = refs.end + offset;
    m = 0;
    for (let j = 0; j < k; j++) {
      const i = (refs.ends[j] as number) + offset;
      if (i < 0) continue;
      // With no history of the target's day type, unscaled, as the volume test then compares them.
      values[m] = (series.count[i] as number) * (volumeScale(series, refs, target, i) ?? 1);
      m += 1;
    }
    if (m >= 3) {
      const centre = median(values, m);
      if (centre > 0) {
        leaveOneOutMedians(values, m, centres);
        for (let j = 0; j < m; j++) {
          const others = Math.max(centres[j] as number, 0.5);
          volume[volumes] = ((values[j] as number) - others) ** 2 / (others * (1 + MEDIAN_EFFICIENCY / (m - 1)));
          volumes += 1;
        }
        volumeMean += centre;
        volumeGroups += 1;
      }
    }
    // Log duration against the median log duration of the other days with timed completions.
    m = 0;
    for (let j = 0; j < k; j++) {
      const i = (refs.ends[j] as number) + offset;
      if (i < 0) continue;
      const timed = series.timed[i] as number;
      if (timed === 0) continue;
      withinSquares += series.logSquares[i] as number;
      withinDf += series.logSquaresDf[i] as number;
      n[m] = timed;
      values[m] = Math.log(Math.max(1e-3, (series.durationSum[i] as number) / timed));
      m += 1;
    }
    if (m >= 3) {
      leaveOneOutMedians(values, m, centres);
      const typical = median(n, m);
      timedSum += typical;
      timedGroups += 1;
      for (let j = 0; j < m; j++) {
        duration[durations] =
          ((values[j] as number) - (centres[j] as number)) ** 2 / (1 / (n[j] as number) + MEDIAN_EFFICIENCY / (typical * (m - 1)));
        durations += 1;
      }
    }
  }
  const rateCorrelation = shrink(
    Math.min(MAX_RATE_CORRELATION, correlationOf(rateX2, rateExpected, rateSlope)),
    rateValues,
    PRIOR_RATE_CORRELATION,
  );
  const volumeSpread2 =
    volumes > 0
      ? shrink(Math.max(0, (trimmedVarianceRatio(volume, volumes) - 1) / (volumeMean / volumeGroups)), volumes, PRIOR_VOLUME_SPREAD2)
      : PRIOR_VOLUME_SPREAD2;
  return {
    rateCorrelation,
    volumeSpread2,
    ...durationSpread(durations, withinSquares, withinDf, timedGroups > 0 ? timedSum / timedGroups : 1),
  };
}

/**
 * The duration spread, per completion at the references' typical size, from two sources pooled
 * by their degrees of freedom with the prior: how hourly means differ between days (a 5%-trimmed
 * mean of m squares is worth about 0.8·m degrees of freedom) and, where the rollups know it, the
 * spread of log durations within each reference hour (timed − 1 each).
 */
function durationSpread(
  between: number,
  withinSquares: number,
  withinDf: number,
  typicalN: number,
): Pick<Spread, 'logDurationVariance' | 'logDurationDf' | 'durationTypicalN'> {
  const betweenValue = between > 0 ? trimmedVarianceRatio(duration, between) : 0;
  // Within-hour variance is of single log durations: into the variance of a log mean of typicalN, times typicalN.
  const withinValue = withinDf > 0 ? typicalN * Math.log1p(Math.expm1(withinSquares / withinDf) / typicalN) : 0;
  // Hourly means that differ between days by more than the spread within hours explains (an F
  // test at 1%: durations that depend on the day, the load, a deploy) are judged by the
  // between-day spread alone, which holds that extra noise; the within-hour spread would hide it.
  const dayToDay =
    between >= 3 &&
    withinDf > 0 &&
    betweenValue > withinValue &&
    fisherLogSf(betweenValue / Math.max(withinValue, 1e-12), 0.8 * between, withinDf) < LOG_DAY_TO_DAY_LEVEL;
  if (withinDf === 0 || dayToDay) {
    return {
      logDurationVariance: between > 0 ? shrink(betweenValue, between, PRIOR_LOG_DURATION_VARIANCE) : PRIOR_LOG_DURATION_VARIANCE,
      logDurationDf: Math.max(1, 0.8 * between + PRIOR_WEIGHT),
      durationTypicalN: typicalN,
    };
  }
  return {
    logDurationVariance:
      (between * betweenValue + withinDf * withinValue + PRIOR_WEIGHT * PRIOR_LOG_DURATION_VARIANCE) / (between + withinDf + PRIOR_WEIGHT),
    logDurationDf: 0.8 * between + withinDf + PRIOR_WEIGHT,
    durationTypicalN: typicalN,
  };
}

/**
 * Pearson χ² of completions `c[j] of n[j]` against their pooled rate, leaving out hours whose z²
 * (widened by `rho`) exceeds `limit`, with what it is expected to be under the quasi-binomial model
 * (variance n·p·q·(1 + (n − 1)ρ)): `expected + ρ·slope`. The pooled rate is the same for every
 * value, so unlike a median of rates it is not 1 for a reliable skill with a few failures.
 */
function pearson(
  n: Float64Array,
  c: Float64Array,
  m: number,
  limit: number,
  rho: number,
): { x2: number; expected: number; slope: number; values: number } {
  let total = 0;
  let completed = 0;
  for (let j = 0; j < m; j++) {
    total += n[j] as number;
    completed += c[j] as number;
  }
  let p = (completed + 0.5) / (total + 1);
  if (Number.isFinite(limit)) {
    // Pool only the hours that are not far out for this spread.
    let keptTotal = 0;
    let keptCompleted = 0;
    for (let j = 0; j < m; j++) {
      const nj = n[j] as number;
      const cj = c[j] as number;
      if ((cj - nj * p) ** 2 / (nj * p * (1 - p) * (1 + (nj - 1) * rho)) <= limit) {
        keptTotal += nj;
        keptCompleted += cj;
      }
    }
    total = keptTotal;
    p = (keptCompleted + 0.5) / (keptTotal + 1);
  }
  let x2 = 0;
  let expected = 0;
  let slope = 0;
  let values = 0;
  for (let j = 0; j < m; j++) {
    const nj = n[j] as number;
    const cj = c[j] as number;
    const z2 = (cj - nj * p) ** 2 / (nj * p * (1 - p));
    if (Number.isFinite(limit) && z2 / (1 + (nj - 1) * rho) > limit) continue;
    // The pooled rate holds this hour too: its share of the total takes that much off.
    const own = Math.min(1, nj / Math.max(1, total));
    x2 += z2;
    expected += 1 - own;
    slope += (1 - own) * (nj - 1);
    values += 1;
  }
  return { x2, expected, slope, values };
}

/** ρ from a Pearson χ² and its expectation `expected + ρ·slope`; 0 when it cannot be told from pure binomial noise. */
function correlationOf(x2: number, expected: number, slope: number): number {
  return slope > 0 ? Math.max(0, (x2 - expected) / slope) : 0;
}
