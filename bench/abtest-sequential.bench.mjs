// @skills/abtest's sequential test under daily peeking (issue 17): 2,000 simulated A/A experiments
// and 2,000 with a real effect (0.30 → 0.35), 20 daily looks of 100 new users per arm (2,000 per
// arm at the end), one outcome per user, each look analysed by analyzeSums exactly as the store's
// sums would be. Held against: A/A share that ever declares a winner ≤ 5 %, power ≥ 80 %; beside
// them, from the same simulated data, the former default (plain mSPRT, τ = MDE) and a fixed-horizon
// z-test looked at once at the end and every day.
import { analyzeSums, DEFAULT_OPTIONS, meanDifferenceZTest, msprt } from '@skills/abtest';
import { info, report, seeded } from './lib.mjs';

const EXPERIMENTS = Number(process.env.BENCH_EXPERIMENTS ?? 2000);
const LOOKS = 20;
const PER_LOOK = 100;
const PLANNED = LOOKS * PER_LOOK;

const experiment = {
  id: 'e',
  name: 'e',
  description: null,
  controlStrategy: 'a',
  treatmentStrategy: 'b',
  variants: [
    { name: 'control', strategy: 'a', weight: 0.5 },
    { name: 'treatment', strategy: 'b', weight: 0.5 },
  ],
  assignmentRatio: 0.5,
  metrics: ['completion_rate'],
  minSampleSize: 1,
  startDate: 0,
  endDate: null,
  status: 'running',
  salt: 's',
  options: { ...DEFAULT_OPTIONS, plannedUsersPerVariant: PLANNED },
  createdAt: 0,
};
const empty = { n: 0, sumY: 0, sumY2: 0, nX: 0, sumX: 0, sumX2: 0, sumXY: 0, sumYWithX: 0 };
const sums = (variant, successes, n) => ({
  variant,
  assigned: n,
  durationCounts: new Map(),
  pendingCovariates: 0,
  metrics: { completion_rate: { ...empty, n, sumY: successes, sumY2: successes }, duration: { ...empty }, rating: { ...empty } },
});

function simulate(pControl, pTreatment, seed) {
  const random = seeded(seed);
  const binomial = (n, p) => {
    let k = 0;
    for (let i = 0; i < n; i++) if (random() < p) k++;
    return k;
  };
  const tau2 = DEFAULT_OPTIONS.minDetectableEffect.completion_rate ** 2;
  const counts = { sequential: 0, plainMsprt: 0, fixedDaily: 0, fixedOnce: 0 };
  for (let e = 0; e < EXPERIMENTS; e++) {
    let sc = 0,
      st = 0;
    const fired = { sequential: false, plainMsprt: false, fixedDaily: false };
    let last = false;
    for (let look = 1; look <= LOOKS; look++) {
      sc += binomial(PER_LOOK, pControl);
      st += binomial(PER_LOOK, pTreatment);
      const n = look * PER_LOOK;
      const c = analyzeSums(experiment, [sums('control', sc, n), sums('treatment', st, n)]).comparisons[0];
      if (c.significant) fired.sequential = true;
      const vc = ((sc / n) * (1 - sc / n) * n) / (n - 1) / n;
      const vt = ((st / n) * (1 - st / n) * n) / (n - 1) / n;
      const z = meanDifferenceZTest(sc / n, vc, st / n, vt);
      if (msprt(z.difference, vc + vt, tau2).pValue < 0.05) fired.plainMsprt = true;
      if (z.pValue < 0.05) fired.fixedDaily = true;
      last = z.pValue < 0.05;
    }
    for (const key of Object.keys(fired)) if (fired[key]) counts[key]++;
    if (last) counts.fixedOnce++;
  }
  return Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, v / EXPERIMENTS]));
}

const pct = (x) => `${(100 * x).toFixed(1)} %`;
const start = performance.now();
const aa = simulate(0.3, 0.3, 20261202);
const effect = simulate(0.3, 0.35, 20261203);
info('experiments per scenario', `${EXPERIMENTS} (20 looks, 100 users per arm per look, planned 2,000 per arm)`);
report('A/A ever significant, sequential (default)', 100 * aa.sequential, 5, '%', 'lower');
report('power 0.30 → 0.35, sequential (default)', 100 * effect.sequential, 80, '%', 'higher');
info('A/A ever significant, plain mSPRT τ = MDE (former default)', pct(aa.plainMsprt));
info('power, plain mSPRT τ = MDE (former default)', pct(effect.plainMsprt));
info('A/A ever significant, fixed z-test looked at daily', pct(aa.fixedDaily));
info('A/A, fixed z-test one look at the end', pct(aa.fixedOnce));
info('power, fixed z-test one look at the end', pct(effect.fixedOnce));
info('simulation time', `${((performance.now() - start) / 1000).toFixed(1)} s`);
