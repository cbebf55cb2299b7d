/** A seeded pseudo-random generator: the same seed gives the same sequence on every machine. */
export interface Random {
  /** A float in [0, 1) with 32 bits of randomness. */
  next(): number;
  /** An integer in [0, n) for 1 ≤ n ≤ 2^32. */
  int(n: number): number;
  /** A float in [min, max). */
  range(min: number, max: number): number;
  /** A standard normal variate (mean 0, standard deviation 1). */
  normal(): number;
  /** `true` with probability `p`. */
  chance(p: number): boolean;
  /** One element of a non-empty array, uniformly. */
  pick<T>(items: readonly T[]): T;
  /** A shuffled copy of `items` (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[];
}

const TWO_POW_32 = 4294967296;

/**
 * Creates the seeded generator used for every synthetic workload: sfc32 (Small Fast Counting,
 * 128-bit state), seeded through a 32-bit integer hash. It uses only integer arithmetic, so the
 * stream is identical on every platform. `stream` selects an independent sequence for the same
 * seed, so one part of a workload can draw numbers without shifting another part's.
 *
 * @example
 * const random = createRandom(42);
 * random.next();   // 0.09343458875082433, on every machine
 * random.int(6);   // an integer from 0 to 5
 * createRandom(42, 1).next(); // 0.1290312430355698: an independent stream, same seed
 */
export function createRandom(seed: number, stream = 0): Random {
  if (!Number.isSafeInteger(seed)) {
    throw new RangeError(`seed must be a safe integer (got ${String(seed)})`);
  }
  if (!Number.isSafeInteger(stream)) {
    throw new RangeError(`stream must be a safe integer (got ${String(stream)})`);
  }
  const low = seed >>> 0;
  const high = Math.floor(seed / TWO_POW_32) >>> 0;
  let a = hash32(low ^ 0x9e3779b9);
  let b = hash32(high ^ hash32(a ^ 0x85ebca6b));
  let c = hash32((stream >>> 0) ^ hash32(b ^ 0xc2b2ae35));
  let d = 1;
  let spareNormal = 0;
  let hasSpareNormal = false;

  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / TWO_POW_32;
  };
  // sfc32's recommended warm-up: mixes the seed through the whole state.
  for (let i = 0; i < 15; i++) next();

  const normal = (): number => {
    if (hasSpareNormal) {
      hasSpareNormal = false;
      return spareNormal;
    }
    // Box–Muller; 1 - next() is in (0, 1], so the logarithm is finite.
    const radius = Math.sqrt(-2 * Math.log(1 - next()));
    const angle = 2 * Math.PI * next();
    spareNormal = radius * Math.sin(angle);
    hasSpareNormal = true;
    return radius * Math.cos(angle);
  };

  return {
    next,
    int: (n) => Math.floor(next() * n),
    range: (min, max) => min + (max - min) * next(),
    normal,
    chance: (p) => next() < p,
    pick<T>(items: readonly T[]): T {
      if (items.length === 0) throw new RangeError('pick needs a non-empty array');
      return items[Math.floor(next() * items.length)] as T;
    },
    shuffle<T>(items: readonly T[]): T[] {
      const copy = items.slice();
      for (let i = copy.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        const held = copy[i] as T;
        copy[i] = copy[j] as T;
        copy[j] = held;
      }
      return copy;
    },
  };
}

/** murmur3's 32-bit finaliser: spreads every input bit over the whole word. */
export function hash32(value: number): number {
  let x = value | 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}
