/**
 * A deterministic PRNG (mulberry32) for models, validation splits, fixtures and simulations: the
 * same seed gives the same sequence on every machine, so a trained forest or a simulated
 * experiment is reproducible. Not for anything that needs unpredictable numbers.
 */

/**
 * A generator of numbers in [0, 1) from a 32-bit seed (mulberry32).
 * @example const random = seededRandom(42); random() // 0.6011…
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * k distinct indexes of [0, n), in random order (partial Fisher–Yates over a scratch array, which
 * is reused when it holds n entries).
 * @example sampleIndexes(10, 3, seededRandom(1)) // Int32Array of 3 distinct indexes below 10
 */
export function sampleIndexes(n: number, k: number, random: () => number, scratch?: Int32Array): Int32Array {
  const pool = scratch && scratch.length === n ? scratch : Int32Array.from({ length: n }, (_, i) => i);
  const take = Math.min(k, n);
  for (let i = 0; i < take; i++) {
    const j = i + Math.floor(random() * (n - i));
    const t = pool[i]!;
    pool[i] = pool[j]!;
    pool[j] = t;
  }
  return pool.slice(0, take);
}
