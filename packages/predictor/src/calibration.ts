/**
 * A monotone map from raw forest scores to probabilities, fitted by isotonic regression (pool
 * adjacent violators). Stored as knots: scores `x` ascending and probabilities `y` nondecreasing;
 * between knots the map interpolates linearly, outside it is flat.
 */
export interface IsotonicCalibration {
  x: number[];
  y: number[];
}

/**
 * Fits isotonic regression of labels on scores (PAV). Equal scores are pooled first, so the map
 * is a function of the score; every distinct score is a knot valued by its block's mean label.
 * @example fitIsotonic([0.1, 0.2, 0.3], [1, 0, 1]) // { x: [0.1, 0.2, 0.3], y: [0.5, 0.5, 1] }
 */
export function fitIsotonic(scores: ArrayLike<number>, labels: ArrayLike<number>): IsotonicCalibration {
  const n = scores.length;
  if (n === 0) throw new RangeError('fitIsotonic needs at least one point');
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  // Blocks as parallel stacks: sum of labels, weight, sum of scores.
  const sumY: number[] = [];
  const weight: number[] = [];
  const uniques: number[] = [];
  const xs: number[] = [];
  for (let k = 0; k < n; ) {
    const s = scores[order[k]!]!;
    let y = 0;
    let w = 0;
    while (k < n && scores[order[k]!] === s) {
      y += labels[order[k]!]!;
      w++;
      k++;
    }
    sumY.push(y);
    weight.push(w);
    uniques.push(1);
    xs.push(s);
    // Merge while the previous block's mean is above this one's.
    while (sumY.length > 1) {
      const last = sumY.length - 1;
      if (sumY[last - 1]! / weight[last - 1]! <= sumY[last]! / weight[last]!) break;
      sumY[last - 1]! += sumY[last]!;
      weight[last - 1]! += weight[last]!;
      uniques[last - 1]! += uniques[last]!;
      sumY.pop();
      weight.pop();
      uniques.pop();
    }
  }
  // One knot per distinct score, valued by its block (as sklearn's IsotonicRegression predicts).
  const ys: number[] = [];
  sumY.forEach((s, i) => {
    for (let k = 0; k < uniques[i]!; k++) ys.push(s / weight[i]!);
  });
  return { x: xs, y: ys };
}

/** Applies a fitted calibration to one raw score. */
export function applyIsotonic(calibration: IsotonicCalibration, score: number): number {
  const { x, y } = calibration;
  const last = x.length - 1;
  if (score <= x[0]!) return y[0]!;
  if (score >= x[last]!) return y[last]!;
  let lo = 0;
  let hi = last;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (x[mid]! <= score) lo = mid;
    else hi = mid;
  }
  const t = (score - x[lo]!) / (x[hi]! - x[lo]!);
  return y[lo]! + t * (y[hi]! - y[lo]!);
}
