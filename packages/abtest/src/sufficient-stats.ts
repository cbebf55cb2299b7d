import type { SampleSummary } from './stats/summary.js';
import type { VariantSums, VariantUsers } from './types.js';

/**
 * Sums over users that every test here needs, for one metric and variant: y is the user's value,
 * x the user's pre-exposure covariate (missing for users without history). They add up across
 * rows, so the store computes them in SQL and an analysis never holds one value per user.
 */
export interface MetricSums {
  n: number;
  sumY: number;
  sumY2: number;
  /** Users with a covariate, and sums over them only. */
  nX: number;
  sumX: number;
  sumX2: number;
  sumXY: number;
  sumYWithX: number;
}

export const emptySums = (): MetricSums => ({ n: 0, sumY: 0, sumY2: 0, nX: 0, sumX: 0, sumX2: 0, sumXY: 0, sumYWithX: 0 });

/** Sums of the users whose value is not NaN; a NaN covariate means "no history". */
export function sumsOf(y: ArrayLike<number>, x: ArrayLike<number> | null): MetricSums {
  const s = emptySums();
  for (let i = 0; i < y.length; i++) {
    const yi = y[i]!;
    if (Number.isNaN(yi)) continue;
    s.n++;
    s.sumY += yi;
    s.sumY2 += yi * yi;
    const xi = x ? x[i]! : Number.NaN;
    if (!Number.isNaN(xi)) {
      s.nX++;
      s.sumX += xi;
      s.sumX2 += xi * xi;
      s.sumXY += xi * yi;
      s.sumYWithX += yi;
    }
  }
  return s;
}

/** Sums of per-user arrays (exact duration values for Mann–Whitney): the pure path's equivalent of `loadVariantSums`. */
export function variantSumsOf(users: VariantUsers): VariantSums {
  const durationCounts = new Map<number, number>();
  for (const d of users.meanLogDuration) if (!Number.isNaN(d)) durationCounts.set(d, (durationCounts.get(d) ?? 0) + 1);
  return {
    variant: users.variant,
    assigned: users.assigned,
    metrics: {
      completion_rate: sumsOf(users.completionRate, users.preCompletionRate),
      duration: sumsOf(users.meanLogDuration, users.preMeanLogDuration),
      rating: sumsOf(users.meanRating, null),
    },
    durationCounts,
    pendingCovariates: 0,
  };
}

export function addSums(a: MetricSums, b: MetricSums): MetricSums {
  return {
    n: a.n + b.n,
    sumY: a.sumY + b.sumY,
    sumY2: a.sumY2 + b.sumY2,
    nX: a.nX + b.nX,
    sumX: a.sumX + b.sumX,
    sumX2: a.sumX2 + b.sumX2,
    sumXY: a.sumXY + b.sumXY,
    sumYWithX: a.sumYWithX + b.sumYWithX,
  };
}

/** Mean and unbiased variance from the sums. */
export function summaryOfSums(s: MetricSums): SampleSummary {
  if (s.n === 0) return { n: 0, mean: Number.NaN, variance: 0 };
  const mean = s.sumY / s.n;
  return { n: s.n, mean, variance: s.n > 1 ? snap(s.sumY2 - s.n * mean * mean, s.sumY2) / (s.n - 1) : 0 };
}

export interface CupedFromSums {
  theta: number;
  varianceReduction: number;
  usersWithHistory: number;
  control: SampleSummary;
  treatment: SampleSummary;
}

/**
 * CUPED from sums, identical to `cupedAdjust` on the pooled users of both variants with missing
 * covariates imputed by the mean of the known ones (such users get no adjustment). With
 * a = x − x̄ (0 when missing): θ = Σ a·y / Σ a², and per variant the adjusted values y − θ·a
 * have mean ȳ − θ·Σa/n and sum of squares Σy² − 2θ·Σya + θ²·Σa² − n·mean².
 */
export function cupedFromSums(control: MetricSums, treatment: MetricSums): CupedFromSums {
  const pooled = addSums(control, treatment);
  const xbar = pooled.nX > 0 ? pooled.sumX / pooled.nX : 0;
  const sxx = pooled.sumX2 - pooled.nX * xbar * xbar;
  const sxy = pooled.sumXY - xbar * pooled.sumYWithX;
  const yMean = pooled.sumY / pooled.n;
  const syy = pooled.sumY2 - pooled.n * yMean * yMean;
  const theta = sxx > 0 ? sxy / sxx : 0;
  const adjusted = (s: MetricSums): SampleSummary => {
    if (s.n === 0) return { n: 0, mean: Number.NaN, variance: 0 };
    const a1 = s.sumX - s.nX * xbar;
    const a2 = s.sumX2 - 2 * xbar * s.sumX + s.nX * xbar * xbar;
    const ya = s.sumXY - xbar * s.sumYWithX;
    const mean = (s.sumY - theta * a1) / s.n;
    const squares = s.sumY2 - 2 * theta * ya + theta * theta * a2 - s.n * mean * mean;
    return { n: s.n, mean, variance: s.n > 1 ? snap(squares, s.sumY2) / (s.n - 1) : 0 };
  };
  return {
    theta,
    varianceReduction: syy > 0 ? Math.max(0, (theta * sxy) / syy) : 0,
    usersWithHistory: pooled.nX,
    control: adjusted(control),
    treatment: adjusted(treatment),
  };
}

/**
 * A sum of squares computed as Σy² − n·ȳ² loses ~1e-16·Σy² to rounding; anything below that
 * scale is zero, so identical users give zero variance on both databases alike.
 */
function snap(squares: number, scale: number): number {
  return squares > 1e-12 * Math.abs(scale) ? squares : 0;
}
