import { checkProbability, fail } from './checks.js';

/** How a family of p-values is corrected: Holm (family-wise error) or Benjamini–Hochberg (false discovery rate). */
export type Correction = 'holm' | 'benjamini-hochberg' | 'none';

/**
 * Adjusted p-values, in the input order (as R's `p.adjust(p, "holm")` / `p.adjust(p, "BH")`).
 * @example adjustPValues([0.01, 0.04, 0.03], 'holm') // [0.03, 0.06, 0.06]
 */
export function adjustPValues(pValues: readonly number[], method: Correction): number[] {
  for (const [i, p] of pValues.entries()) checkProbability(`pValues[${i}]`, p);
  if (method !== 'holm' && method !== 'benjamini-hochberg' && method !== 'none')
    fail('method', `must be holm, benjamini-hochberg or none (got ${String(method)})`);
  const m = pValues.length;
  if (method === 'none' || m <= 1) return pValues.map((p) => Math.min(1, p));
  const order = pValues.map((_, i) => i).sort((a, b) => pValues[a]! - pValues[b]!);
  const adjusted = new Array<number>(m);
  if (method === 'holm') {
    let running = 0;
    order.forEach((index, rank) => {
      running = Math.max(running, Math.min(1, (m - rank) * pValues[index]!));
      adjusted[index] = running;
    });
  } else {
    let running = 1;
    for (let rank = m - 1; rank >= 0; rank--) {
      const index = order[rank]!;
      running = Math.min(running, (m / (rank + 1)) * pValues[index]!);
      adjusted[index] = Math.min(1, running);
    }
  }
  return adjusted;
}
