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
