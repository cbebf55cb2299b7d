// Shared helpers for the benchmarks: timing, reporting against limits, synthetic rows.
import { generateWorkload } from '@skills/synth';

/** Print one figure beside its limit; returns whether it passed. */
export function report(name, value, limit, unit, better = 'higher') {
  const pass = better === 'higher' ? value >= limit : value <= limit;
  const fmt = (x) => (Math.abs(x) >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(3));
  console.log(`${pass ? 'PASS' : 'FAIL'}  ${name}: ${fmt(value)} ${unit} (limit: ${better === 'higher' ? '≥' : '≤'} ${fmt(limit)} ${unit})`);
  return pass;
}

export function info(name, value) {
  console.log(`      ${name}: ${value}`);
}

/** All batches of a synthetic workload, materialised (generation is not what we measure). */
export function syntheticBatches(options) {
  const workload = generateWorkload(options);
  return [...workload.batches()].map((batch) => batch.map((item) => ({ ...item })));
}

/** Run fn `runs` times after `warmup` runs; returns sorted durations in ms. */
export async function sample(fn, runs = 50, warmup = 5) {
  for (let i = 0; i < warmup; i++) await fn();
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b);
}

export { seededRandom as seeded } from '@skills/storage/testing';

export const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
