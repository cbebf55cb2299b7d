import { seededRandom } from '@skills/stats';
import { runCooperatively, runToEnd, type Steps } from './cooperative.js';
import { easeFromGramSteps, gramSteps, type EaseModel } from './ease.js';
import type { Population } from './population.js';

export interface EaseOptions extends LambdaChoiceOptions {
  /** Ridge strength, absolute (added to the Gram diagonal). Default: chosen by `chooseEaseLambda`. */
  readonly lambda?: number;
  /** λ as a share of the mean Gram diagonal (the mean number of users per used skill), instead of `lambda`. */
  readonly lambdaShare?: number;
  /**
   * Popularity damping α ≥ 0: every skill's column of B is divided by (its users)^α, so skills
   * everyone uses anyway rank lower. Default: chosen with λ on the held-out skills
   * (`debias`) when neither `lambda` nor `lambdaShare` is given, else 0 (plain EASE).
   */
  readonly popularityExponent?: number;
}

/** An EASE model and how its λ was set. */
export interface FittedEase extends EaseModel {
  /** λ as a share of the mean Gram diagonal, when it was given as one or chosen. */
  readonly share?: number;
  /** The validation behind the λ, when it was chosen (neither `lambda` nor `lambdaShare` given). */
  readonly choice?: LambdaChoice;
  /** The popularity damping α the weights carry (0: plain EASE). */
  readonly exponent: number;
  /** How α was chosen (on the same held-out skills, at the chosen λ), when it was. */
  readonly debias?: ExponentChoice;
}

/** One popularity damping α tried on the validation split (at the chosen λ) and its NDCG@10 there. */
export interface ExponentTrial {
  readonly exponent: number;
  readonly ndcg: number;
}

/** The popularity damping chosen for a population: the best α of `EXPONENTS` on held-out skills (ties to the smaller). */
export interface ExponentChoice {
  readonly exponent: number;
  readonly trials: readonly ExponentTrial[];
}

/**
 * Fits EASE (see `EaseModel`) on a population's used skills. λ: `lambda`, else `lambdaShare` ×
 * the mean Gram diagonal, else the share `chooseEaseLambda` finds best on held-out skills of this
 * population; in that last case the popularity damping α (`popularityExponent`: column j of B
 * divided by (users of j)^α) is then chosen on the same held-out skills at that λ, from 0 (plain
 * EASE), 1/8, 1/4, 3/8, 1/2 (issue 17: on MovieLens it lifts NDCG@10 from 1.11 to 1.16 × the
 * previous default; the README's *Choosing the recommender*). The inverse is the sweep operator on the upper triangle without pivoting, which is
 * stable here (G + λI is symmetric positive definite for λ > 0); it costs skills³ / 2
 * multiply-adds (500 skills: ~65 ms; choosing λ takes 7 more). Synchronous: `recommendSkills` runs
 * the same steps with the event loop handed back between them (`fitEaseModel`).
 *
 * @example
 * const model = buildEaseModel(population);
 * model.score(population.sets.get('ann')!); // Float64Array, one score per skill id
 */
export function buildEaseModel(population: Population, options: EaseOptions = {}): FittedEase {
  return runToEnd(fitSteps(population, options));
}

/**
 * `buildEaseModel` without blocking the event loop: the same steps, with the event loop handed back
 * (setImmediate) after every stretch of about `sliceMs` (default 8 ms) — between chunks of the Gram
 * count, between pivots of each inverse and between chunks of the validation users. The model is
 * identical to `buildEaseModel`'s. What `recommendSkills` runs.
 */
export function fitEaseModel(population: Population, options: EaseOptions & { readonly sliceMs?: number } = {}): Promise<FittedEase> {
  return runCooperatively(fitSteps(population, options), options.sliceMs);
}

function* fitSteps(population: Population, options: EaseOptions): Steps<FittedEase> {
  const n = population.skillIds.size;
  const given = options.popularityExponent;
  if (given !== undefined && !(Number.isFinite(given) && given >= 0)) {
    throw new RangeError(`popularityExponent: expected a number >= 0 (got ${String(given)})`);
  }
  if (options.lambda !== undefined) {
    if (!(Number.isFinite(options.lambda) && options.lambda > 0))
      throw new RangeError(`lambda: expected a number > 0 (got ${String(options.lambda)})`);
    const gram = yield* gramSteps(population);
    return damped(yield* easeFromGramSteps(gram, n, options.lambda), gram, given ?? 0);
  }
  if (options.lambdaShare !== undefined && !(Number.isFinite(options.lambdaShare) && options.lambdaShare > 0)) {
    throw new RangeError(`lambdaShare: expected a number > 0 (got ${String(options.lambdaShare)})`);
  }
  // One count of the Gram matrix serves both the λ choice (on a copy) and the final fit.
  const gram = yield* gramSteps(population);
  const validated = options.lambdaShare === undefined ? yield* validationSteps(population, options, gram, given === undefined) : undefined;
  const choice = validated?.choice;
  const share = options.lambdaShare ?? choice!.share;
  const debias = validated?.debias;
  const exponent = given ?? debias?.exponent ?? 0;
  // An empty population still gets a positive λ, so the inverse exists.
  const lambda = Math.max(share * meanUsage(gram, n), 1e-9);
  const model = damped(yield* easeFromGramSteps(gram, n, lambda), gram, exponent);
  return { ...model, share, ...(choice === undefined ? {} : { choice }), ...(debias === undefined ? {} : { debias }) };
}

/**
 * Popularity damping (e.g. Steck, "Calibrated recommendations", RecSys 2018, on popularity bias):
 * column j of B divided by max(1, G_jj)^α. A positive scaling per recommended skill, so which of
 * the user's skills add most to a score (the reason) does not change; α = 0 leaves B as it is.
 */
function damped(model: EaseModel, gram: Float64Array, exponent: number): EaseModel & { readonly exponent: number } {
  if (exponent === 0) return { ...model, exponent };
  const n = model.skills;
  const factor = new Float64Array(n);
  for (let j = 0; j < n; j++) factor[j] = Math.max(1, gram[j * n + j]!) ** -exponent;
  const weights = model.weights;
  for (let i = 0; i < n; i++) {
    const row = i * n;
    for (let j = 0; j < n; j++) weights[row + j]! *= factor[j]!;
  }
  return { ...model, exponent, score: model.score };
}

/** One λ tried on the validation split and its NDCG@10 there. */
export interface LambdaTrial {
  /** λ as a share of the mean Gram diagonal (the mean number of users per used skill). */
  readonly share: number;
  readonly ndcg: number;
}

/** The λ chosen for a population and how. */
export interface LambdaChoice {
  /** The chosen share of the mean diagonal of the full population's Gram matrix. */
  readonly share: number;
  /** `validation`: the best share on held-out skills; `default`: too few users to hold any out. */
  readonly chosenBy: 'validation' | 'default';
  readonly trials: readonly LambdaTrial[];
}

export interface LambdaChoiceOptions {
  /** Users held out at most (sampled evenly through the population). Default 2,000. */
  readonly validationUsers?: number;
  /** Fewer eligible users than this (with at least 5 used skills) and the default share is used. Default 50. */
  readonly minValidationUsers?: number;
}

/** Used when a population is too small to validate on; the best share on synth's default mix. */
export const FALLBACK_LAMBDA_SHARE = 0.25;
/** A coarse grid (factor 4), then the two halfway points around the best. */
const GRID = [0.0625, 0.25, 1, 4, 16];
const DISCOUNT = Array.from({ length: 10 }, (_, i) => 1 / Math.log2(i + 2));

/**
 * Chooses EASE's λ for a population by measurement, since no fixed value fits every population
 * (on synth's workloads the best λ is ≈ 0.25 × the mean diagonal, on MovieLens ≈ 8 ×): up to
 * `validationUsers` users with at least five used skills each have 20% of them (at least one,
 * seeded) taken out of the Gram matrix, EASE is fitted for each share of a grid and scored by
 * NDCG@10 of those held-out skills, and the best share wins (ties to the smaller). Costs one
 * inversion of the skills × skills matrix per share tried (7).
 *
 * @example
 * chooseEaseLambda(population); // { share: 0.25, chosenBy: 'validation', trials: [{ share: 0.0625, ndcg: 0.61 }, …] }
 */
export function chooseEaseLambda(population: Population, options: LambdaChoiceOptions = {}): LambdaChoice {
  return runToEnd(validationSteps(population, options, undefined, false)).choice;
}

/** Validation users handled between checkpoints (splitting them, scoring them). */
const USERS_PER_STEP = 100;

/** Popularity damping α tried at the chosen λ (0, plain EASE, is the λ trial itself). */
const EXPONENTS = [0.125, 0.25, 0.375, 0.5];

/**
 * `chooseEaseLambda` in steps, then (`withExponent`) the popularity damping α on the same held-out
 * skills at the chosen λ; `fullGram`, the population's Gram matrix when already counted, is not changed.
 */
function* validationSteps(
  population: Population,
  options: LambdaChoiceOptions,
  fullGram: Float64Array | undefined,
  withExponent: boolean,
): Steps<{ choice: LambdaChoice; debias?: ExponentChoice }> {
  const wanted = options.validationUsers ?? 2_000;
  const minimum = options.minValidationUsers ?? 50;
  const n = population.skillIds.size;
  // (setSizes[i] is the size of sets.get(users[i]), without 100,000 string lookups.)
  const eligible = population.users.filter((_, index) => population.setSizes[index]! >= 5);
  yield;
  if (eligible.length < minimum || n === 0) return { choice: { share: FALLBACK_LAMBDA_SHARE, chosenBy: 'default', trials: [] } };
  const step = eligible.length / Math.min(wanted, eligible.length);
  const random = seededRandom(0x5eed); // mulberry32: the validation split is the same every run
  const gram = fullGram === undefined ? yield* gramSteps(population) : Float64Array.from(fullGram);
  yield;
  const held: { kept: Uint32Array; hidden: Set<number>; excluded: Uint32Array }[] = [];
  for (let at = 0; Math.floor(at) < eligible.length; at += step) {
    const user = eligible[Math.floor(at)]!;
    const set = population.sets.get(user)!;
    const order = Array.from(set);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const hidden = new Set(order.slice(0, Math.max(1, Math.round(set.length * 0.2))));
    const kept = set.filter((skill) => !hidden.has(skill));
    // Take the hidden skills' pairs out of the Gram matrix.
    for (const a of set) for (const b of set) if (hidden.has(a) || hidden.has(b)) gram[a * n + b]! -= 1;
    const excluded = new Set(population.stats.byUser.get(user)?.keys() ?? []);
    for (const skill of hidden) excluded.delete(skill);
    held.push({ kept, hidden, excluded: Uint32Array.from(excluded) });
    if (held.length % USERS_PER_STEP === 0) yield;
  }
  const meanDiagonal = Math.max(meanUsage(gram, n), 1e-9);
  const trials = new Map<number, number>();
  // The validation model of the best share so far (for the α trials), not one per share.
  let bestModel: { share: number; ndcg: number; model: EaseModel } | undefined;
  // The excluded skills as a mask (set for one user at a time): cheaper than a Set lookup per skill.
  const mask = new Uint8Array(n);
  function* meanNdcg(model: EaseModel, factor?: Float64Array): Steps<number> {
    let ndcg = 0;
    let scored = 0;
    for (const { kept, hidden, excluded } of held) {
      for (const skill of excluded) mask[skill] = 1;
      const scores = model.score(kept);
      if (factor !== undefined) for (let j = 0; j < n; j++) scores[j]! *= factor[j]!;
      ndcg += ndcgAt10(scores, hidden, mask);
      for (const skill of excluded) mask[skill] = 0;
      if (++scored % USERS_PER_STEP === 0) yield;
    }
    return ndcg / held.length;
  }
  function* tryShare(share: number): Steps<void> {
    if (trials.has(share)) return;
    const model = yield* easeFromGramSteps(gram, n, share * meanDiagonal);
    const ndcg = yield* meanNdcg(model);
    trials.set(share, ndcg);
    if (bestModel === undefined || ndcg > bestModel.ndcg || (ndcg === bestModel.ndcg && share < bestModel.share))
      bestModel = { share, ndcg, model };
  }
  const best = (): number => [...trials].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]![0];
  for (const share of GRID) yield* tryShare(share);
  const coarse = best();
  yield* tryShare(coarse / 2);
  yield* tryShare(coarse * 2);
  const choice: LambdaChoice = {
    share: best(),
    chosenBy: 'validation',
    trials: [...trials].sort((a, b) => a[0] - b[0]).map(([share, ndcg]) => ({ share, ndcg })),
  };
  if (!withExponent) return { choice };
  // α at the chosen λ: the validation model's scores times max(1, users of j)^−α, users counted
  // in the validation Gram matrix (what the final model does with the full one).
  const exponentTrials: ExponentTrial[] = [{ exponent: 0, ndcg: bestModel!.ndcg }];
  const factor = new Float64Array(n);
  for (const exponent of EXPONENTS) {
    for (let j = 0; j < n; j++) factor[j] = Math.max(1, gram[j * n + j]!) ** -exponent;
    exponentTrials.push({ exponent, ndcg: yield* meanNdcg(bestModel!.model, factor) });
  }
  const chosen = exponentTrials.reduce((a, b) => (b.ndcg > a.ndcg ? b : a));
  return { choice, debias: { exponent: chosen.exponent, trials: exponentTrials } };
}

/**
 * The mean of the Gram diagonal over skills someone uses (the mean number of users per used
 * skill); skills nobody uses (only ever failed) would otherwise lower it.
 */
function meanUsage(gram: Float64Array, n: number): number {
  let trace = 0;
  let used = 0;
  for (let i = 0; i < n; i++) {
    const d = gram[i * n + i]!;
    if (d > 0) {
      trace += d;
      used++;
    }
  }
  return used === 0 ? 0 : trace / used;
}

/** NDCG@10 of the top-10 positive scores (skills j with `excluded[j]` set skipped) against `relevant`. */
function ndcgAt10(scores: Float64Array, relevant: ReadonlySet<number>, excluded: Uint8Array): number {
  const top: number[] = [];
  for (let j = 0; j < scores.length; j++) {
    const score = scores[j]!;
    if (!(score > 0) || excluded[j] === 1) continue;
    if (top.length === 10 && score <= scores[top[9]!]!) continue;
    let at = Math.min(top.length, 9);
    if (top.length < 10) top.push(j);
    while (at > 0 && scores[top[at - 1]!]! < score) {
      top[at] = top[at - 1]!;
      at--;
    }
    top[at] = j;
  }
  let dcg = 0;
  top.forEach((skill, i) => {
    if (relevant.has(skill)) dcg += DISCOUNT[i]!;
  });
  let ideal = 0;
  for (let i = 0; i < Math.min(10, relevant.size); i++) ideal += DISCOUNT[i]!;
  return dcg / ideal;
}
