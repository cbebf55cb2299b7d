import { compareSimilarUsers, type SimilarUser } from './similar-user.js';

/**
 * Jaccard similarity |A ∩ B| / |A ∪ B| of two skill sets given as sorted, duplicate-free
 * `Uint32Array`s (as `buildSkillSets` makes them), by a linear merge. Two empty sets give 0: they
 * share nothing, so they are not evidence of similar taste.
 *
 * @example
 * jaccard(Uint32Array.of(1, 2, 3), Uint32Array.of(1, 2, 3, 4, 5)); // 0.6
 */
export function jaccard(a: Uint32Array, b: Uint32Array): number {
  let i = 0;
  let j = 0;
  let shared = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) {
      shared++;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  const union = a.length + b.length - shared;
  return union === 0 ? 0 : shared / union;
}

/**
 * The `k` users most similar to `target` by exact Jaccard over every other user's skill set:
 * highest similarity first, ties by user id. The target is excluded, and so are users who share no
 * skill with it (similarity 0). An unknown target has no skills and therefore no similar users.
 *
 * @example
 * const sets = new Map([
 *   ['user1', Uint32Array.of(0, 1, 2)], // a b c
 *   ['user2', Uint32Array.of(0, 1, 3)], // a b d
 *   ['user3', Uint32Array.of(1, 2, 4)], // b c e
 * ]);
 * similarUsersExact('user1', sets, 10);
 * // [{ user: 'user2', similarity: 0.5 }, { user: 'user3', similarity: 0.5 }]
 */
export function similarUsersExact(target: string, sets: ReadonlyMap<string, Uint32Array>, k: number): SimilarUser[] {
  const mine = sets.get(target);
  if (mine === undefined || k <= 0) return [];
  const scored: SimilarUser[] = [];
  for (const [user, theirs] of sets) {
    if (user === target) continue;
    const similarity = jaccard(mine, theirs);
    if (similarity > 0) scored.push({ user, similarity });
  }
  return scored.sort(compareSimilarUsers).slice(0, k);
}
