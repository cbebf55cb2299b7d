/** Order statistics that a few outliers cannot move far. */

/** Median of the values (NaN for none); does not modify its input. */
export function median(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const middle = n >> 1;
  return n % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Median of an already sorted array. */
export function sortedMedian(sorted: ArrayLike<number>): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const middle = n >> 1;
  return n % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/**
 * Weighted median: the smallest value at which the cumulative weight reaches half the total,
 * averaged with the next value on an exact tie (so equal weights give the ordinary median).
 */
export function weightedMedian(values: ArrayLike<number>, weights: ArrayLike<number>): number {
  const n = values.length;
  const order: number[] = [];
  let total = 0;
  for (let i = 0; i < n; i++) {
    const w = weights[i] as number;
    if (w > 0) {
      order.push(i);
      total += w;
    }
  }
  if (order.length === 0) return Number.NaN;
  order.sort((a, b) => (values[a] as number) - (values[b] as number));
  const half = total / 2;
  let cumulative = 0;
  for (let j = 0; j < order.length; j++) {
    const i = order[j] as number;
    cumulative += weights[i] as number;
    if (Math.abs(cumulative - half) <= 1e-12 * total && j + 1 < order.length) {
      return ((values[i] as number) + (values[order[j + 1] as number] as number)) / 2;
    }
    if (cumulative > half) return values[i] as number;
  }
  return values[order[order.length - 1] as number] as number;
}

/** Median absolute deviation from `center` (unscaled; × 1.4826 estimates σ of a normal). */
export function medianAbsoluteDeviation(values: ArrayLike<number>, center: number): number {
  const deviations = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) deviations[i] = Math.abs((values[i] as number) - center);
  return median(deviations);
}

/** Mean after dropping the lowest and highest `trim` share of the values (0 ≤ trim < 0.5). */
export function trimmedMean(values: ArrayLike<number>, trim: number): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const cut = Math.floor(n * trim);
  let sum = 0;
  for (let i = cut; i < n - cut; i++) sum += sorted[i] as number;
  return sum / (n - 2 * cut);
}
