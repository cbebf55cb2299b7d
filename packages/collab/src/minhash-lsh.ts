import { lowerBound } from './binary-search.js';
import { jaccard } from './exact-similarity.js';
import { topSimilar, type SimilarUser } from './similar-user.js';

/** 2^31 − 1, a Mersenne prime: every hash is (a·x + b) mod P with 1 ≤ a < P, 0 ≤ b < P. */
const P = 2147483647;
/** The signature value of an empty set (no skill ever hashes this high). */
const EMPTY = 0xffffffff;

export interface MinHashOptions {
  /** Hash functions per signature. Default 128. */
  readonly permutations?: number;
  /** Seed for the hash coefficients: the same seed gives the same signatures everywhere. */
  readonly seed?: number;
}

/** Computes MinHash signatures with one fixed family of seeded universal hash functions. */
export interface MinHasher {
  readonly permutations: number;
  /** Per hash function, the minimum hash over the set's skill ids. */
  signature(skills: Uint32Array): Uint32Array;
}

/**
 * Creates a MinHasher over `permutations` universal hash functions h(x) = (a·x + b) mod (2^31 − 1).
 * The share of positions where two signatures agree estimates the sets' Jaccard similarity
 * (see `estimateJaccard`), with standard error about √(J(1 − J) / permutations).
 *
 * @example
 * const hasher = createMinHasher({ permutations: 128, seed: 7 });
 * const a = hasher.signature(Uint32Array.of(1, 2, 3));
 * const b = hasher.signature(Uint32Array.of(1, 2, 3, 4));
 * estimateJaccard(a, b); // 0.6953125 (exact Jaccard 0.75)
 */
export function createMinHasher(options: MinHashOptions = {}): MinHasher {
  const permutations = options.permutations ?? 128;
  if (!Number.isInteger(permutations) || permutations < 1) {
    throw new RangeError(`permutations must be a positive integer (got ${String(permutations)})`);
  }
  const next = splitMix32(options.seed ?? 0x5eed);
  const a = new Float64Array(permutations);
  const b = new Float64Array(permutations);
  for (let i = 0; i < permutations; i++) {
    a[i] = 1 + (next() % (P - 1));
    b[i] = next() % P;
  }
  // A skill's hash under every function is computed once and kept: populations have few distinct
  // skills and many users, so a signature becomes a column-wise minimum over cached rows.
  const rowsBySkill = new Map<number, Uint32Array>();
  const hashesOf = (skill: number): Uint32Array => {
    let row = rowsBySkill.get(skill);
    if (row === undefined) {
      row = new Uint32Array(permutations);
      const x = skill % P;
      // Split x so every product stays below 2^53 and the arithmetic is exact in doubles.
      const high = Math.floor(x / 65536);
      const low = x % 65536;
      for (let i = 0; i < permutations; i++) {
        const ai = a[i]!;
        row[i] = ((((ai * high) % P) * 65536 + ai * low + b[i]!) % P) >>> 0;
      }
      rowsBySkill.set(skill, row);
    }
    return row;
  };
  return {
    permutations,
    signature(skills) {
      const signature = new Uint32Array(permutations).fill(EMPTY);
      for (const skill of skills) {
        const row = hashesOf(skill);
        for (let i = 0; i < permutations; i++) if (row[i]! < signature[i]!) signature[i] = row[i]!;
      }
      return signature;
    },
  };
}

/**
 * Estimates Jaccard similarity as the share of signature positions that agree.
 *
 * @example
 * estimateJaccard(Uint32Array.of(1, 2, 3, 4), Uint32Array.of(1, 2, 9, 9)); // 0.5
 */
export function estimateJaccard(a: Uint32Array, b: Uint32Array): number {
  if (a.length !== b.length) {
    throw new RangeError(`signatures differ in length (${a.length} vs ${b.length})`);
  }
  let equal = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) equal++;
  return a.length === 0 ? 0 : equal / a.length;
}

export interface LshOptions extends MinHashOptions {
  /**
   * Bands the signature is cut into; must divide `permutations`. Default 64 (2 rows each) up to
   * 250,000 users, 32 (4 rows each) beyond: see `buildLshIndex`.
   */
  readonly bands?: number;
}

/** An in-memory LSH index over users' skill sets, answering approximate similar-user queries. */
export interface LshIndex {
  readonly bands: number;
  readonly rows: number;
  /** Users sharing at least one band bucket with `target` (target excluded), in index order. */
  candidates(target: string): string[];
  /**
   * The top `k` candidates re-ranked by exact Jaccard, highest first, ties by user id; like
   * `similarUsersExact`, users with similarity 0 and unknown targets give no results.
   */
  query(target: string, k: number): SimilarUser[];
  /**
   * Like `query`, for a skill set that need not be in the index (a user's current set, or a new
   * user's); `exclude` is left out of the results (the asking user's own id).
   */
  querySet(skills: Uint32Array, k: number, exclude?: string): SimilarUser[];
  /**
   * The chance that a user at Jaccard `similarity` to a query shares at least one bucket with it
   * (and so can be found): 1 − (1 − J^rows)^bands.
   */
  candidateProbability(similarity: number): number;
}

/**
 * Builds a MinHash/LSH banding index. Each signature is cut into `bands` bands of `rows` values;
 * two users become candidates when any band matches exactly, which happens with probability
 * 1 − (1 − J^rows)^bands for Jaccard J. Candidates are then scored by exact Jaccard, so results
 * never contain estimation error, only possible misses.
 *
 * Band/row choice: skill sets are small (≈20 of hundreds of skills) and useful neighbours sit at
 * J ≈ 0.2–0.4, so the default 128 hashes × 64 bands × 2 rows puts the S-curve's threshold near
 * (1/64)^(1/2) ≈ 0.13: J = 0.1 → 0.47, J = 0.2 → 0.93, J = 0.3 → 0.998, J = 0.5 → ≈1, while an
 * unrelated pair at J = 0.02 becomes a candidate only 2.5% of the time. 32 bands × 4 rows would
 * cut candidates further but finds a J = 0.3 neighbour only 23% of the time.
 *
 * Above 250,000 users the default becomes 32 bands × 4 rows (threshold ≈ 0.42): with 2 rows even
 * a J = 0.15 pair is a candidate 77% of the time, so a million users of overlapping groups put
 * 100,000+ candidates in every query, while the nearest 10 of a crowd that large sit well above
 * J = 0.5 (J = 0.6 → 0.99).
 *
 * @example
 * const index = buildLshIndex(buildSkillSets(rows), { seed: 1 });
 * index.query('user-42', 10); // [{ user: 'user-7', similarity: 0.41 }, …]
 */
export function buildLshIndex(sets: ReadonlyMap<string, Uint32Array>, options: LshOptions = {}): LshIndex {
  const hasher = createMinHasher(options);
  const bands = options.bands ?? (sets.size > LARGE_POPULATION ? 32 : 64);
  if (!Number.isInteger(bands) || bands < 1 || hasher.permutations % bands !== 0) {
    throw new RangeError(`bands must divide permutations (got bands ${String(bands)}, permutations ${hasher.permutations})`);
  }
  const rows = hasher.permutations / bands;
  const users = [...sets.keys()];
  const count = users.length;
  const position = new Map(users.map((user, i) => [user, i]));
  const setOf = users.map((user) => sets.get(user)!);
  // Users with a skill, in index order: only they are put into buckets.
  const indexed = Uint32Array.from(users.keys()).filter((u) => setOf[u]!.length > 0);
  // Per band, every user's band key; then the indexed users sorted by key, so a bucket is a
  // contiguous run found by binary search. Key and user index are packed into one double
  // (key × 2^userBits + u) so one native numeric sort orders them; with more users than 2^21 the
  // key keeps fewer bits, which only merges buckets (extra candidates, scored exactly like the rest).
  const userBits = Math.max(1, Math.ceil(Math.log2(count + 1)));
  const keyBits = Math.min(32, 53 - userBits);
  const keyShift = 32 - keyBits;
  const userScale = 2 ** userBits;
  const bandKeys = Array.from({ length: bands }, () => new Uint32Array(count));
  for (const u of indexed) {
    const signature = hasher.signature(setOf[u]!);
    for (let band = 0; band < bands; band++) bandKeys[band]![u] = bandKey(signature, band * rows, rows) >>> keyShift;
  }
  const sortedKeys: Uint32Array[] = [];
  const sortedUsers: Uint32Array[] = [];
  const packed = new Float64Array(indexed.length);
  for (let band = 0; band < bands; band++) {
    const keys = bandKeys[band]!;
    indexed.forEach((u, i) => {
      packed[i] = keys[u]! * userScale + u;
    });
    packed.sort();
    const k = new Uint32Array(indexed.length);
    const m = new Uint32Array(indexed.length);
    for (let i = 0; i < indexed.length; i++) {
      const value = packed[i]!;
      const key = Math.floor(value / userScale);
      k[i] = key;
      m[i] = value - key * userScale;
    }
    sortedKeys.push(k);
    sortedUsers.push(m);
  }

  let seen = new Uint8Array(0);
  /** Indexes of the users sharing a bucket with the given band keys (`skip` excluded), ascending. */
  const candidatesOf = (keysOf: (band: number) => number, skip: number): Uint32Array => {
    if (seen.length < count) seen = new Uint8Array(count);
    let found = new Uint32Array(256);
    let size = 0;
    for (let band = 0; band < bands; band++) {
      const key = keysOf(band);
      const keys = sortedKeys[band]!;
      const members = sortedUsers[band]!;
      for (let i = lowerBound(keys, key); i < keys.length && keys[i] === key; i++) {
        const u = members[i]!;
        if (seen[u] === 0 && u !== skip) {
          seen[u] = 1;
          if (size === found.length) {
            const bigger = new Uint32Array(size * 2);
            bigger.set(found);
            found = bigger;
          }
          found[size++] = u;
        }
      }
    }
    const result = found.subarray(0, size);
    for (const u of result) seen[u] = 0;
    return result.sort();
  };

  const candidates = (target: string): string[] => {
    const t = position.get(target);
    if (t === undefined || setOf[t]!.length === 0) return [];
    return Array.from(
      candidatesOf((band) => bandKeys[band]![t]!, t),
      (u) => users[u]!,
    );
  };

  /** Exact Jaccard of every candidate, best k kept (ties by user id). */
  const rank = (mine: Uint32Array, found: Uint32Array, k: number): SimilarUser[] => {
    const top = topSimilar(k);
    for (const u of found) {
      const similarity = jaccard(mine, setOf[u]!);
      if (similarity > 0) top.offer(users[u]!, similarity);
    }
    return top.best;
  };

  return {
    bands,
    rows,
    candidates,
    candidateProbability: (similarity) => 1 - (1 - Math.max(0, Math.min(1, similarity)) ** rows) ** bands,
    query(target, k) {
      const t = position.get(target);
      if (k <= 0 || t === undefined || setOf[t]!.length === 0) return [];
      return rank(
        setOf[t]!,
        candidatesOf((band) => bandKeys[band]![t]!, t),
        k,
      );
    },
    querySet(skills, k, exclude) {
      if (k <= 0 || skills.length === 0) return [];
      const signature = hasher.signature(skills);
      const keys = Array.from({ length: bands }, (_, band) => bandKey(signature, band * rows, rows) >>> keyShift);
      return rank(
        skills,
        candidatesOf((band) => keys[band]!, exclude === undefined ? -1 : (position.get(exclude) ?? -1)),
        k,
      );
    },
  };
}

/** Above this many users the default banding is 32 × 4 instead of 64 × 2. */
const LARGE_POPULATION = 250_000;

/** FNV-1a over a band's values; a collision only adds a candidate, which re-ranking then scores. */
function bandKey(signature: Uint32Array, start: number, rows: number): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < start + rows; i++) {
    hash = Math.imul(hash ^ signature[i]!, 0x01000193);
  }
  return hash >>> 0;
}

/** SplitMix32: a tiny seeded generator for the hash coefficients (uint32 outputs). */
function splitMix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}
