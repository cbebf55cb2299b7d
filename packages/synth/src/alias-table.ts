import type { Random } from './random.js';

/**
 * Walker's alias table: draws an index with probability proportional to its weight in O(1),
 * which keeps skill and user choice cheap for thousands of candidates.
 */
export interface AliasTable {
  readonly size: number;
  /** Probability of keeping column i rather than taking its alias. */
  readonly keep: Float64Array;
  readonly alias: Int32Array;
}

/**
 * Builds an alias table (Vose's method) from non-negative weights with a positive sum.
 *
 * @example
 * const table = createAliasTable([3, 1]);
 * sampleAlias(table, createRandom(1)); // 0 three times out of four
 */
export function createAliasTable(weights: ArrayLike<number>): AliasTable {
  const size = weights.length;
  let total = 0;
  for (let i = 0; i < size; i++) total += weights[i] as number;
  if (size === 0 || !(total > 0)) {
    throw new RangeError('an alias table needs at least one positive weight');
  }
  const keep = new Float64Array(size);
  const alias = new Int32Array(size);
  const scaled = new Float64Array(size);
  const small: number[] = [];
  const large: number[] = [];
  for (let i = 0; i < size; i++) {
    scaled[i] = ((weights[i] as number) * size) / total;
    if ((scaled[i] as number) < 1) small.push(i);
    else large.push(i);
  }
  while (small.length > 0 && large.length > 0) {
    const less = small.pop() as number;
    const more = large.pop() as number;
    keep[less] = scaled[less] as number;
    alias[less] = more;
    scaled[more] = (scaled[more] as number) + (scaled[less] as number) - 1;
    if ((scaled[more] as number) < 1) small.push(more);
    else large.push(more);
  }
  // What is left is 1 up to rounding error.
  for (const i of large) {
    keep[i] = 1;
    alias[i] = i;
  }
  for (const i of small) {
    keep[i] = 1;
    alias[i] = i;
  }
  return { size, keep, alias };
}

/** Draws one index from an alias table with a single random number. */
export function sampleAlias(table: AliasTable, random: Random): number {
  const u = random.next() * table.size;
  const column = Math.floor(u);
  return u - column < (table.keep[column] as number) ? column : (table.alias[column] as number);
}
