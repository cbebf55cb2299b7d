import type { Population } from './population.js';
import { topSimilar, type SimilarUser } from './similar-user.js';

/**
 * Exact top-k neighbours by Jaccard through the population's inverted index: only users who share
 * at least one skill with `skills` are touched, counting shared skills per user as the target's
 * posting lists are walked; Jaccard is then shared / (|A| + |B| − shared). Same answer as
 * `similarUsersExact` (ties by user id, zero-similarity users left out), without visiting every
 * user. `exclude` is the target's own user id.
 *
 * @example
 * const population = buildPopulation(rows);
 * nearestUsers(population, population.sets.get('ann')!, 10, 'ann');
 */
export function nearestUsers(population: Population, skills: Uint32Array, k: number, exclude?: string): SimilarUser[] {
  if (k <= 0 || skills.length === 0) return [];
  const { postingStart, postings, users, setSizes } = population;
  const shared = scratch(users.length);
  const touched = touchedScratch(users.length);
  let touchedCount = 0;
  for (const skill of skills) {
    if (skill + 1 >= postingStart.length) continue;
    for (let j = postingStart[skill]!; j < postingStart[skill + 1]!; j++) {
      const u = postings[j]!;
      if (shared[u] === 0) touched[touchedCount++] = u;
      shared[u]! += 1;
    }
  }
  const skip = exclude === undefined ? -1 : (population.indexOf.get(exclude) ?? -1);
  const top = topSimilar(k);
  for (let t = 0; t < touchedCount; t++) {
    const u = touched[t]!;
    const common = shared[u]!;
    shared[u] = 0;
    if (u !== skip) top.offer(users[u]!, common / (skills.length + setSizes[u]! - common));
  }
  return top.best;
}

/** One reusable zeroed counter array per population size (every query leaves it zeroed). */
let counters = new Uint16Array(0);
function scratch(size: number): Uint16Array {
  if (counters.length < size) counters = new Uint16Array(size);
  return counters;
}

let touchedUsers = new Uint32Array(0);
function touchedScratch(size: number): Uint32Array {
  if (touchedUsers.length < size) touchedUsers = new Uint32Array(size);
  return touchedUsers;
}
