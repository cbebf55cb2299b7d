import type { LshIndex } from './minhash-lsh.js';
import type { Population } from './population.js';
import type { SimilarUser } from './similar-user.js';
import { nearestUsers } from './similarity-index.js';

/** How well an LSH index finds a population's neighbours, measured on a sample of its users. */
export interface LshCalibration {
  /** Recall@k of LSH against exact on the sample, by rank (a user as similar as the one missed counts). */
  readonly recall: number;
  /** Users sampled. */
  readonly sampled: number;
  /** `recall` ≥ `minRecall`: LSH answers this population; otherwise every query is exact. */
  readonly useLsh: boolean;
}

export interface CalibrationOptions {
  /** Users sampled, evenly through the population. Default 50. */
  readonly sample?: number;
  /** Neighbours per query. Default 10. */
  readonly k?: number;
  /** Sampled recall below this and the population is answered exactly. Default 0.95 (the floor is 0.9; the margin covers sampling error). */
  readonly minRecall?: number;
}

/**
 * Measures LSH's recall@k against the exact inverted index on `sample` users of the population
 * itself, so the choice between them follows the population rather than a fixed similarity
 * assumption: where neighbours are far apart (MovieLens: half the 10th neighbours below Jaccard
 * 0.15, LSH alone finds 56%) every query is then answered exactly; where they are close (a
 * million users in groups, 97%) LSH keeps its speed. Costs `sample` exact and LSH queries.
 *
 * @example
 * const calibration = calibrateLsh(population, buildLshIndex(population.sets));
 * // { recall: 0.972, sampled: 50, useLsh: true }
 */
export function calibrateLsh(population: Population, index: LshIndex, options: CalibrationOptions = {}): LshCalibration {
  const sample = options.sample ?? 50;
  const k = options.k ?? 10;
  const minRecall = options.minRecall ?? 0.95;
  if (!Number.isInteger(sample) || sample < 1) throw new RangeError(`sample: expected an integer ≥ 1 (got ${String(sample)})`);
  if (!(minRecall >= 0 && minRecall <= 1)) throw new RangeError(`minRecall: expected a number from 0 to 1 (got ${String(minRecall)})`);
  const users = population.users.filter((user) => population.sets.has(user));
  const step = Math.max(1, users.length / sample);
  let wanted = 0;
  let found = 0;
  let sampled = 0;
  for (let at = 0; Math.floor(at) < users.length && sampled < sample; at += step) {
    const user = users[Math.floor(at)]!;
    const skills = population.sets.get(user)!;
    const got = index.querySet(skills, k, user);
    nearestUsers(population, skills, k, user).forEach((match, rank) => {
      wanted++;
      if ((got[rank]?.similarity ?? -1) >= match.similarity) found++;
    });
    sampled++;
  }
  const recall = wanted === 0 ? 1 : found / wanted;
  return { recall, sampled, useLsh: recall >= minRecall };
}

/** Neighbours and how they were found. */
export interface ApproximateNeighbours {
  readonly neighbours: SimilarUser[];
  /** `lsh`: the index's answer; `exact`: the inverted index's (LSH not trusted here, or it found fewer than k). */
  readonly method: 'lsh' | 'exact';
}

/**
 * Top-k neighbours by LSH, or exactly when LSH cannot be trusted: for a population whose
 * `calibration` says LSH misses too many, and for a query where LSH found fewer than k users
 * (it cannot tell a sparse neighbourhood from a missed one).
 *
 * @example
 * const { neighbours, method } = nearestUsersApproximate(population, index, skills, 10, 'ann', calibration);
 */
export function nearestUsersApproximate(
  population: Population,
  index: LshIndex,
  skills: Uint32Array,
  k: number,
  exclude?: string,
  calibration?: LshCalibration,
): ApproximateNeighbours {
  if (calibration === undefined || calibration.useLsh) {
    const found = index.querySet(skills, k, exclude);
    if (found.length >= k) return { neighbours: found, method: 'lsh' };
  }
  return { neighbours: nearestUsers(population, skills, k, exclude), method: 'exact' };
}
