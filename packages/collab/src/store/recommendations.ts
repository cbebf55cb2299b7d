import type { Store } from '@skills/storage';
import type { Population } from '../population.js';
import { popularityRecommendations, rankByNeighbours } from '../recommend.js';
import type { SimilarUser } from '../similar-user.js';
import { nearestUsers } from '../similarity-index.js';
import type { SkillOutcome, UsageStats } from '../usage-stats.js';
import { cached, lshIndex, population, readTarget, remember, settings, type CollabOptions, type TargetUser } from './collab-cache.js';

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

export interface RecommendSkillsOptions extends SimilarUsersOptions {
  /** Recommendations to return. Default 10. */
  readonly limit?: number;
  /** Nearest users whose success is weighed. Default 20. */
  readonly neighbours?: number;
}

/** A skill to try, the score it was ranked by (0–1) and why, in words that name no other user. */
export interface Recommendation {
  readonly skill: string;
  readonly score: number;
  readonly reason: string;
  /** `neighbours`: ranked by similar users' success; `popularity`: the cold-start fallback. */
  readonly basis: 'neighbours' | 'popularity';
}

/**
 * Skills `userId` has never invoked, ranked by the similarity-weighted success of their nearest
 * users (see `rankByNeighbours`); when those give fewer than `limit` (a new user has no
 * neighbours at all), the list is filled with the skills most users complete. Never a skill the
 * user has invoked, never a skill nobody completes.
 *
 * @example
 * await recommendSkills(store, 'ann', { limit: 3 });
 * // [{ skill: 'coverage-report', score: 0.71, basis: 'neighbours',
 * //    reason: 'used successfully by 7 of your 10 nearest users' }, …]
 */
export async function recommendSkills(store: Store, userId: string, options: RecommendSkillsOptions = {}): Promise<Recommendation[]> {
  const limit = checkCount('limit', options.limit ?? 10);
  const neighbourCount = checkCount('neighbours', options.neighbours ?? 20);
  const method = checkMethod(options.method ?? 'auto');
  const workLimit = options.exactWorkLimit ?? 2_000_000;
  const { minSuccesses, ttl, now } = settings(options);
  const target = await readTarget(store, userId);
  const key = `recommend\u0000${target.pseudonym}\u0000${limit}\u0000${neighbourCount}\u0000${method}\u0000${workLimit}\u0000${minSuccesses}`;
  const entry = population(store, minSuccesses, ttl, now);
  const hit = cached<Recommendation[]>(store, key, target, entry, now);
  if (hit) return hit;
  const built = await entry.population;
  const neighbours = await neighboursOf(entry, built, target, neighbourCount, method, workLimit);
  const ranked = recommendFromPopulation(built, target, neighbours, limit);
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
  return (await lshIndex(entry)).querySet(skills, k, target.pseudonym);
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
  // Ties are broken by skill name (ids depend on load order), so every ranking is ranked whole first.
  const ranked = rankByNeighbours(target.pseudonym, neighbours, stats, { limit: Number.MAX_SAFE_INTEGER })
    .map((r): Recommendation => ({ skill: names.nameOf(r.skill)!, score: r.score, reason: r.reason, basis: 'neighbours' }))
    .sort((a, b) => b.score - a.score || (a.skill < b.skill ? -1 : a.skill > b.skill ? 1 : 0))
    .slice(0, limit);
  if (ranked.length < limit) {
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

function checkMethod(method: string): SimilarityMethod {
  if (method !== 'exact' && method !== 'lsh' && method !== 'auto') {
    throw new RangeError(`method: expected exact, lsh or auto (got ${String(method)})`);
  }
  return method;
}
