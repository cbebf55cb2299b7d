/**
 * How noisy a skill is at a given time of day, beyond pure sampling noise. Estimated once per
 * judged hour from single hours on its reference days — the same hour and its two neighbours —
 * by leave-one-out: each reference hour is compared with the pooled value of the other
 * reference days at that hour of day, exactly as the judged hour will be compared with all of
 * them. The median of those squared, standardised deviations is the estimate: an earlier
 * incident among the references does not inflate it, and no value is compared with a centre it
 * helped to set (which would make small samples look calmer than they are).
 */
import { median } from '../math/robust.js';
import type { DenseSeries } from '../series.js';
import { volumeScale, type References } from './references.js';

/** Median of χ²(1): scales a median of squared z-scores to a variance ratio. */
export const CHI2_1_MEDIAN = 0.454936;

export interface Spread {
  /** Completion rate: intra-hour correlation ρ (variance n·p·q·(1 + (n − 1)ρ)); undefined without data. */
  rateCorrelation: number | undefined;
  /** Volume: squared relative between-day spread τ² (variance μ + τ²μ²); undefined without data. */
  volumeSpread2: number | undefined;
  /** Duration: variance of log mean duration × timed completions; undefined without data. */
  logDurationVariance: number | undefined;
  /** Values behind the duration estimate (for the t test's degrees of freedom). */
  logDurationValues: number;
}

const NEIGHBOURS = [-1, 0, 1];

/** `refs`: the single-hour references of the judged hour. */
export function estimateSpread(series: DenseSeries, refs: References): Spread {
  const rate: number[] = [];
  const rateN: number[] = [];
  const volume: number[] = [];
  let volumeMean = 0;
  let volumeGroups = 0;
  const duration: number[] = [];
  const k = refs.ends.length;
  const n = new Float64Array(k);
  const values = new Float64Array(k);
  for (const offset of NEIGHBOURS) {
    // Completion rate: c_i against the pooled rate of the other days.
    let totalN = 0;
    let totalC = 0;
    for (let j = 0; j < k; j++) {
      const i = (refs.ends[j] as number) + offset;
      totalN += series.count[i] as number;
      totalC += series.completed[i] as number;
    }
    for (let j = 0; j < k; j++) {
      const i = (refs.ends[j] as number) + offset;
      const ni = series.count[i] as number;
      const othersN = totalN - ni;
      if (ni === 0 || othersN === 0) continue;
      const p = Math.min(1 - 0.5 / othersN, Math.max(0.5 / othersN, (totalC - (series.completed[i] as number)) / othersN));
      const z2 = ((series.completed[i] as number) - ni * p) ** 2 / (ni * p * (1 - p) * (1 + ni / othersN));
      rate.push(z2);
      rateN.push(ni);
    }
    // Volume, on the day type of the hour it stands for: x_i against the mean of the other days.
    // (Only the day type of `target` is used, never its data: no look-ahead.)
    const target = refs.end + offset;
    let m = 0;
    let total = 0;
    for (let j = 0; j < k; j++) {
      const i = (refs.ends[j] as number) + offset;
      const scale = volumeScale(series, refs, target, i);
      if (scale === undefined) continue;
      values[m] = (series.count[i] as number) * scale;
      total += values[m] as number;
      m += 1;
    }
    if (m >= 3 && total > 0) {
      for (let j = 0; j < m; j++) {
        const others = (total - (values[j] as number)) / (m - 1);
        if (others > 0) volume.push(((values[j] as number) - others) ** 2 / (others * (1 + 1 / (m - 1))));
      }
      volumeMean += total / m;
      volumeGroups += 1;
    }
    // Log duration: y_i against the log of the pooled mean duration of the other days.
    let timedTotal = 0;
    let sumTotal = 0;
    for (let j = 0; j < k; j++) {
      const i = (refs.ends[j] as number) + offset;
      n[j] = series.timed[i] as number;
      timedTotal += n[j] as number;
      sumTotal += series.durationSum[i] as number;
    }
    for (let j = 0; j < k; j++) {
      const nj = n[j] as number;
      const othersN = timedTotal - nj;
      if (nj === 0 || othersN === 0) continue;
      const i = (refs.ends[j] as number) + offset;
      const y = Math.log(Math.max(1e-3, (series.durationSum[i] as number) / nj));
      const others = Math.log(Math.max(1e-3, (sumTotal - (series.durationSum[i] as number)) / othersN));
      duration.push((y - others) ** 2 / (1 / nj + 1 / othersN));
    }
  }
  let rateCorrelation: number | undefined;
  if (rate.length > 0) {
    const dispersion = median(rate) / CHI2_1_MEDIAN;
    const typicalN = median(rateN);
    rateCorrelation = typicalN > 1 ? Math.min(0.25, Math.max(0, (dispersion - 1) / (typicalN - 1))) : 0;
  }
  let volumeSpread2: number | undefined;
  if (volume.length > 0) volumeSpread2 = Math.max(0, (median(volume) / CHI2_1_MEDIAN - 1) / (volumeMean / volumeGroups));
  return {
    rateCorrelation,
    volumeSpread2,
    logDurationVariance: duration.length > 0 ? median(duration) / CHI2_1_MEDIAN : undefined,
    logDurationValues: duration.length,
  };
}
