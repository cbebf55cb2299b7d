// Prints how fast @skills/synth generates invocations. Run after `pnpm build`:
//   node scripts/speed.mjs [invocations]
import { generateWorkload } from '../dist/index.js';

const invocations = Number(process.argv[2] ?? 1_000_000);
const options = { invocations, users: 1_000, skills: 200, days: 30, seed: 1 };

const setupStart = performance.now();
const workload = generateWorkload(options);
const setupMs = performance.now() - setupStart;

const start = performance.now();
let count = 0;
for (const batch of workload.batches()) count += batch.length;
const seconds = (performance.now() - start) / 1000;

console.log(
  `${count.toLocaleString('en')} invocations in ${seconds.toFixed(2)} s ` +
    `(set-up ${setupMs.toFixed(0)} ms): ${Math.round(count / seconds).toLocaleString('en')} invocations/s, ` +
    `${((seconds * 1e6) / count).toFixed(2)} µs each`,
);
