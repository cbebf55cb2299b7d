/**
 * How noisy a skill is at a given time of day, beyond pure sampling noise. Estimated once per
 * judged hour from single hours on its reference days — the same hour and its two neighbours —
 * by leave-one-out: each reference hour is compared with the median of the other reference days
 * at that hour of day, much as the judged hour will be compared with all of them, so no value is
 * compared with a centre it helped to set (which would make small samples look calmer than they
 * are). The squared, standardised deviations are averaged after dropping the largest 5%, so an
 * earlier incident among the references inflates neither the centre nor the spread (a median of
 * squares would do that too, but is biased for small discrete counts). With few values the
 * estimate is shrunk towards a mild prior.
 */
import { leaveOneOutMedians, median, trimmedVarianceRatio } from '../math/robust.js';
import type { DenseSeries } from '../series.js';
import { NEIGHBOURS, volumeScale, type References } from './references.js';

/** A median's variance is about π/2 times a mean's. */
const MEDIAN_EFFICIENCY = Math.PI / 2;
/** Weight of the prior, in values: the estimate counts for m/(m + PRIOR_WEIGHT). */
const PRIOR_WEIGHT = 6;
const PRIOR_RATE_CORRELATION = 0.01;
const PRIOR_VOLUME_SPREAD2 = 0.15 ** 2;
const PRIOR_LOG_DURATION_VARIANCE = 0.5 ** 2;

export interface Spread {
  /** Completion rate: intra-hour correlation ρ (variance n·p·q·(1 + (n − 1)ρ)); undefined without data. */
  rateCorrelation: number | undefined;
  /** Volume: squared relative between-day spread τ² (variance μ + τ²μ²); undefined without data. */
  volumeSpread2: number | undefined;
  /** Duration: variance of a log mean duration × its timed completions; undefined without data. */
  logDurationVariance: number | undefined;
  /** Degrees of freedom of the duration estimate, for the t test. */
  logDurationDf: number;
}

const shrink = (estimate: number, values: number, prior: number) => (values * estimate + PRIOR_WEIGHT * prior) / (values + PRIOR_WEIGHT);

/** Scratch space, reused across calls (judging is synchronous and not re-entrant). */
let size = 0;
let n = new Float64Array(0);
let values = new Float64Array(0);
let centres = new Float64Array(0);
let rate = new Float64Array(0);
let rateN = new Float64Array(0);
let volume = new Float64Array(0);
let duration = new Float64Array(0);

function ensure(k: number): void {
  if (size >= k) return;
  size = Math.max(k, 64);
  n = new Float64Array(size);
  values = new Float64Array(size);
  centres = new Float64Array(size);
  const all = size * NEIGHBOURS.length;
  rate = new Float64Array(all);
  rateN = new Float64Array(all);
  volume = new Float64Array(all);
  duration = new Float64Array(all);
}

/** `refs`: the single-hour references of the judged hour. */
export function estimateSpread(series: DenseSeries, refs: References): Spread {
  const k = refs.ends.length;
  ensure(k);
  let rates = 0;
  let volumes = 0;
  let durations = 0;
  let volumeMean = 0;
  let volumeGroups = 0;
  for (const offset of NEIGHBOURS) {
    // Completion rate: c_i against the median rate of the other days with data.
    let m = 0;
    for (let j = 0; j < k; j++) {
      const i = (refs.ends[j] as number) + offset;
      if (i < 0) continue;
      const ni = series.count[i] as number;
      if (ni === 0) continue;
      n[m] = ni;
      values[m] = (series.completed[i] as number) / ni;
      m += 1;
    }
    if (m >= 3) {
      leaveOneOutMedians(values, m, centres);
      const typical = median(n, m);
      const floor = 0.5 / (typical * (m - 1));
      for (let j = 0; j < m; j++) {
        const nj = n[j] as number;
        const p = Math.min(1 - floor, Math.max(floor, centres[j] as number));
        const rj = values[j] as number;
        rate[rates] = (nj * (rj - p) ** 2) / (p * (1 - p) * (1 + (MEDIAN_EFFICIENCY * nj) / (typical * (m - 1))));
        rateN[rates] = nj;
        rates += 1;
      }
    }
    // Volume, on the day type of the hour it stands for, against the median of the other days.
    // (Only the day type of `target` is used, never its data: no look-ahead.)
    const target = refs.end + offset;
    m = 0;
    for (let j = 0; j < k; j++) {
      const i = (refs.ends[j] as number) + offset;
      if (i < 0) continue;
      const scale = volumeScale(series, refs, target, i);
      if (scale === undefined) continue;
      values[m] = (series.count[i] as number) * scale;
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
      n[m] = timed;
      values[m] = Math.log(Math.max(1e-3, (series.durationSum[i] as number) / timed));
      m += 1;
    }
    if (m >= 3) {
      leaveOneOutMedians(values, m, centres);
      const typical = median(n, m);
      for (let j = 0; j < m; j++) {
        duration[durations] = ((values[j] as number) - (centres[j] as number)) ** 2 / (1 / (n[j] as number) + MEDIAN_EFFICIENCY / (typical * (m - 1)));
        durations += 1;
      }
    }
  }
  let rateCorrelation: number | undefined;
  if (rates > 0) {
    const dispersion = trimmedVarianceRatio(rate, rates);
    const typicalN = median(rateN, rates);
    const estimate = typicalN > 1 ? Math.min(0.25, Math.max(0, (dispersion - 1) / (typicalN - 1))) : PRIOR_RATE_CORRELATION;
    rateCorrelation = shrink(estimate, rates, PRIOR_RATE_CORRELATION);
  }
  let volumeSpread2: number | undefined;
  if (volumes > 0) {
    const estimate = Math.max(0, (trimmedVarianceRatio(volume, volumes) - 1) / (volumeMean / volumeGroups));
    volumeSpread2 = shrink(estimate, volumes, PRIOR_VOLUME_SPREAD2);
  }
  return {
    rateCorrelation,
    volumeSpread2,
    logDurationVariance: durations > 0 ? shrink(trimmedVarianceRatio(duration, durations), durations, PRIOR_LOG_DURATION_VARIANCE) : undefined,
    // A 5%-trimmed mean of m squares is worth about 0.8·m degrees of freedom; the prior adds its weight.
    logDurationDf: Math.max(1, 0.8 * durations + PRIOR_WEIGHT),
  };
}
