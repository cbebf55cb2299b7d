import { runToEnd, type Steps } from './cooperative.js';
import type { Population } from './population.js';

/**
 * EASE (Steck, "Embarrassingly Shallow Autoencoders for Sparse Data", WWW 2019): an item-item
 * model with a closed form. With X the users × skills matrix of used skills (0/1) and
 * G = XᵀX the skills × skills Gram matrix (co-usage counts, usage counts on the diagonal),
 * P = (G + λI)⁻¹ and B_ij = −P_ij / P_jj (B_jj = 0) minimise ‖X − XB‖² + λ‖B‖² with a zero
 * diagonal. A user's score for skill j is Σ_{i ∈ their skills} B_ij: how well their other skills
 * predict j, with co-usage that many users share explained once rather than counted per pair.
 */
export interface EaseModel {
  /** Skills the model covers: the population's skill ids 0 … skills − 1. */
  readonly skills: number;
  /** The λ the model was fitted with (absolute, added to the Gram diagonal). */
  readonly lambda: number;
  /** B in row-major order: weights[i × skills + j] is what using skill i adds to skill j's score. */
  readonly weights: Float64Array;
  /** Scores of every skill for a set of used skill ids; ids outside the model are ignored. */
  score(used: Uint32Array): Float64Array;
}

/**
 * The skills × skills Gram matrix of a population's used skills (row-major, Float64Array):
 * entry (i, j) counts the users using both i and j; (i, i) the users using i.
 *
 * @example
 * gramMatrix(buildPopulation(rows)); // Float64Array [2, 1, 1, 1] for 2 skills
 */
export function gramMatrix(population: Population): Float64Array {
  return runToEnd(gramSteps(population));
}

/** Users counted between checkpoints of `gramSteps` (each adds ~ |set|² / 2 pairs). */
const GRAM_USERS_PER_STEP = 500;

/**
 * `gramMatrix` in steps: the pairs i ≤ j of each user's sorted set are counted in the upper
 * triangle only (half the increments), which is then mirrored; counts are integers, so the
 * matrix is exactly the one a full count gives.
 */
export function* gramSteps(population: Population): Steps<Float64Array> {
  const n = population.skillIds.size;
  const gram = new Float64Array(n * n);
  let users = 0;
  for (const set of population.sets.values()) {
    const size = set.length;
    for (let a = 0; a < size; a++) {
      const i = set[a]!;
      const row = i * n;
      // Sets are sorted ascending, so set[b] ≥ i for b ≥ a: the upper triangle.
      for (let b = a; b < size; b++) gram[row + set[b]!]! += 1;
    }
    if (++users % GRAM_USERS_PER_STEP === 0) yield;
  }
  yield;
  for (let i = 0; i < n; i++) {
    const row = i * n;
    for (let j = i + 1; j < n; j++) gram[j * n + i] = gram[row + j]!;
  }
  return gram;
}

/**
 * EASE from a Gram matrix given directly (row-major n × n, symmetric); `buildEaseModel` is this
 * over a population. The matrix is not changed.
 *
 * @example
 * easeFromGram(Float64Array.of(2, 1, 1, 1), 2, 1).weights; // Float64Array [0, 0.333…, 0.5, 0]
 */
export function easeFromGram(gram: Float64Array, n: number, lambda: number): EaseModel {
  return runToEnd(easeFromGramSteps(gram, n, lambda));
}

/** `easeFromGram` in steps (a checkpoint after every pivot of the inverse). */
export function* easeFromGramSteps(gram: Float64Array, n: number, lambda: number): Steps<EaseModel> {
  if (gram.length !== n * n) throw new RangeError(`gram: expected ${n * n} entries for ${n} skills (got ${gram.length})`);
  if (!(Number.isFinite(lambda) && lambda > 0)) throw new RangeError(`lambda: expected a number > 0 (got ${String(lambda)})`);
  const p = Float64Array.from(gram);
  for (let i = 0; i < n; i++) p[i * n + i]! += lambda;
  yield* invertInPlace(p, n);
  // B_ij = −P_ij / P_jj, zero diagonal, written over P row by row (the diagonal is kept aside first).
  const diagonal = new Float64Array(n);
  for (let j = 0; j < n; j++) diagonal[j] = p[j * n + j]!;
  const weights = p;
  for (let i = 0; i < n; i++) {
    const row = i * n;
    for (let j = 0; j < n; j++) weights[row + j] = i === j ? 0 : -p[row + j]! / diagonal[j]!;
  }
  return {
    skills: n,
    lambda,
    weights,
    score(used) {
      const scores = new Float64Array(n);
      for (const i of used) {
        if (i >= n) continue;
        const row = i * n;
        let j = 0;
        for (const end = n - 3; j < end; j += 4) {
          const at = row + j;
          scores[j]! += weights[at]!;
          scores[j + 1]! += weights[at + 1]!;
          scores[j + 2]! += weights[at + 2]!;
          scores[j + 3]! += weights[at + 3]!;
        }
        for (; j < n; j++) scores[j]! += weights[row + j]!;
      }
      return scores;
    },
  };
}

/**
 * Inverse in place of a row-major n × n symmetric positive definite matrix by the sweep operator
 * (Goodnight 1979) over every pivot, on the upper triangle only (the matrix stays symmetric, so
 * half the work of Gauss–Jordan); sweeping every pivot leaves −A⁻¹, negated at the end.
 */
function* invertInPlace(a: Float64Array, n: number): Steps<void> {
  const column = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const d = a[k * n + k]!;
    if (!(d > 0)) throw new RangeError(`gram: not positive definite at skill ${k} (pivot ${d})`);
    // Column k, read from the upper triangle.
    for (let i = 0; i < k; i++) column[i] = a[i * n + k]!;
    for (let j = k; j < n; j++) column[j] = a[k * n + j]!;
    const inverse = 1 / d;
    for (let i = 0; i < n; i++) {
      const f = column[i]! * inverse;
      if (f === 0) continue;
      const row = i * n;
      // Unrolled by four (each entry still gets exactly one a − f·c per pivot, in pivot order).
      let j = i;
      for (const end = n - 3; j < end; j += 4) {
        const at = row + j;
        a[at]! -= f * column[j]!;
        a[at + 1]! -= f * column[j + 1]!;
        a[at + 2]! -= f * column[j + 2]!;
        a[at + 3]! -= f * column[j + 3]!;
      }
      for (; j < n; j++) a[row + j]! -= f * column[j]!;
    }
    // Row and column k (their updates above are overwritten).
    for (let i = 0; i < k; i++) a[i * n + k] = column[i]! * inverse;
    for (let j = k + 1; j < n; j++) a[k * n + j] = column[j]! * inverse;
    a[k * n + k] = -inverse;
    yield;
  }
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const value = -a[i * n + j]!;
      a[i * n + j] = value;
      a[j * n + i] = value;
    }
  }
}
