import { checkCount, checkFinite, checkNonNegative } from './checks.js';

/** Count, mean and unbiased variance of a sample: what every two-sample test starts from. */
export interface SampleSummary {
  n: number;
  mean: number;
  /** Sample variance with n − 1 in the denominator; 0 when n < 2. */
  variance: number;
}

/** A summary a caller built by hand: n a whole number ≥ 0, a finite mean when n > 0, variance ≥ 0. */
export function checkSummary(field: string, s: SampleSummary): void {
  checkCount(`${field}.n`, s.n);
  if (s.n > 0) checkFinite(`${field}.mean`, s.mean);
  checkNonNegative(`${field}.variance`, s.variance);
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
