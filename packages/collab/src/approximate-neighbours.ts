import type { LshIndex } from './minhash-lsh.js';
import type { Population } from './population.js';
import type { SimilarUser } from './similar-user.js';
import { nearestUsers } from './similarity-index.js';

export interface ApproximateNeighboursOptions {
  /**
   * The least chance, at the similarity of the k-th user LSH found, that a user that similar is a
   * candidate at all; below it the query is answered exactly. Default 0.95.
   */
  readonly minCandidateProbability?: number;
}

/** Neighbours and how they were found. */
export interface ApproximateNeighbours {
  readonly neighbours: SimilarUser[];
  /** `lsh`: the index's answer; `exact`: the LSH answer could not be trusted, so the inverted index answered. */
  readonly method: 'lsh' | 'exact';
}

/**
 * Top-k neighbours by LSH, falling back to the exact inverted index when LSH cannot be trusted
 * for this query: when it found fewer than k users, or when a user as similar as the k-th it found
 * would become a candidate with probability below `minCandidateProbability` (every true top-k
 * neighbour is at least that similar, so each is found with at least that probability whenever
 * LSH's answer is kept). Populations whose neighbours are far apart (10th-neighbour Jaccard below
 * 0.2 with 64 × 2 bands) are thus answered exactly, and recall stays ≥ that probability.
 *
 * @example
 * const { neighbours, method } = nearestUsersApproximate(population, index, skills, 10, 'ann');
 */
export function nearestUsersApproximate(
  population: Population,
  index: LshIndex,
  skills: Uint32Array,
  k: number,
  exclude?: string,
  options: ApproximateNeighboursOptions = {},
): ApproximateNeighbours {
  const floor = options.minCandidateProbability ?? 0.95;
  if (!(floor >= 0 && floor <= 1)) throw new RangeError(`minCandidateProbability: expected a number from 0 to 1 (got ${String(floor)})`);
  const found = index.querySet(skills, k, exclude);
  const kth = found[k - 1];
  if (kth !== undefined && index.candidateProbability(kth.similarity) >= floor) return { neighbours: found, method: 'lsh' };
  return { neighbours: nearestUsers(population, skills, k, exclude), method: 'exact' };
}
