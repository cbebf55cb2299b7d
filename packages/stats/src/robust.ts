/**
 * Order statistics that a few outliers cannot move far. They run once per reference set of
 * every judged hour, so they sort small scratch copies in place (insertion sort below 64
 * values) instead of allocating.
 */
import { normalQuantile } from './normal.js';
import { logIncompleteGamma } from './special-functions.js';

let scratch = new Float64Array(256);
let scratchWeights = new Float64Array(256);

function ensureScratch(m: number): void {
  if (scratch.length < m) {
    scratch = new Float64Array(m * 2);
    scratchWeights = new Float64Array(m * 2);
  }
}

/** Sort a[0..m) ascending in place, carrying w along when given. */
function sortInPlace(a: Float64Array, m: number, w?: Float64Array): void {
  if (m > 64 && w === undefined) {
    a.subarray(0, m).sort();
    return;
  }
  for (let i = 1; i < m; i++) {
    const v = a[i] as number;
    const wv = w === undefined ? 0 : (w[i] as number);
    let j = i - 1;
    while (j >= 0 && (a[j] as number) > v) {
      a[j + 1] = a[j] as number;
      if (w !== undefined) w[j + 1] = w[j] as number;
      j--;
    }
    a[j + 1] = v;
    if (w !== undefined) w[j + 1] = wv;
  }
}

/** Copy the first m values into the scratch buffer, sorted. */
function sortedCopy(values: ArrayLike<number>, m: number): Float64Array {
  ensureScratch(m);
  for (let i = 0; i < m; i++) scratch[i] = values[i] as number;
  sortInPlace(scratch, m);
  return scratch;
}

function middleOf(sorted: Float64Array, m: number): number {
  const middle = m >> 1;
  return m % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Median of the first `m` values (NaN for none); does not modify its input. */
export function median(values: ArrayLike<number>, m = values.length): number {
  if (m === 0) return Number.NaN;
  return middleOf(sortedCopy(values, m), m);
}

/**
 * Weighted median of the first `m` values: the smallest value at which the cumulative weight
 * reaches half the total, averaged with the next value on an exact tie (so equal weights give
 * the ordinary median). Values with weight ≤ 0 are ignored.
 */
export function weightedMedian(values: ArrayLike<number>, weights: ArrayLike<number>, m = values.length): number {
  ensureScratch(m);
  let k = 0;
  let total = 0;
  for (let i = 0; i < m; i++) {
    const w = weights[i] as number;
    if (w > 0) {
      scratch[k] = values[i] as number;
      scratchWeights[k] = w;
      total += w;
      k++;
    }
  }
  if (k === 0) return Number.NaN;
  if (k > 64) {
    // Rare: sort indices instead of insertion-sorting pairs.
    const order = Array.from({ length: k }, (_, i) => i).sort((a, b) => (scratch[a] as number) - (scratch[b] as number));
    const v = Float64Array.from(order, (i) => scratch[i] as number);
    const w = Float64Array.from(order, (i) => scratchWeights[i] as number);
    scratch.set(v);
    scratchWeights.set(w);
  } else {
    sortInPlace(scratch, k, scratchWeights);
  }
  const half = total / 2;
  let cumulative = 0;
  for (let j = 0; j < k; j++) {
    cumulative += scratchWeights[j] as number;
    if (Math.abs(cumulative - half) <= 1e-12 * total && j + 1 < k) return ((scratch[j] as number) + (scratch[j + 1] as number)) / 2;
    if (cumulative > half) return scratch[j] as number;
  }
  return scratch[k - 1] as number;
}

/** Mean of the first `m` values after dropping the lowest and highest `trim` share (0 ≤ trim < 0.5). */
export function trimmedMean(values: ArrayLike<number>, trim: number, m = values.length): number {
  if (m === 0) return Number.NaN;
  const sorted = sortedCopy(values, m);
  const cut = Math.floor(m * trim);
  let sum = 0;
  for (let i = cut; i < m - cut; i++) sum += sorted[i] as number;
  return sum / (m - 2 * cut);
}

/**
 * For each of the first `m` values, the median of all the *other* values (NaN when m < 2),
 * written to `out`: leave-one-out centres that no value helped to set. O(m log m).
 */
export function leaveOneOutMedians(values: ArrayLike<number>, m: number, out: Float64Array): Float64Array {
  if (m < 2) {
    out.fill(Number.NaN, 0, m);
    return out;
  }
  const sorted = sortedCopy(values, m);
  const size = m - 1;
  const middle = size >> 1;
  for (let j = 0; j < m; j++) {
    // Position of the value in the sorted copy (any of equal values gives the same others).
    const v = values[j] as number;
    let lo = 0;
    let hi = m - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((sorted[mid] as number) < v) lo = mid + 1;
      else hi = mid;
    }
    // The others in order are sorted without position lo.
    const upper = middle < lo ? (sorted[middle] as number) : (sorted[middle + 1] as number);
    if (size % 2 === 1) out[j] = upper;
    else out[j] = ((middle - 1 < lo ? (sorted[middle - 1] as number) : (sorted[middle] as number)) + upper) / 2;
  }
  return out;
}

/**
 * A variance ratio from squared standardised deviations that stays right for small, discrete
 * counts (where a median of squares does not) and that a few outliers cannot inflate: the mean
 * after dropping the largest 5%, rescaled by what that trimming removes from a χ²(1) variable.
 * About 1 when the deviations are standard normal. Uses the first `m` values.
 */
export function trimmedVarianceRatio(squares: ArrayLike<number>, m = squares.length): number {
  if (m === 0) return Number.NaN;
  const dropped = Math.ceil(0.05 * m);
  const kept = m - dropped;
  if (kept <= 0) return Number.NaN;
  // Sum everything, then take off the `dropped` largest (a handful): no full sort needed.
  let sum = 0;
  for (let i = 0; i < m; i++) sum += squares[i] as number;
  ensureScratch(dropped);
  scratch.fill(Number.NEGATIVE_INFINITY, 0, dropped);
  for (let i = 0; i < m; i++) {
    const v = squares[i] as number;
    if (v <= (scratch[dropped - 1] as number)) continue;
    let j = dropped - 1;
    while (j > 0 && (scratch[j - 1] as number) < v) {
      scratch[j] = scratch[j - 1] as number;
      j--;
    }
    scratch[j] = v;
  }
  for (let i = 0; i < dropped; i++) sum -= scratch[i] as number;
  return sum / kept / truncatedChiSquare1Mean(dropped, m);
}

const truncatedMeans = new Map<number, number>();

/** E[X | X below its (1 − t) quantile] for X ~ χ²(1), t = dropped/m: P(χ²(3) < q) / (1 − t). */
function truncatedChiSquare1Mean(dropped: number, m: number): number {
  const key = dropped * 100_000 + m;
  const cached = truncatedMeans.get(key);
  if (cached !== undefined) return cached;
  const t = dropped / m;
  const z = -normalQuantile(t / 2);
  const value = Math.exp(logIncompleteGamma(1.5, (z * z) / 2).lower) / (1 - t);
  truncatedMeans.set(key, value);
  return value;
}
