import type { Population } from './population.js';
import { compareSimilarUsers, type SimilarUser } from './similar-user.js';

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
  const { postingStart, postings, users, sets } = population;
  const shared = scratch(users.length);
  const touched: number[] = [];
  for (const skill of skills) {
    if (skill + 1 >= postingStart.length) continue;
    for (let j = postingStart[skill]!; j < postingStart[skill + 1]!; j++) {
      const u = postings[j]!;
      if (shared[u] === 0) touched.push(u);
      shared[u]! += 1;
    }
  }
  const skip = exclude === undefined ? -1 : (population.indexOf.get(exclude) ?? -1);
  const top: SimilarUser[] = [];
  for (const u of touched) {
    const common = shared[u]!;
    shared[u] = 0;
    if (u === skip) continue;
    const similarity = common / (skills.length + sets.get(users[u]!)!.length - common);
    const candidate = { user: users[u]!, similarity };
    if (top.length === k && compareSimilarUsers(candidate, top[k - 1]!) >= 0) continue;
    let at = top.length === k ? k - 1 : top.length;
    while (at > 0 && compareSimilarUsers(candidate, top[at - 1]!) < 0) {
      top[at] = top[at - 1]!;
      at--;
    }
    top[at] = candidate;
  }
  return top;
}

/** One reusable zeroed counter array per population size (every query leaves it zeroed). */
let counters = new Uint16Array(0);
function scratch(size: number): Uint16Array {
  if (counters.length < size) counters = new Uint16Array(size);
  return counters;
}
