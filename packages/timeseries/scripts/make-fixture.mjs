// Builds the quality-test fixture: a synthetic workload from @skills/synth with injected
// incidents, aggregated into dense per-skill hourly buckets exactly as the storage rollups count
// them (count, completed, and the mean duration of completed invocations with a known duration).
// Deterministic: the same options give a byte-identical file.
//
//   pnpm --filter @skills/synth build && node scripts/make-fixture.mjs
//
// Options (for the variants quoted in the README): --seed N (default 2026), --invocations N
// (default 3,000,000), --no-incidents, --out PATH (default test/fixtures/incidents-40x37d.json).
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateWorkload } from '@skills/synth';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '2026' },
    invocations: { type: 'string', default: '3000000' },
    'no-incidents': { type: 'boolean', default: false },
    out: { type: 'string', default: 'test/fixtures/incidents-40x37d.json' },
  },
});

/** 7 days of history before the 30 evaluated days, so every evaluated hour has a baseline. */
const WARM_UP_DAYS = 7;
// 40 skills with Zipf-like volumes: the busiest about 500 invocations an hour on average, the
// quietest about 6 (2 at night, under 1 on weekend nights).
const options = {
  invocations: Number(values.invocations),
  users: 400,
  skills: 40,
  days: WARM_UP_DAYS + 30,
  seed: Number(values.seed),
  incidents: values['no-incidents'] ? [] : 60,
  batchSize: 10_000,
};

const workload = generateWorkload(options);
const { truth } = workload;
const hours = (truth.end - truth.start) / HOUR;
const names = truth.skills.map((skill) => skill.name);
const index = new Map(names.map((name, i) => [name, i]));
const count = names.map(() => new Float64Array(hours));
const completed = names.map(() => new Float64Array(hours));
const timed = names.map(() => new Float64Array(hours));
const durationSum = names.map(() => new Float64Array(hours));

for (const batch of workload.batches()) {
  for (const item of batch) {
    const s = index.get(item.skill_name);
    const h = Math.floor((item.invoked_at - truth.start) / HOUR);
    count[s][h] += 1;
    if (item.completed) {
      completed[s][h] += 1;
      if (item.duration_seconds !== null) {
        timed[s][h] += 1;
        durationSum[s][h] += item.duration_seconds;
      }
    }
  }
}

/** Three significant digits keep the file small and far finer than any anomaly. */
const round3 = (x) => Number(x.toPrecision(3));
const skills = names.map((name, s) => ({
  name,
  count: Array.from(count[s]),
  completed: Array.from(completed[s]),
  // Completed invocations without a known duration (about 3%); the rest are timed.
  untimed: Array.from(completed[s], (c, h) => c - timed[s][h]),
  avgDuration: Array.from(timed[s], (n, h) => (n > 0 ? round3(durationSum[s][h] / n) : null)),
}));

const fixture = {
  description:
    'Hourly buckets of a @skills/synth workload with injected incidents; see scripts/make-fixture.mjs. ' +
    'Arrays are dense over `hours` hours from `start`; evaluate from `evaluateFrom` (after the warm-up).',
  generator: { package: '@skills/synth', options },
  start: truth.start,
  hours,
  evaluateFrom: truth.start + WARM_UP_DAYS * DAY,
  incidents: truth.incidents,
  skills,
};
const out = resolve(join(dirname(fileURLToPath(import.meta.url)), '..'), values.out);
writeFileSync(out, `${JSON.stringify(fixture)}\n`);
console.log(`wrote ${out}: ${names.length} skills × ${hours} hours, ${truth.incidents.length} incidents`);
