// Shared helpers for the benchmarks: timing, reporting against limits, synthetic rows.
import { generateWorkload } from '@skills/synth';

/** Print one figure beside its limit; returns whether it passed. */
export function report(name, value, limit, unit, better = 'higher') {
  const pass = better === 'higher' ? value >= limit : value <= limit;
  const fmt = (x) => (Math.abs(x) >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(3));
  console.log(
    `${pass ? 'PASS' : 'FAIL'}  ${name}: ${fmt(value)} ${unit} (limit: ${better === 'higher' ? '≥' : '≤'} ${fmt(limit)} ${unit})`,
  );
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

/** Time totals per statement for the ingest profilers, printed per batch. */
export function statementTimes() {
  const times = new Map();
  return {
    add(key, ms) {
      const entry = times.get(key) ?? { count: 0, ms: 0 };
      entry.count += 1;
      entry.ms += ms;
      times.set(key, entry);
    },
    print({ totalMs, batches, invocations }) {
      let inStatements = 0;
      for (const { ms } of times.values()) inStatements += ms;
      console.log(
        `${Math.round(invocations / (totalMs / 1000)).toLocaleString('en-US')} invocations/s; per batch ${(totalMs / batches).toFixed(1)} ms, of which statements ${(inStatements / batches).toFixed(1)} ms`,
      );
      for (const [key, { count, ms }] of [...times].sort((a, b) => b[1].ms - a[1].ms)) {
        console.log(`${(ms / batches).toFixed(2).padStart(7)} ms/batch  ${(count / batches).toFixed(1).padStart(7)}×  ${key}`);
      }
    },
  };
}

export { seededRandom as seeded } from '@skills/storage/testing';

export const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
