/** Count, mean and unbiased variance of a sample: what every two-sample test starts from. */
export interface SampleSummary {
  n: number;
  mean: number;
  /** Sample variance with n − 1 in the denominator; 0 when n < 2. */
  variance: number;
}

/** `summarize([1, 2, 3])` → `{ n: 3, mean: 2, variance: 1 }`. Two-pass, so large means do not cancel. */
export function summarize(values: ArrayLike<number>): SampleSummary {
  const n = values.length;
  if (n === 0) return { n: 0, mean: Number.NaN, variance: 0 };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]!;
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i]! - mean;
    squares += d * d;
  }
  return { n, mean, variance: n > 1 ? squares / (n - 1) : 0 };
}
