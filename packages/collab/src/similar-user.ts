/** One neighbour of a target user and their Jaccard similarity (0–1, distinct skills). */
export interface SimilarUser {
  readonly user: string;
  readonly similarity: number;
}

/** Orders neighbours by similarity (highest first), ties by user id so results are stable. */
export function compareSimilarUsers(a: SimilarUser, b: SimilarUser): number {
  if (a.similarity !== b.similarity) return b.similarity - a.similarity;
  return a.user < b.user ? -1 : a.user > b.user ? 1 : 0;
}

/** Keeps the best `k` neighbours offered, in `compareSimilarUsers` order. */
export interface TopSimilar {
  /** Offers a neighbour; below the current k-th similarity it is dropped without allocating. */
  offer(user: string, similarity: number): void;
  readonly best: SimilarUser[];
}

export function topSimilar(k: number): TopSimilar {
  const best: SimilarUser[] = [];
  let floor = -1;
  return {
    best,
    offer(user, similarity) {
      if (similarity < floor) return;
      const candidate = { user, similarity };
      if (best.length === k && compareSimilarUsers(candidate, best[k - 1]!) >= 0) return;
      let at = best.length === k ? k - 1 : best.length;
      while (at > 0 && compareSimilarUsers(candidate, best[at - 1]!) < 0) {
        best[at] = best[at - 1]!;
        at--;
      }
      best[at] = candidate;
      if (best.length === k) floor = best[k - 1]!.similarity;
    },
  };
}
