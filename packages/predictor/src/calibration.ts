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

/**
 * The last step from scores to probabilities: a logistic regression over the calibrated forest
 * probability and the baseline (the skill's historical rate), both on the logit scale, fitted on
 * the calibration slice. Where the forest adds nothing beyond the skill's rate the fit leans on
 * the baseline, so the model is not systematically worse than it.
 */
export interface Stacking {
  intercept: number;
  forest: number;
  baseline: number;
}

const EDGE = 1e-4;
const RIDGE = 1e-6;

const logit = (p: number) => {
  const q = Math.min(1 - EDGE, Math.max(EDGE, p));
  return Math.log(q / (1 - q));
};

/**
 * Fits the stacking weights by Newton's method (IRLS) with a tiny ridge for stability.
 * @example fitStacking([0.2, 0.8, 0.6], [0.5, 0.5, 0.5], [0, 1, 1]) // { intercept, forest, baseline }
 */
export function fitStacking(forest: ArrayLike<number>, baseline: ArrayLike<number>, labels: ArrayLike<number>): Stacking {
  const n = labels.length;
  if (n === 0 || forest.length !== n || baseline.length !== n) throw new RangeError('fitStacking needs equal, non-empty inputs');
  const xf = Float64Array.from({ length: n }, (_, i) => logit(forest[i]!));
  const xb = Float64Array.from({ length: n }, (_, i) => logit(baseline[i]!));
  // A negative weight would mean "more past success, less success now": noise, never signal.
  // Such an input is dropped and the rest refitted.
  let use = { forest: true, baseline: true };
  let fit = fitLogistic(xf, xb, labels, use);
  if (fit.forest < 0 || fit.baseline < 0) {
    use = { forest: fit.forest >= fit.baseline, baseline: fit.baseline > fit.forest };
    fit = fitLogistic(xf, xb, labels, use);
    if (fit.forest < 0 || fit.baseline < 0) fit = fitLogistic(xf, xb, labels, { forest: false, baseline: false });
  }
  return fit;
}

function fitLogistic(
  xf: Float64Array,
  xb: Float64Array,
  labels: ArrayLike<number>,
  use: { forest: boolean; baseline: boolean },
): Stacking {
  const n = labels.length;
  const mask = [1, use.forest ? 1 : 0, use.baseline ? 1 : 0];
  const w = [0, 0, 0];
  for (let iteration = 0; iteration < 50; iteration++) {
    const g = [-RIDGE * w[0]!, -RIDGE * w[1]!, -RIDGE * w[2]!];
    const h = [
      [RIDGE, 0, 0],
      [0, RIDGE, 0],
      [0, 0, RIDGE],
    ];
    for (let i = 0; i < n; i++) {
      const x = [1, xf[i]! * mask[1]!, xb[i]! * mask[2]!];
      const p = 1 / (1 + Math.exp(-(w[0]! + w[1]! * x[1]! + w[2]! * x[2]!)));
      const r = labels[i]! - p;
      const v = p * (1 - p);
      for (let a = 0; a < 3; a++) {
        g[a]! += r * x[a]!;
        for (let b = 0; b < 3; b++) h[a]![b]! += v * x[a]! * x[b]!;
      }
    }
    const step = solve3(h, g);
    for (let a = 0; a < 3; a++) w[a]! += step[a]!;
    if (Math.max(...step.map(Math.abs)) < 1e-10) break;
  }
  return { intercept: w[0]!, forest: w[1]!, baseline: w[2]! };
}

/** The stacked probability for one calibrated forest probability and baseline. */
export function applyStacking(stacking: Stacking, forest: number, baseline: number): number {
  return 1 / (1 + Math.exp(-(stacking.intercept + stacking.forest * logit(forest) + stacking.baseline * logit(baseline))));
}

/** Solves the 3×3 system h · x = g by Gaussian elimination with partial pivoting. */
function solve3(h: number[][], g: number[]): number[] {
  const m = h.map((row, i) => [...row, g[i]!]);
  for (let col = 0; col < 3; col++) {
    let pivot = col;
    for (let row = col + 1; row < 3; row++) if (Math.abs(m[row]![col]!) > Math.abs(m[pivot]![col]!)) pivot = row;
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    for (let row = col + 1; row < 3; row++) {
      const factor = m[row]![col]! / m[col]![col]!;
      for (let k = col; k < 4; k++) m[row]![k]! -= factor * m[col]![k]!;
    }
  }
  const x = [0, 0, 0];
  for (let row = 2; row >= 0; row--) {
    let sum = m[row]![3]!;
    for (let k = row + 1; k < 3; k++) sum -= m[row]![k]! * x[k]!;
    x[row] = sum / m[row]![row]!;
  }
  return x;
}
