/**
 * A regularised additive logistic model over the context a skill runs in:
 *
 *   logit p = intercept + phase[p] + block[h] + cluster[c]
 *           + skill[s] + skill×phase[s, p] + skill×block[s, h] + cluster×skill[c, s]
 *
 * (p: workflow phase, h: 3-hour block of the UTC day, c: the user's usage cluster). Every term is
 * one-hot, so rows with the same (skill, phase, block, cluster) are pooled into one binomial cell
 * and the fit never looks at rows again: block-coordinate Newton steps (each block's parameters
 * are independent given the others) with an L2 penalty, which shrinks a sparse interaction
 * towards the shared terms instead of trusting its few rows.
 */

/** Levels of the phase slot: 0 = no phase, 1 + phase code (the 5 phases, then "other"). */
export const PHASE_LEVELS = 7;
/** 3-hour blocks of the UTC day. */
export const BLOCK_LEVELS = 8;

/**
 * L2 weight of each block of terms (1 / the variance of its effects), in the order phase, block,
 * cluster, skill, skill×phase, skill×block, cluster×skill.
 */
export type AdditivePenalty = number[];

/** Blocks of terms, in the order of `AdditivePenalty`. */
export const TERM_BLOCKS = ['phase', 'block', 'cluster', 'skill', 'skill_phase', 'skill_block', 'cluster_skill'] as const;

/** One pooled cell: the context and its counts. */
export interface AdditiveCells {
  skill: Int32Array;
  phase: Int32Array;
  block: Int32Array;
  /** −1: the user has no cluster (unknown or no user): cluster terms are left out. */
  cluster: Int32Array;
  trials: Float64Array;
  successes: Float64Array;
  length: number;
}

/** Fitted parameters, indexed by skill index and cluster number. */
export interface AdditiveModel {
  skills: number;
  clusters: number;
  intercept: number;
  phase: number[];
  block: number[];
  cluster: number[];
  skill: number[];
  /** [skill · PHASE_LEVELS + phase] */
  skillPhase: number[];
  /** [skill · BLOCK_LEVELS + block] */
  skillBlock: number[];
  /** [skill · clusters + cluster] */
  clusterSkill: number[];
}

/** Pools rows into cells keyed by (skill, phase, block, cluster). */
export function poolCells(
  rows: {
    skill: ArrayLike<number>;
    phase: ArrayLike<number>;
    block: ArrayLike<number>;
    cluster: ArrayLike<number>;
    label: ArrayLike<number>;
  },
  start: number,
  end: number,
): AdditiveCells {
  const index = new Map<number, number>();
  const skill: number[] = [];
  const phase: number[] = [];
  const block: number[] = [];
  const cluster: number[] = [];
  const trials: number[] = [];
  const successes: number[] = [];
  for (let i = start; i < end; i++) {
    const s = rows.skill[i]!;
    const p = rows.phase[i]!;
    const h = rows.block[i]!;
    const c = rows.cluster[i]!;
    // A number key: skill < 2^20 skills, cluster < 2^10 (+1 for "none").
    const key = ((s * 1024 + (c + 1)) * PHASE_LEVELS + p) * BLOCK_LEVELS + h;
    let k = index.get(key);
    if (k === undefined) {
      k = skill.length;
      index.set(key, k);
      skill.push(s);
      phase.push(p);
      block.push(h);
      cluster.push(c);
      trials.push(0);
      successes.push(0);
    }
    trials[k]!++;
    successes[k]! += rows.label[i]!;
  }
  return {
    skill: Int32Array.from(skill),
    phase: Int32Array.from(phase),
    block: Int32Array.from(block),
    cluster: Int32Array.from(cluster),
    trials: Float64Array.from(trials),
    successes: Float64Array.from(successes),
    length: skill.length,
  };
}

/** One block of parameters: which parameter a cell uses (−1: none) and its penalty. */
interface ParameterBlock {
  values: Float64Array;
  of: (cell: number) => number;
  penalty: number;
}

const PENALTY_RANGE = [0.1, 1000] as const;
/** Index of the skill block in `blocks` (after the intercept). */
const SKILL_BLOCK = 4;
const PENALTY_ROUNDS = 10;
const SWEEPS_PER_ROUND = 4;

/**
 * Fits the model by cyclic block-coordinate Newton steps on the penalised binomial likelihood
 * (the intercept unpenalised), until no parameter moves by more than `tolerance`. Without a
 * `penalty`, each block's is estimated from the data as in a Gaussian random-effects model
 * (penalised quasi-likelihood): the variance of a block's effects is re-estimated from the
 * fitted effects and their uncertainty, λ = 1/variance, and the fit resumed, a few rounds; so the
 * data decide how far skill×phase effects are pooled towards the shared phase effect, and so on.
 * @example fitAdditive(poolCells(rows, 0, n), { skills: 8, clusters: 4 }).penalty
 */
export function fitAdditive(
  cells: AdditiveCells,
  options: { skills: number; clusters: number; penalty?: AdditivePenalty; maxSweeps?: number; tolerance?: number },
): AdditiveModel & { penalty: AdditivePenalty } {
  const { skills, clusters } = options;
  const maxSweeps = options.maxSweeps ?? 40;
  const tolerance = options.tolerance ?? 1e-4;
  let trials = 0;
  let successes = 0;
  for (let k = 0; k < cells.length; k++) {
    trials += cells.trials[k]!;
    successes += cells.successes[k]!;
  }
  const intercept = new Float64Array([Math.log((successes + 0.5) / (trials - successes + 0.5))]);
  const withCluster = (f: (k: number, c: number) => number) => (k: number) => {
    const c = cells.cluster[k]!;
    return c < 0 ? -1 : f(k, c);
  };
  const penalty = options.penalty ?? TERM_BLOCKS.map(() => 1);
  const blocks: ParameterBlock[] = [
    { values: intercept, of: () => 0, penalty: 0 },
    { values: new Float64Array(PHASE_LEVELS), of: (k) => cells.phase[k]!, penalty: penalty[0]! },
    { values: new Float64Array(BLOCK_LEVELS), of: (k) => cells.block[k]!, penalty: penalty[1]! },
    { values: new Float64Array(clusters), of: withCluster((_, c) => c), penalty: penalty[2]! },
    { values: new Float64Array(skills), of: (k) => cells.skill[k]!, penalty: penalty[3]! },
    { values: new Float64Array(skills * PHASE_LEVELS), of: (k) => cells.skill[k]! * PHASE_LEVELS + cells.phase[k]!, penalty: penalty[4]! },
    { values: new Float64Array(skills * BLOCK_LEVELS), of: (k) => cells.skill[k]! * BLOCK_LEVELS + cells.block[k]!, penalty: penalty[5]! },
    { values: new Float64Array(skills * clusters), of: withCluster((k, c) => cells.skill[k]! * clusters + c), penalty: penalty[6]! },
  ];
  // Which parameter of each block every cell uses, computed once.
  const uses = blocks.map((b) => Int32Array.from({ length: cells.length }, (_, k) => b.of(k)));
  const eta = new Float64Array(cells.length).fill(intercept[0]!);
  const curvatures = blocks.map((b) => new Float64Array(b.values.length));
  const sweep = () => {
    let largest = 0;
    blocks.forEach((block, b) => {
      const use = uses[b]!;
      const values = block.values;
      const gradient = new Float64Array(values.length);
      const curvature = curvatures[b]!.fill(0);
      for (let k = 0; k < cells.length; k++) {
        const j = use[k]!;
        if (j < 0) continue;
        const p = 1 / (1 + Math.exp(-eta[k]!));
        const n = cells.trials[k]!;
        gradient[j]! += cells.successes[k]! - n * p;
        curvature[j]! += n * p * (1 - p);
      }
      const step = new Float64Array(values.length);
      for (let j = 0; j < values.length; j++) {
        const h = curvature[j]! + block.penalty;
        if (h <= 0) continue;
        step[j] = (gradient[j]! - block.penalty * values[j]!) / h;
        values[j]! += step[j]!;
        largest = Math.max(largest, Math.abs(step[j]!));
      }
      for (let k = 0; k < cells.length; k++) {
        const j = use[k]!;
        if (j >= 0) eta[k]! += step[j]!;
      }
    });
    return largest;
  };
  const converge = (sweeps: number) => {
    for (let s = 0; s < sweeps; s++) if (sweep() < tolerance) break;
  };
  // With penalties to estimate, a few sweeps between updates (warm-started), converged at the end.
  converge(options.penalty ? maxSweeps : SWEEPS_PER_ROUND);
  if (!options.penalty) {
    for (let round = 0; round < PENALTY_ROUNDS; round++) {
      let changed = 0;
      blocks.forEach((block, b) => {
        // The intercept is unpenalised; the skill levels keep their light fixed penalty: their
        // variance is large and, estimated, would be lent to the interactions of small skills.
        if (b === 0 || b === SKILL_BLOCK || block.values.length === 0) return;
        // E[θ²] under the Laplace approximation: the estimate squared plus its variance.
        let total = 0;
        for (let j = 0; j < block.values.length; j++) total += block.values[j]! ** 2 + 1 / (curvatures[b]![j]! + block.penalty);
        const next = Math.min(PENALTY_RANGE[1], Math.max(PENALTY_RANGE[0], block.values.length / total));
        changed = Math.max(changed, Math.abs(Math.log(next / block.penalty)));
        block.penalty = next;
      });
      if (changed < 0.05) break;
      converge(SWEEPS_PER_ROUND);
    }
    converge(maxSweeps);
  }
  const [, phase, block, cluster, skill, skillPhase, skillBlock, clusterSkill] = blocks.map((b) => Array.from(b.values));
  return {
    skills,
    clusters,
    intercept: intercept[0]!,
    phase: phase!,
    block: block!,
    cluster: cluster!,
    skill: skill!,
    skillPhase: skillPhase!,
    skillBlock: skillBlock!,
    clusterSkill: clusterSkill!,
    penalty: blocks.slice(1).map((b) => b.penalty),
  };
}

/** Which terms of the model to include: all by default; a factor explanation leaves one out. */
export interface AdditiveTerms {
  phase: boolean;
  block: boolean;
  cluster: boolean;
}

export const ALL_TERMS: AdditiveTerms = { phase: true, block: true, cluster: true };

/**
 * The model's log-odds for one context; skill −1 (unknown) keeps only the shared terms, cluster −1
 * leaves the cluster terms out.
 */
export function additiveLogit(
  model: AdditiveModel,
  skill: number,
  phase: number,
  block: number,
  cluster: number,
  terms: AdditiveTerms = ALL_TERMS,
): number {
  let eta = model.intercept;
  if (terms.phase) eta += model.phase[phase]!;
  if (terms.block) eta += model.block[block]!;
  const c = terms.cluster && cluster >= 0 && cluster < model.clusters ? cluster : -1;
  if (c >= 0) eta += model.cluster[c]!;
  if (skill >= 0 && skill < model.skills) {
    eta += model.skill[skill]!;
    if (terms.phase) eta += model.skillPhase[skill * PHASE_LEVELS + phase]!;
    if (terms.block) eta += model.skillBlock[skill * BLOCK_LEVELS + block]!;
    if (c >= 0) eta += model.clusterSkill[skill * model.clusters + c]!;
  }
  return eta;
}

/** Mean binomial log loss of the model on pooled cells (for choosing the cluster count and penalty). */
export function additiveLogLoss(model: AdditiveModel, cells: AdditiveCells): number {
  let loss = 0;
  let trials = 0;
  for (let k = 0; k < cells.length; k++) {
    const eta = additiveLogit(model, cells.skill[k]!, cells.phase[k]!, cells.block[k]!, cells.cluster[k]!);
    // log(1 + e^η) computed without overflow.
    const softplus = eta > 0 ? eta + Math.log1p(Math.exp(-eta)) : Math.log1p(Math.exp(eta));
    loss += cells.trials[k]! * softplus - cells.successes[k]! * eta;
    trials += cells.trials[k]!;
  }
  return loss / trials;
}
