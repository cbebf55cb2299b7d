/**
 * Log-spaced duration buckets, so percentiles can be read from hourly rollups.
 * Bucket i covers [MIN · 2^(i/4), MIN · 2^((i+1)/4)) seconds: each bucket is 19% wider than the
 * last, so an estimate interpolated inside the right bucket is never more than one bucket width
 * (19%) off, and within a few percent for smooth distributions. Bucket 0 also
 * holds everything below MIN, the last bucket everything above the top bound (~33 hours).
 */
const MIN_SECONDS = 0.001;
const STEPS_PER_DOUBLING = 4;

/** The layout of `duration_histogram` as readers outside storage need it: bucket i is [min · 2^(i/steps), min · 2^((i+1)/steps)) s. */
export const DURATION_HISTOGRAM_LAYOUT = { minSeconds: MIN_SECONDS, stepsPerDoubling: STEPS_PER_DOUBLING, buckets: 96 } as const;
export const BUCKET_COUNT = DURATION_HISTOGRAM_LAYOUT.buckets;

/** Sparse histogram: bucket index → count. */
export type DurationHistogram = Map<number, number>;

export function bucketOf(seconds: number): number {
  if (!(seconds > MIN_SECONDS)) return 0;
  const index = Math.floor(Math.log2(seconds / MIN_SECONDS) * STEPS_PER_DOUBLING);
  return Math.min(index, BUCKET_COUNT - 1);
}

function lowerBound(index: number): number {
  return index === 0 ? 0 : MIN_SECONDS * 2 ** (index / STEPS_PER_DOUBLING);
}

function upperBound(index: number): number {
  return MIN_SECONDS * 2 ** ((index + 1) / STEPS_PER_DOUBLING);
}

export function addToHistogram(target: DurationHistogram, source: DurationHistogram): void {
  for (const [bucket, count] of source) target.set(bucket, (target.get(bucket) ?? 0) + count);
}

export function parseHistogram(json: string): DurationHistogram {
  const histogram: DurationHistogram = new Map();
  if (json === '{}' || json === '') return histogram;
  const parsed = JSON.parse(json) as Record<string, number>;
  for (const key in parsed) histogram.set(Number(key), parsed[key] ?? 0);
  return histogram;
}

/** Serialised with buckets in ascending order, so equal histograms give equal text. */
export function serializeHistogram(histogram: DurationHistogram): string {
  const buckets = [...histogram.keys()].sort((a, b) => a - b);
  let out = '{';
  for (let i = 0; i < buckets.length; i++) {
    const bucket = buckets[i]!;
    out += `${i === 0 ? '' : ','}"${bucket}":${histogram.get(bucket)}`;
  }
  return `${out}}`;
}

/**
 * The q-quantile (0 < q ≤ 1) estimated from a histogram, interpolating geometrically inside
 * the bucket that holds it; null for an empty histogram.
 */
export function quantileFromHistogram(histogram: DurationHistogram, q: number): number | null {
  let total = 0;
  for (const count of histogram.values()) total += count;
  if (total === 0) return null;
  const rank = q * total;
  const buckets = [...histogram.keys()].sort((a, b) => a - b);
  let seen = 0;
  for (const bucket of buckets) {
    const count = histogram.get(bucket)!;
    if (seen + count >= rank) {
      const fraction = count === 0 ? 0 : (rank - seen) / count;
      const lo = lowerBound(bucket);
      const hi = upperBound(bucket);
      return lo === 0 ? hi * fraction : lo * (hi / lo) ** fraction;
    }
    seen += count;
  }
  return upperBound(buckets[buckets.length - 1]!);
}

/**
 * The q-quantile of the durations in several stored `duration_histogram` texts (e.g. a skill's
 * hours over a range), merged, as `quantileFromHistogram` estimates it; null when all are empty.
 * @example durationQuantile(rows.map((row) => row.duration_histogram), 0.95)
 */
export function durationQuantile(histograms: readonly string[], q: number): number | null {
  const merged: DurationHistogram = new Map();
  for (const text of histograms) addToHistogram(merged, parseHistogram(text));
  return quantileFromHistogram(merged, q);
}

/**
 * The q-quantile of `values` by linear interpolation between order statistics (R type 7, numpy's
 * default), as storage's exact p95; null for no values. Sorts `values` in place.
 * @example sampleQuantile([1, 2, 3, 4], 0.5) // 2.5
 */
export function sampleQuantile(values: number[] | Float64Array, q: number): number | null {
  if (values.length === 0) return null;
  // A Float64Array sorts numerically by itself, several times faster than with a comparator.
  if (values instanceof Float64Array) values.sort();
  else values.sort((a, b) => a - b);
  const h = (values.length - 1) * q;
  const lo = Math.floor(h);
  const below = values[lo]!;
  const above = values[Math.min(lo + 1, values.length - 1)]!;
  return below + (h - lo) * (above - below);
}
