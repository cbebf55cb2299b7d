import { describe, expect, it } from 'vitest';
import { detectAnomalies, replayAnomalies, type SeriesPoint } from '../src/index.js';
import { dailyCycle, DAY, HOUR, MONDAY, simulate, withHour } from './series-fixtures.js';

const START = MONDAY + 24 * DAY + 12 * HOUR;

/** A busy skill whose completion rate falls to 50% for five hours from START. */
function fiveHourDrop(): SeriesPoint[] {
  let series = simulate(MONDAY, 28 * 24, (ts) => ({ volume: dailyCycle(ts, 200), rate: 0.95, duration: 2 }), 7);
  for (let h = 0; h < 5; h++) {
    const ts = START + h * HOUR;
    const count = series.find((p) => p.ts === ts)!.count;
    series = withHour(series, { ts, count, completed: Math.round(count / 2), avgDuration: 2 });
  }
  return series;
}

describe('replayAnomalies', () => {
  it('opens one anomaly for a five-hour drop and resolves it once the rate is back to normal', () => {
    const episodes = replayAnomalies(fiveHourDrop(), { skill: 'git-push', since: START - 6 * HOUR, until: START + 12 * HOUR });
    expect(episodes.map((e) => [e.metric, e.type, e.bucket, e.detectedAt, e.resolvedAt])).toEqual([
      // Open while any judged window still holds a bad hour: resolved after the third good hour.
      ['completion_rate', 'drop', START, START + HOUR, START + 8 * HOUR],
    ]);
    expect(episodes[0]!.skill).toBe('git-push');
  });

  it('leaves an anomaly open while its metric has no data to judge it by', () => {
    const series = fiveHourDrop().filter((p) => p.ts < START + 5 * HOUR);
    const [episode] = replayAnomalies(series, { since: START, until: START + 10 * HOUR, metrics: ['completion_rate'] });
    expect(episode).toMatchObject({ bucket: START, resolvedAt: null });
  });

  it('never opens a second anomaly for a metric and direction already open', () => {
    const range = { since: START - 6 * HOUR, until: START + 12 * HOUR, metrics: ['completion_rate' as const] };
    const everyHour = detectAnomalies(fiveHourDrop(), range);
    expect(everyHour.map((a) => (a.bucket - START) / HOUR)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(replayAnomalies(fiveHourDrop(), range)).toHaveLength(1);
  });
});
