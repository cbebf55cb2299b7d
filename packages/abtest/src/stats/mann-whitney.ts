import { normalTwoSidedP } from '@skills/stats';
import { checkCount, checkFinite, checkSameLength, fail } from './checks.js';

export interface MannWhitneyResult {
  /** U of the treatment sample: the number of (treatment, control) pairs where treatment is larger (ties count ½). */
  u: number;
  /** P(treatment > control) + ½·P(tie): U / (n_c·n_t). */
  commonLanguageEffect: number;
  statistic: number;
  pValue: number;
}

/**
 * Two-sided Mann–Whitney U test with the normal approximation, tie correction and continuity
 * correction (scipy's `mannwhitneyu(treatment, control, method='asymptotic')`).
 * Sorts copies of the inputs: O((n_c + n_t) log(n_c + n_t)).
 * @example mannWhitneyU([1, 2, 3, 4], [3, 5, 6, 7]).pValue // 0.08143
 */
export function mannWhitneyU(control: ArrayLike<number>, treatment: ArrayLike<number>): MannWhitneyResult {
  const nc = control.length;
  const nt = treatment.length;
  const n = nc + nt;
  if (nc === 0 || nt === 0) return { u: 0, commonLanguageEffect: Number.NaN, statistic: 0, pValue: 1 };
  // Sort all values once, remembering which group each came from (treatment in the low bit).
  const values = new Float64Array(n);
  for (let i = 0; i < nc; i++) values[i] = control[i]!;
  for (let i = 0; i < nt; i++) values[nc + i] = treatment[i]!;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => values[a]! - values[b]!);

  let treatmentRankSum = 0;
  let tieTerm = 0;
  for (let i = 0; i < n; ) {
    let j = i + 1;
    while (j < n && values[order[j]!] === values[order[i]!]) j++;
    const midRank = (i + 1 + j) / 2;
    const t = j - i;
    if (t > 1) tieTerm += t * t * t - t;
    for (let k = i; k < j; k++) if (order[k]! >= nc) treatmentRankSum += midRank;
    i = j;
  }
  const u = treatmentRankSum - (nt * (nt + 1)) / 2;
  const mean = (nc * nt) / 2;
  const variance = ((nc * nt) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (!(variance > 0)) return { u, commonLanguageEffect: u / (nc * nt), statistic: 0, pValue: 1 };
  const deviation = Math.max(0, Math.abs(u - mean) - 0.5);
  const statistic = deviation / Math.sqrt(variance);
  return { u, commonLanguageEffect: u / (nc * nt), statistic, pValue: normalTwoSidedP(statistic) };
}

/**
 * The same test from counts of users per distinct value (the form the store returns, values
 * grouped in SQL): `values` ascending and distinct, `controlCounts[i]` / `treatmentCounts[i]`
 * users at `values[i]`. Identical to `mannWhitneyU` on the expanded samples.
 * @example mannWhitneyFromCounts([1, 2, 3, 4, 5, 6, 7], [1, 1, 1, 1, 0, 0, 0], [0, 0, 1, 0, 1, 1, 1]).pValue // 0.08143
 */
export function mannWhitneyFromCounts(
  values: ArrayLike<number>,
  controlCounts: ArrayLike<number>,
  treatmentCounts: ArrayLike<number>,
): MannWhitneyResult {
  checkSameLength('controlCounts', controlCounts, 'values', values);
  checkSameLength('treatmentCounts', treatmentCounts, 'values', values);
  for (let i = 0; i < values.length; i++) {
    checkFinite(`values[${i}]`, values[i]!);
    if (i > 0 && !(values[i]! > values[i - 1]!)) fail(`values[${i}]`, 'values must be ascending and distinct');
    checkCount(`controlCounts[${i}]`, controlCounts[i]!);
    checkCount(`treatmentCounts[${i}]`, treatmentCounts[i]!);
  }
  let nc = 0;
  let nt = 0;
  for (let i = 0; i < values.length; i++) {
    nc += controlCounts[i]!;
    nt += treatmentCounts[i]!;
  }
  const n = nc + nt;
  if (nc === 0 || nt === 0) return { u: 0, commonLanguageEffect: Number.NaN, statistic: 0, pValue: 1 };
  let below = 0;
  let treatmentRankSum = 0;
  let tieTerm = 0;
  for (let i = 0; i < values.length; i++) {
    const t = controlCounts[i]! + treatmentCounts[i]!;
    if (t === 0) continue;
    treatmentRankSum += treatmentCounts[i]! * (below + (t + 1) / 2);
    if (t > 1) tieTerm += t * t * t - t;
    below += t;
  }
  const u = treatmentRankSum - (nt * (nt + 1)) / 2;
  const mean = (nc * nt) / 2;
  const variance = ((nc * nt) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (!(variance > 0)) return { u, commonLanguageEffect: u / (nc * nt), statistic: 0, pValue: 1 };
  const statistic = Math.max(0, Math.abs(u - mean) - 0.5) / Math.sqrt(variance);
  return { u, commonLanguageEffect: u / (nc * nt), statistic, pValue: normalTwoSidedP(statistic) };
}
