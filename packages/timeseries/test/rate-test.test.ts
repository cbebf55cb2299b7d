import { describe, expect, it } from 'vitest';
import { referencesFor } from '../src/anomalies/references.js';
import { judgeRate } from '../src/anomalies/robust-tests.js';
import { estimateSpread } from '../src/anomalies/spread.js';
import type { Judgement } from '../src/anomalies/judgement.js';
import { explainAnomalies } from '../src/index.js';
import { denseSeries, type SeriesPoint } from '../src/series.js';
import { HOUR, MONDAY, seededRandom } from './series-fixtures.js';

const options = {
  baselineDays: 14,
  minReferenceDays: 2,
  minRateChange: 0.05,
  minCountRatio: 1.5,
  minCountChange: 8,
  minDurationRatio: 1.5,
};

/**
 * 14 days (from Monday) of hours with `calls(h)` invocations each, each completing with
 * probability `rate` (or exactly `completed(h)` when given); then the judged hour.
 */
function series(
  rate: number,
  calls: (h: number) => number,
  seed: number,
  judged: { count: number; completed: number },
  completedOf?: (h: number) => number,
) {
  const random = seededRandom(seed);
  const points: SeriesPoint[] = [];
  for (let h = 0; h < 14 * 24; h++) {
    const count = calls(h);
    let completed = 0;
    if (completedOf !== undefined) completed = completedOf(h);
    else for (let i = 0; i < count; i++) if (random() < rate) completed += 1;
    if (count > 0) points.push({ ts: MONDAY + h * HOUR, count, completed, avgDuration: 1 });
  }
  // Monday of the third week, 12:00: 10 weekday references.
  points.push({ ts: MONDAY + (14 * 24 + 12) * HOUR, ...judged, avgDuration: 1 });
  return denseSeries(points);
}

function judge(s: ReturnType<typeof series>): Judgement {
  const end = s.length - 1;
  const refs = referencesFor(s, end, 1, options);
  return judgeRate(s, refs, estimateSpread(s, refs), options) as Judgement;
}

describe('judgeRate on few calls', () => {
  it('judges 0 of 6 after a 70% baseline by the beta-binomial mid-p tail', () => {
    // Every earlier hour: 7 of 10 (no overdispersion in the references).
    const j = judge(
      series(
        0.7,
        () => 10,
        0,
        { count: 6, completed: 0 },
        () => 7,
      ),
    );
    expect(j.baseline).toBe(70.5 / 101);
    // ρ = 0.001667 (the prior's share); φ = ρ + (1 + 9ρ)/101; a, b = p0·(1/φ − 1), (1 − p0)·(1/φ − 1):
    // scipy.stats.norm.ppf(0.5 * scipy.stats.betabinom(6, a, b).pmf(0)) = −3.2623373677082745
    // (the quasi-binomial it replaces gave −3.03, the beta-binomial P(X ≤ 0) −3.06).
    expect(j.score).toBeCloseTo(-3.2623373677082745, 10);
    expect(j.material).toBe(true);
  });

  it('holds its nominal size under pure binomial noise at 2 to 9 calls an hour', () => {
    // 2,000 series of a 75% skill: how often the judged hour scores below −2 (one-sided 2.3% nominal).
    let below = 0;
    let judged = 0;
    for (let seed = 1; seed <= 2000; seed++) {
      const random = seededRandom(1000 + seed);
      const count = 2 + Math.floor(random() * 8);
      let completed = 0;
      for (let i = 0; i < count; i++) if (random() < 0.75) completed += 1;
      const j = judge(series(0.75, (h) => 2 + (h % 8), seed, { count, completed }));
      judged += 1;
      if (j.score <= -2) below += 1;
    }
    // 42 of 2,000 (2.1%): the mid-p tail is not conservative at these counts, nor too eager.
    expect(below).toBe(42);
    expect(judged).toBe(2000);
    expect(below / judged).toBeLessThan(0.0228);
  });
});

describe('explainAnomalies of a normal hour', () => {
  it('says what was seen against what was expected, and the score', () => {
    const s = series(
      0.7,
      () => 10,
      0,
      { count: 2, completed: 0 },
      () => 7,
    );
    const points: SeriesPoint[] = [];
    for (let i = 0; i < s.length; i++)
      if ((s.count[i] as number) > 0)
        points.push({ ts: s.start + i * HOUR, count: s.count[i] as number, completed: s.completed[i] as number, avgDuration: 1 });
    const judged = MONDAY + (14 * 24 + 12) * HOUR;
    const [hour] = explainAnomalies(points, { since: judged, until: judged + HOUR, metrics: ['completion_rate'] });
    // The 3-hour window (no calls at 10:00 and 11:00, so 0 of 2 again) rests on 30 reference hours, the hour on 10: it says more.
    expect(hour).toMatchObject({ bucket: judged, status: 'normal', code: null, hours: 3, observed: 0, baseline: 210.5 / 301 });
    expect(hour!.reason).toBe(
      `completion rate judged: within 3.3 of normal (completion rate 0% (0 of 2) over the 3 hours from 10:00 to 13:00 UTC; usually 70% at these hours on weekdays (10 earlier days); score −1.7)`,
    );
    expect(hour!.score).toBeCloseTo(-1.68834689595782, 10);
  });
});
