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
 * The last step from scores to probabilities: a logistic regression over the logits of a few
 * probabilities (the calibrated forest, the additive context model, the baseline), fitted on the
 * calibration slice. Where an input adds nothing beyond the others its weight goes to zero; where
 * the forest adds nothing beyond the skill's rate the fit leans on the rate, so the model is not
 * systematically worse than the baseline.
 */
export interface Stacking {
  intercept: number;
  /** One weight per input, in the order the inputs were given. */
  weights: number[];
}

const EDGE = 1e-4;
const RIDGE = 1e-6;

const logit = (p: number) => {
  const q = Math.min(1 - EDGE, Math.max(EDGE, p));
  return Math.log(q / (1 - q));
};

/**
 * Fits the stacking weights by Newton's method (IRLS) with a tiny ridge for stability. A weight
 * that comes out negative ("more predicted success, less success": noise, never signal) drops
 * its input, the most negative first, and the rest is refitted.
 *
 * With `anchor` (an input's index) there is no intercept and the weights sum to 1: the log-odds
 * are the anchor's plus weighted moves towards the other inputs. The calibration slice then
 * chooses how much to trust each input but cannot impose its own completion level (a recent
 * window's, with whatever incidents it held) on the future.
 * `exclude` leaves inputs out (weight 0).
 * @example fitStacking([[0.2, 0.8, 0.6], [0.5, 0.5, 0.5]], [0, 1, 1]) // { intercept, weights: [wForest, wBaseline] }
 */
export function fitStacking(
  inputs: ArrayLike<number>[],
  labels: ArrayLike<number>,
  options: { anchor?: number; exclude?: number[] } = {},
): Stacking {
  const n = labels.length;
  if (n === 0 || inputs.length === 0 || inputs.some((column) => column.length !== n))
    throw new RangeError('fitStacking needs equal, non-empty inputs');
  const anchor = options.anchor;
  if (anchor !== undefined && !(Number.isInteger(anchor) && anchor >= 0 && anchor < inputs.length))
    throw new RangeError(`fitStacking: anchor must be an input index (got ${anchor})`);
  const raw = inputs.map((column) => Float64Array.from({ length: n }, (_, i) => logit(column[i]!)));
  const offset = anchor === undefined ? undefined : raw[anchor]!;
  // Anchored: the other inputs enter as their difference from the anchor.
  const x = offset ? raw.map((column) => column.map((v, i) => v - offset[i]!)) : raw;
  const use = inputs.map((_, j) => j !== anchor && !options.exclude?.includes(j));
  for (;;) {
    const fit = fitLogistic(x, labels, use, offset);
    let worst = -1;
    fit.weights.forEach((w, j) => {
      if (w < 0 && (worst < 0 || w < fit.weights[worst]!)) worst = j;
    });
    if (worst < 0) {
      if (anchor !== undefined) fit.weights[anchor] = 1 - fit.weights.reduce((a, b) => a + b, 0);
      return fit;
    }
    use[worst] = false;
  }
}

function fitLogistic(x: Float64Array[], labels: ArrayLike<number>, use: boolean[], offset?: Float64Array): Stacking {
  const n = labels.length;
  const columns = x.map((_, j) => j).filter((j) => use[j]);
  // Column 0 is the intercept, left out (fixed at 0) when there is an offset.
  const first = offset ? 1 : 0;
  const d = columns.length + 1;
  const w = new Array<number>(d).fill(0);
  const row = new Array<number>(d).fill(1);
  for (let iteration = 0; iteration < 50; iteration++) {
    const g = w.map((v) => -RIDGE * v);
    const h = Array.from({ length: d }, (_, a) => Array.from({ length: d }, (_, b) => (a === b ? RIDGE : 0)));
    for (let i = 0; i < n; i++) {
      let eta = offset ? offset[i]! : w[0]!;
      for (let c = 0; c < columns.length; c++) {
        row[c + 1] = x[columns[c]!]![i]!;
        eta += w[c + 1]! * row[c + 1]!;
      }
      const p = 1 / (1 + Math.exp(-eta));
      const r = labels[i]! - p;
      const v = p * (1 - p);
      for (let a = first; a < d; a++) {
        g[a]! += r * row[a]!;
        for (let b = first; b < d; b++) h[a]![b]! += v * row[a]! * row[b]!;
      }
    }
    const step = solve(h, g);
    for (let a = first; a < d; a++) w[a]! += step[a]!;
    if (Math.max(...step.map(Math.abs)) < 1e-10) break;
  }
  const weights = x.map(() => 0);
  columns.forEach((j, c) => {
    weights[j] = w[c + 1]!;
  });
  return { intercept: offset ? 0 : w[0]!, weights };
}

/**
 * Forward validation of one optional input: the stack is fitted with and without it on the older
 * half of the rows, and the input is kept only if it lowers the log loss on the newer half by
 * more than two standard errors of the paired per-row differences; the winner is refitted on all
 * rows. An input that helps on the rows it was fitted on but not clearly on later ones (a forest
 * that learned the fitting period's noise) is left out.
 */
export function fitStackingForward(
  inputs: ArrayLike<number>[],
  labels: ArrayLike<number>,
  options: { anchor: number; optional: number },
): Stacking {
  const n = labels.length;
  const half = Math.floor(n / 2);
  const older = inputs.map((column) => Array.prototype.slice.call(column, 0, half) as number[]);
  const newer = inputs.map((column) => Array.prototype.slice.call(column, half) as number[]);
  const olderLabels = Array.prototype.slice.call(labels, 0, half) as number[];
  const newerLabels = Array.prototype.slice.call(labels, half) as number[];
  const without = { anchor: options.anchor, exclude: [options.optional] };
  const canValidate = half > 0 && olderLabels.includes(0) && olderLabels.includes(1) && newerLabels.length > 1;
  if (!canValidate) return fitStacking(inputs, labels, { anchor: options.anchor });
  const rowLoss = (stacking: Stacking, i: number) => {
    const p = Math.min(
      1 - 1e-12,
      Math.max(
        1e-12,
        applyStacking(
          stacking,
          newer.map((column) => column[i]!),
        ),
      ),
    );
    return newerLabels[i] === 1 ? -Math.log(p) : -Math.log(1 - p);
  };
  const withIt = fitStacking(older, olderLabels, { anchor: options.anchor });
  const withoutIt = fitStacking(older, olderLabels, without);
  let sum = 0;
  let squares = 0;
  const m = newerLabels.length;
  for (let i = 0; i < m; i++) {
    const d = rowLoss(withoutIt, i) - rowLoss(withIt, i);
    sum += d;
    squares += d * d;
  }
  const mean = sum / m;
  const standardError = Math.sqrt(Math.max(0, squares / m - mean * mean) / (m - 1));
  return fitStacking(inputs, labels, mean > 2 * standardError ? { anchor: options.anchor } : without);
}

/** The stacked probability for one set of input probabilities (in the order fitted). */
export function applyStacking(stacking: Stacking, inputs: ArrayLike<number>): number {
  let eta = stacking.intercept;
  for (let j = 0; j < stacking.weights.length; j++) if (stacking.weights[j] !== 0) eta += stacking.weights[j]! * logit(inputs[j]!);
  return 1 / (1 + Math.exp(-eta));
}

/** Solves h · x = g by Gaussian elimination with partial pivoting (h is small and positive definite). */
function solve(h: number[][], g: number[]): number[] {
  const d = g.length;
  const m = h.map((row, i) => [...row, g[i]!]);
  for (let col = 0; col < d; col++) {
    let pivot = col;
    for (let row = col + 1; row < d; row++) if (Math.abs(m[row]![col]!) > Math.abs(m[pivot]![col]!)) pivot = row;
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    for (let row = col + 1; row < d; row++) {
      const factor = m[row]![col]! / m[col]![col]!;
      for (let k = col; k <= d; k++) m[row]![k]! -= factor * m[col]![k]!;
    }
  }
  const x = new Array<number>(d).fill(0);
  for (let row = d - 1; row >= 0; row--) {
    let sum = m[row]![d]!;
    for (let k = row + 1; k < d; k++) sum -= m[row]![k]! * x[k]!;
    x[row] = sum / m[row]![row]!;
  }
  return x;
}
