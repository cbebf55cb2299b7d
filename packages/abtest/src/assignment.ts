import { createHash } from 'node:crypto';
import type { Variant } from './experiment.js';

/**
 * Where a user falls in [0, 1): the first 52 bits of SHA-256(salt ":" userId). The same salt
 * and user always give the same point, and different experiments (different salts) are
 * independent of each other.
 * @example assignmentPoint('s1', 'alice') // a number in [0, 1), always the same
 */
export function assignmentPoint(salt: string, userId: string): number {
  const digest = createHash('sha256').update(salt).update(':').update(userId).digest();
  // 52 bits: 4 bytes and the high 20 bits of the next 3, exactly representable in a double.
  const high = digest.readUInt32BE(0);
  const low = digest.readUIntBE(4, 3) >>> 4;
  return (high * 2 ** 20 + low) / 2 ** 52;
}

/**
 * The variant a user belongs to: walk the cumulative weights (control first) to the user's point.
 * Pure and deterministic; `assign` stores the result so it stays sticky even if weights change.
 * @example chooseVariant([{ name: 'control', strategy: 'a', weight: 0.5 }, { name: 'treatment', strategy: 'b', weight: 0.5 }], 's1', 'alice')
 */
export function chooseVariant(variants: readonly Variant[], salt: string, userId: string): string {
  const point = assignmentPoint(salt, userId);
  let cumulative = 0;
  for (const variant of variants) {
    cumulative += variant.weight;
    if (point < cumulative) return variant.name;
  }
  return variants[variants.length - 1]!.name;
}
