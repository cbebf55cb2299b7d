/** One of ten equal-width bins of predicted probability: [lower, upper). The last bin includes 1. */
export interface CalibrationBin {
  lower: number;
  upper: number;
  count: number;
  /** Mean predicted probability in the bin (null when empty). */
  meanPredicted: number | null;
  /** Fraction of the bin's invocations that completed (null when empty). */
  observedRate: number | null;
}

/** Scores of one set of probabilities against outcomes. */
export interface ProbabilityMetrics {
  auc: number;
  brier: number;
  logLoss: number;
  /** Expected calibration error over the 10 equal-width bins (see `expectedCalibrationError`). */
  ece: number;
  calibration: CalibrationBin[];
}

/** Probabilities are clipped to [LOG_LOSS_EPS, 1 − LOG_LOSS_EPS] before the logarithm. */
export const LOG_LOSS_EPS = 1e-15;

/**
 * ROC AUC as the Mann–Whitney statistic: the chance that a random completed invocation scores
 * above a random failed one, ties counting one half (mid-ranks). NaN when one class is absent.
 * @example rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]) // 0.75
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const midRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[order[k]!] === 1) {
        positives++;
        rankSum += midRank;
      }
    }
    i = j + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Mean squared difference between probability and outcome. @example brierScore([0.9], [1]) // 0.01 */
export function brierScore(probabilities: ArrayLike<number>, labels: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < probabilities.length; i++) sum += (probabilities[i]! - labels[i]!) ** 2;
  return sum / probabilities.length;
}

/** Mean negative log-likelihood (natural log), probabilities clipped by LOG_LOSS_EPS. */
export function logLoss(probabilities: ArrayLike<number>, labels: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < probabilities.length; i++) {
    const p = Math.min(1 - LOG_LOSS_EPS, Math.max(LOG_LOSS_EPS, probabilities[i]!));
    sum -= labels[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return sum / probabilities.length;
}

/** Ten equal-width bins of predicted probability with their mean prediction and observed rate. */
export function calibrationTable(probabilities: ArrayLike<number>, labels: ArrayLike<number>, bins = 10): CalibrationBin[] {
  const count = new Array<number>(bins).fill(0);
  const predicted = new Array<number>(bins).fill(0);
  const observed = new Array<number>(bins).fill(0);
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i]!;
    const b = Math.min(bins - 1, Math.max(0, Math.floor(p * bins)));
    count[b]!++;
    predicted[b]! += p;
    observed[b]! += labels[i]!;
  }
  return count.map((c, b) => ({
    lower: b / bins,
    upper: (b + 1) / bins,
    count: c,
    meanPredicted: c > 0 ? predicted[b]! / c : null,
    observedRate: c > 0 ? observed[b]! / c : null,
  }));
}

/**
 * Expected calibration error: over equal-width bins of predicted probability, the mean absolute
 * gap between mean prediction and observed rate, weighted by the bin's share of the rows.
 * @example expectedCalibrationError([0.2, 0.2, 0.9], [0, 1, 1]) // (2·|0.2 − 0.5| + 1·|0.9 − 1|) / 3 = 0.2333…
 */
export function expectedCalibrationError(probabilities: ArrayLike<number>, labels: ArrayLike<number>, bins = 10): number {
  return binsError(calibrationTable(probabilities, labels, bins), probabilities.length);
}

function binsError(table: CalibrationBin[], n: number): number {
  let sum = 0;
  for (const bin of table) if (bin.count > 0) sum += bin.count * Math.abs(bin.meanPredicted! - bin.observedRate!);
  return sum / n;
}

/** AUC, Brier score, log loss, ECE and the calibration table at once. */
export function scoreProbabilities(probabilities: ArrayLike<number>, labels: ArrayLike<number>): ProbabilityMetrics {
  const calibration = calibrationTable(probabilities, labels);
  return {
    auc: rocAuc(probabilities, labels),
    brier: brierScore(probabilities, labels),
    logLoss: logLoss(probabilities, labels),
    ece: binsError(calibration, probabilities.length),
    calibration,
  };
}
