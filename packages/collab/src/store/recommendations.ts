import type { Store } from '@skills/storage';
import type { Population } from '../population.js';
import type { EaseModel } from '../ease.js';
import { popularityRecommendations, rankByNeighbours, rankByRelatedSkills, sameScore } from '../recommend.js';
import type { SimilarUser } from '../similar-user.js';
import { nearestUsers } from '../similarity-index.js';
import { nearestUsersApproximate } from '../approximate-neighbours.js';
import type { SkillOutcome, UsageStats } from '../usage-stats.js';
import {
  cached,
  easeModel,
  lshIndex,
  population,
  readTarget,
  remember,
  settings,
  type CollabOptions,
  type TargetUser,
} from './collab-cache.js';

/** How similar users are found: exactly (inverted index), by MinHash/LSH, or chosen by size. */
export type SimilarityMethod = 'exact' | 'lsh' | 'auto';

export interface SimilarUsersOptions extends CollabOptions {
  /** Neighbours to return. Default 10. */
  readonly k?: number;
  /**
   * Default `auto`: LSH for populations above 250,000 users; below, exact while the target's
   * skills are used by at most `exactWorkLimit` users in total (the postings the exact path
   * walks), LSH beyond that.
   */
  readonly method?: SimilarityMethod;
  /** See `method`. Default 2,000,000. */
  readonly exactWorkLimit?: number;
}

/** A neighbour: the other user's pseudonym (never their id) and the Jaccard similarity of skill sets. */
export interface SimilarUserMatch {
  readonly user: string;
  readonly similarity: number;
}

/**
 * The `k` users whose sets of used skills (completed at least `minSuccesses` times) are most
 * similar to `userId`'s by Jaccard, highest first, ties by pseudonym. Other users appear only as
 * pseudonyms. A user with no used skill has no neighbours.
 *
 * @example
 * await similarUsers(store, 'ann', { k: 5 });
 * // [{ user: 'Xk3…', similarity: 0.6 }, …]
 */
export async function similarUsers(store: Store, userId: string, options: SimilarUsersOptions = {}): Promise<SimilarUserMatch[]> {
  const k = checkCount('k', options.k ?? 10);
  const method = checkMethod(options.method ?? 'auto');
  const limit = options.exactWorkLimit ?? 2_000_000;
  const { minSuccesses, ttl, now } = settings(options);
  const target = await readTarget(store, userId);
  const key = `similar\u0000${target.pseudonym}\u0000${k}\u0000${method}\u0000${limit}\u0000${minSuccesses}`;
  const entry = population(store, minSuccesses, ttl, now);
  const hit = cached<SimilarUserMatch[]>(store, key, target, entry, now);
  if (hit) return hit;
  const found = await neighboursOf(entry, await entry.population, target, k, method, limit);
  remember(store, key, target, entry, found, now, ttl);
  return found;
}

/**
 * How skills are ranked: `ease`, an item model over which skills users use together (closed form
 * over the skill × skill co-usage matrix, see `buildEaseModel`), or `user-knn`, the success of the
 * nearest users by Jaccard (see `rankByNeighbours`).
 */
export type RecommendationModel = 'ease' | 'user-knn';

export interface RecommendSkillsOptions extends SimilarUsersOptions {
  /** Recommendations to return. Default 10. */
  readonly limit?: number;
  /** Default `ease` (chosen on held-out interactions: README, *Quality*). */
  readonly model?: RecommendationModel;
  /** `user-knn`: nearest users whose success is weighed. Default 20. */
  readonly neighbours?: number;
  /**
   * `ease`: the ridge λ as a share of the mean number of users per skill (the Gram matrix's mean
   * diagonal). Default: chosen per population on held-out skills when it is loaded
   * (`chooseEaseLambda`), since the best value differs between populations by 30×.
   */
  readonly lambdaShare?: number;
}

/** A skill to try, the score it was ranked by (0–1) and why, in words that name no other user. */
export interface Recommendation {
  readonly skill: string;
  readonly score: number;
  readonly reason: string;
  /**
   * `related-skills`: ranked by the item model from the skills the user uses (`ease`);
   * `neighbours`: by similar users' success (`user-knn`); `popularity`: the fill-up and
   * cold-start fallback.
   */
  readonly basis: 'related-skills' | 'neighbours' | 'popularity';
}

/**
 * Skills `userId` has never invoked, ranked by the default `ease` model from the skills they use
 * (or, with `model: 'user-knn'`, by the similarity-weighted success of their nearest users); when
 * the model gives fewer than `limit` (a new user uses nothing yet), the list is filled with the
 * skills most users complete. Never a skill the user has invoked, never a skill nobody completes.
 * Each with a reason that names no other user.
 *
 * @example
 * await recommendSkills(store, 'ann', { limit: 3 });
 * // [{ skill: 'coverage-report', score: 0.31, basis: 'related-skills',
 * //    reason: 'often used together with pytest-run and lint, which you use' }, …]
 */
export async function recommendSkills(store: Store, userId: string, options: RecommendSkillsOptions = {}): Promise<Recommendation[]> {
  const limit = checkCount('limit', options.limit ?? 10);
  const model = checkModel(options.model ?? 'ease');
  const neighbourCount = checkCount('neighbours', options.neighbours ?? 20);
  const lambdaShare = options.lambdaShare;
  if (lambdaShare !== undefined && !(Number.isFinite(lambdaShare) && lambdaShare > 0)) {
    throw new RangeError(`lambdaShare: expected a number > 0 (got ${String(lambdaShare)})`);
  }
  const method = checkMethod(options.method ?? 'auto');
  const workLimit = options.exactWorkLimit ?? 2_000_000;
  const { minSuccesses, ttl, now } = settings(options);
  const target = await readTarget(store, userId);
  const parameters = model === 'ease' ? `${lambdaShare ?? 'auto'}` : `${neighbourCount}\u0000${method}\u0000${workLimit}`;
  const key = `recommend\u0000${model}\u0000${target.pseudonym}\u0000${limit}\u0000${parameters}\u0000${minSuccesses}`;
  const entry = population(store, minSuccesses, ttl, now);
  const hit = cached<Recommendation[]>(store, key, target, entry, now);
  if (hit) return hit;
  const built = await entry.population;
  let ranked: Recommendation[];
  if (model === 'ease') {
    ranked = recommendByItems(built, await easeModel(entry, lambdaShare), target, limit);
  } else {
    const neighbours = await neighboursOf(entry, built, target, neighbourCount, method, workLimit);
    ranked = recommendFromPopulation(built, target, neighbours, limit);
  }
  remember(store, key, target, entry, ranked, now, ttl);
  return ranked;
}

async function neighboursOf(
  entry: Parameters<typeof lshIndex>[0],
  built: Population,
  target: TargetUser,
  k: number,
  method: SimilarityMethod,
  workLimit: number,
): Promise<SimilarUser[]> {
  const skills = usedSkillIds(built, target);
  if (skills.length === 0) return [];
  let work = 0;
  for (const skill of skills) {
    if (skill + 1 < built.postingStart.length) work += built.postingStart[skill + 1]! - built.postingStart[skill]!;
  }
  if (method === 'exact' || (method === 'auto' && built.users.length <= LSH_ABOVE_USERS && work <= workLimit)) {
    return nearestUsers(built, skills, k, target.pseudonym);
  }
  const { index, calibration } = await lshIndex(entry);
  return nearestUsersApproximate(built, index, skills, k, target.pseudonym, calibration).neighbours;
}

/**
 * The target's used skills as sorted population ids. A skill the population has not seen (the
 * user's newest) gets an id past every posting list: it matches nobody but still counts in the
 * size of the user's set, as Jaccard requires.
 */
export function usedSkillIds(built: Population, target: Pick<TargetUser, 'outcomes'>): Uint32Array {
  const ids: number[] = [];
  for (const [name, outcome] of target.outcomes) {
    if (outcome.completed >= built.minSuccesses) ids.push(built.skillIds.idOf(name));
  }
  return Uint32Array.from(ids).sort();
}

/**
 * Ranks skills for `target` from its neighbours' success, then fills up to `limit` with the
 * popularity fallback; skills the target invoked and skills nobody completes are never returned.
 * Pure: the quality test runs exactly this on a held-out synthetic workload.
 */
export function recommendFromPopulation(
  built: Population,
  target: Pick<TargetUser, 'pseudonym' | 'outcomes'>,
  neighbours: readonly SimilarUser[],
  limit: number,
): Recommendation[] {
  const stats = withTarget(built, target);
  const names = built.skillIds;
  const ranked = rankByNeighbours(target.pseudonym, neighbours, stats, { limit: Number.MAX_SAFE_INTEGER }).map(
    (r): Recommendation => ({ skill: names.nameOf(r.skill)!, score: r.score, reason: r.reason, basis: 'neighbours' }),
  );
  return fillWithPopularity(built, stats, target, byScoreThenName(ranked).slice(0, limit), limit);
}

/**
 * Ranks skills for `target` by the item model from the skills it uses now (`rankByRelatedSkills`),
 * then fills up to `limit` with the popularity fallback, as `recommendFromPopulation` does.
 * Pure: the quality test and benchmark run exactly this.
 */
export function recommendByItems(
  built: Population,
  model: EaseModel,
  target: Pick<TargetUser, 'pseudonym' | 'outcomes'>,
  limit: number,
): Recommendation[] {
  const stats = withTarget(built, target);
  const names = built.skillIds;
  const invoked = new Set([...target.outcomes.keys()].map((name) => names.idOf(name)));
  const ranked = rankByRelatedSkills(model, usedSkillIds(built, target), invoked, stats.bySkill, (id) => names.nameOf(id)!, {
    limit: Number.MAX_SAFE_INTEGER,
  }).map((r): Recommendation => ({ skill: names.nameOf(r.skill)!, score: r.score, reason: r.reason, basis: 'related-skills' }));
  return fillWithPopularity(built, stats, target, byScoreThenName(ranked).slice(0, limit), limit);
}

/**
 * Ties (equal up to rounding) are broken by skill name (ids depend on load order), so every
 * ranking is ranked whole first.
 */
function byScoreThenName(ranked: Recommendation[]): Recommendation[] {
  return ranked.sort(
    (a, b) => (sameScore(a.score, b.score) ? 0 : b.score - a.score) || (a.skill < b.skill ? -1 : a.skill > b.skill ? 1 : 0),
  );
}

/** Adds the skills most users complete (not invoked by the target, not already listed) up to `limit`. */
function fillWithPopularity(
  built: Population,
  stats: UsageStats,
  target: Pick<TargetUser, 'outcomes'>,
  ranked: Recommendation[],
  limit: number,
): Recommendation[] {
  if (ranked.length >= limit) return ranked;
  const names = built.skillIds;
  const taken = new Set(ranked.map((r) => r.skill));
  const exclude = [...target.outcomes.keys()].map((name) => names.idOf(name));
  const popular = popularityRecommendations(stats, exclude, Number.MAX_SAFE_INTEGER).map((r) => ({
    ...r,
    name: names.nameOf(r.skill)!,
    users: stats.bySkill.get(r.skill)!.successfulUsers,
  }));
  popular.sort((a, b) => b.users - a.users || b.score - a.score || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const r of popular) {
    if (ranked.length === limit) break;
    if (!taken.has(r.name)) ranked.push({ skill: r.name, score: r.score, reason: r.reason, basis: 'popularity' });
  }
  return ranked;
}

/** The population's counts, with the asking user's own taken from their fresh rows. */
function withTarget(built: Population, target: Pick<TargetUser, 'pseudonym' | 'outcomes'>): UsageStats {
  const own = new Map<number, SkillOutcome>();
  for (const [name, outcome] of target.outcomes) own.set(built.skillIds.idOf(name), outcome);
  return {
    byUser: { get: (user) => (user === target.pseudonym ? own : built.stats.byUser.get(user)) },
    bySkill: built.stats.bySkill,
  };
}

/** `auto` uses LSH above this many users (where LSH also switches to 32 bands × 4 rows). */
const LSH_ABOVE_USERS = 250_000;

function checkCount(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > 10_000) {
    throw new RangeError(`${name}: expected an integer from 1 to 10000 (got ${String(value)})`);
  }
  return value;
}

function checkModel(model: string): RecommendationModel {
  if (model !== 'ease' && model !== 'user-knn') {
    throw new RangeError(`model: expected ease or user-knn (got ${String(model)})`);
  }
  return model;
}

function checkMethod(method: string): SimilarityMethod {
  if (method !== 'exact' && method !== 'lsh' && method !== 'auto') {
    throw new RangeError(`method: expected exact, lsh or auto (got ${String(method)})`);
  }
  return method;
}
