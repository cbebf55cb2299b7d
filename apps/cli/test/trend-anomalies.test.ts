import { join } from 'node:path';
import { openStore, recordInvocations, type InvocationInput } from '@skills/storage';
import { beforeAll, describe, expect, it } from 'vitest';
import { sparkline } from '../src/commands/trend-anomalies.js';
import { runBin, runMain, tempDir } from './helpers.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Monday 2026-01-05; ten days of data follow it. */
const MONDAY = Date.UTC(2026, 0, 5);
/** pytest-run fails 13 of 20 calls from 14:00 to 17:00 on the tenth day (a Wednesday). */
const INCIDENT = MONDAY + 9 * DAY + 14 * HOUR;
const END = MONDAY + 10 * DAY;

/**
 * 20 calls an hour of three skills: pytest-run completes 19 (except in the incident), ruff-check
 * all, and mypy-check 12 on the first day, one more each day (a rising trend).
 */
function invocations(): InvocationInput[] {
  const items: InvocationInput[] = [];
  for (let h = 0; h < 10 * 24; h++) {
    const hour = MONDAY + h * HOUR;
    const day = Math.floor(h / 24);
    const failing = hour >= INCIDENT && hour < INCIDENT + 3 * HOUR;
    for (let i = 0; i < 20; i++) {
      const at = hour + i * 60_000;
      items.push({
        id: `p-${h}-${i}`,
        skill_name: 'pytest-run',
        session_id: `s-${h}`,
        invoked_at: at,
        completed: i < (failing ? 7 : 19),
        duration_seconds: 2,
      });
      items.push({
        id: `r-${h}-${i}`,
        skill_name: 'ruff-check',
        session_id: `s-${h}`,
        invoked_at: at + 1000,
        completed: true,
        duration_seconds: 0.5,
      });
      items.push({
        id: `m-${h}-${i}`,
        skill_name: 'mypy-check',
        session_id: `s-${h}`,
        invoked_at: at + 2000,
        completed: i < 12 + day,
        duration_seconds: 3,
      });
    }
  }
  return items;
}

describe('skills trend and skills anomalies', () => {
  const db = join(tempDir(), 'timeseries.db');

  beforeAll(async () => {
    const store = await openStore(db);
    try {
      await recordInvocations(store, invocations());
    } finally {
      await store.close();
    }
  });

  it('trend --json gives the direction, slope and p-values of a skill', async () => {
    const result = await runMain(['trend', 'mypy-check', '--db', db, '--days', '7', '--until', String(INCIDENT), '--json']);
    expect(result.code).toBe(0);
    const trend = JSON.parse(result.stdout);
    expect(trend).toMatchObject({
      skill: 'mypy-check',
      metric: 'completion_rate',
      direction: 'improving',
      since: INCIDENT - 7 * DAY,
      until: INCIDENT,
    });
    expect(trend.slopePerDay).toBeCloseTo(0.05, 5);
    expect(trend.points).toHaveLength(7);
    expect(trend.mannKendall.pValue).toBeLessThan(0.01);
  });

  it('trend prints a sparkline and the figures behind the verdict', async () => {
    const result = await runMain(['trend', 'mypy-check', '--db', db, '--days', '7', '--until', String(INCIDENT)]);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('mypy-check: completion rate improving (2026-01-07T14:00:00Z to 2026-01-14T14:00:00Z)');
    expect(lines[1]).toBe('▁▂▃▅▆██  daily, oldest first: 72.9% to 100.0%');
    expect(result.stdout).toMatch(/│ Mann–Kendall p-value\s+│ [\d.e-]+\s+│/);
  });

  it('trend of volume and of an unknown skill, and bad flags', async () => {
    const volume = JSON.parse(
      (await runMain(['trend', 'ruff-check', '--db', db, '--metric', 'invocation_count', '--until', String(END), '--json'])).stdout,
    );
    expect(volume.points.map((p: { value: number }) => p.value)).toEqual([480, 480, 480, 480, 480, 480, 480]);
    expect(volume.direction).toBe('stable');
    expect(await runMain(['trend', 'nope', '--db', db])).toEqual({ code: 1, stdout: '', stderr: 'skills: skill not found: nope\n' });
    const metric = await runMain(['trend', 'ruff-check', '--db', db, '--metric', 'speed']);
    expect(metric).toEqual({
      code: 1,
      stdout: '',
      stderr: 'skills: --metric: expected one of completion_rate, invocation_count, avg_duration_seconds (got "speed")\n',
    });
    expect((await runMain(['trend', 'ruff-check', '--db', db, '--days', '0'])).stderr).toBe(
      'skills: --days: expected an integer from 1 to 366 (got "0")\n',
    );
  });

  it('anomalies --detect judges the hours since --since, records the drop and lists it', async () => {
    const now = INCIDENT + 2 * HOUR + 60_000;
    const result = await runMain(['anomalies', '--db', db, '--detect', '--since', '3h', '--json'], { now });
    expect(result.code).toBe(0);
    const { detection, anomalies } = JSON.parse(result.stdout);
    expect(detection).toEqual({ since: INCIDENT - HOUR, until: INCIDENT + 2 * HOUR, skills: 3, detected: 1, resolved: 0, open: 1 });
    expect(anomalies).toHaveLength(1);
    expect(anomalies[0]).toMatchObject({
      skill: 'pytest-run',
      type: 'drop',
      metric: 'completion_rate',
      bucket: INCIDENT,
      method: 'robust',
      resolvedAt: null,
    });
    // Run again: nothing new while it is open.
    const again = JSON.parse((await runMain(['anomalies', '--db', db, '--detect', '--since', '3h', '--json'], { now })).stdout);
    expect(again.detection.detected).toBe(0);
    expect(again.anomalies).toHaveLength(1);
  });

  it('anomalies prints a table; the z-score method can be run and listed apart', async () => {
    const now = INCIDENT + 2 * HOUR + 60_000;
    const table = await runMain(['anomalies', '--db', db, '--since', '24h'], { now });
    expect(table.stdout).toContain(
      '│ 2026-01-14T14:00 │ pytest-run │ completion_rate │ drop │ 35.0% │ 94.7% │  -6.0 │ open     │ completion rate 35% (7 of 20) in the hour from 14:00 UTC; u… │',
    );
    const zscore = JSON.parse(
      (await runMain(['anomalies', '--db', db, '--detect', '--method', 'zscore', '--since', '3h', '--json'], { now })).stdout,
    );
    expect(zscore.anomalies.every((a: { method: string }) => a.method === 'zscore')).toBe(true);
    expect(zscore.anomalies.length).toBeGreaterThan(0);
    const empty = await runMain(['anomalies', '--db', db, '--since', '1h', '--skill', 'ruff-check'], { now });
    expect(empty.stdout).toBe('No anomalies since 2026-01-14T15:01:00Z.\n');
  });

  it('anomalies --explain lists the hours it could not judge, and why, without recording anything', async () => {
    // The first day's last hour and the second day's first: less than two days of history.
    const now = MONDAY + DAY + HOUR + 60_000;
    const result = await runMain(
      ['anomalies', '--db', db, '--explain', '--since', '2026-01-05T23:00Z', '--skill', 'ruff-check', '--json'],
      { now },
    );
    expect(result.code).toBe(0);
    const { anomalies, notJudged, detection } = JSON.parse(result.stdout);
    expect(detection).toBeUndefined();
    expect(anomalies).toEqual([]);
    expect(notJudged.map((h: { metric: string; bucket: number; code: string }) => [h.metric, (h.bucket - MONDAY) / HOUR, h.code])).toEqual([
      ['completion_rate', 23, 'young_history'],
      ['invocation_count', 23, 'young_history'],
      ['avg_duration_seconds', 23, 'young_history'],
      ['completion_rate', 24, 'young_history'],
      ['invocation_count', 24, 'young_history'],
      ['avg_duration_seconds', 24, 'young_history'],
    ]);
    expect(notJudged[0].reason).toBe('completion rate not judged: 0 earlier days of history (2 needed)');
    expect(notJudged[3].reason).toBe('completion rate not judged: 1 earlier day of history (2 needed)');
    const table = await runMain(['anomalies', '--db', db, '--explain', '--since', '2026-01-05T23:00Z', '--skill', 'ruff-check'], { now });
    expect(table.stdout).toContain('Not judged (6 of 6 skill-hour-metrics, 2026-01-05T23:00:00Z to 2026-01-06T01:00:00Z):');
    expect(table.stdout).toContain(
      '│ ruff-check │ completion_rate      │     2 │ 2026-01-05T23:00 │ 2026-01-06T00:00 │ completion rate not judged: 1 earlier day of history (2 needed) │',
    );
    // The same hours as a past range (--until), months later.
    const past = await runMain(
      [
        'anomalies',
        '--db',
        db,
        '--explain',
        '--since',
        '2026-01-05T23:00Z',
        '--until',
        '2026-01-06T01:00Z',
        '--skill',
        'ruff-check',
        '--json',
      ],
      { now: END + 300 * DAY },
    );
    expect(JSON.parse(past.stdout).notJudged).toEqual(notJudged);
    expect(await runMain(['anomalies', '--db', db, '--explain', '--since', '2026-01-06T01:00Z', '--until', '2026-01-05T23:00Z'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'skills: --until: expected a time after --since\n',
    });
    const later = await runMain(['anomalies', '--db', db, '--explain', '--since', '2h', '--skill', 'ruff-check'], {
      now: END - 30 * 60_000,
    });
    expect(later.stdout).toContain('Every hour of every metric was judged (1 skill, 2 hours).');
  });

  it('anomalies rejects a bad method and an unknown skill', async () => {
    expect(await runMain(['anomalies', '--db', db, '--method', 'magic'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'skills: --method: expected one of robust, zscore (got "magic")\n',
    });
    const unknown = await runBin(['anomalies', '--db', db, '--skill', 'nope', '--detect']);
    expect(unknown).toEqual({ code: 1, stdout: '', stderr: 'skills: skill not found: nope\n' });
  });

  it('sparkline scales values between the smallest and largest, with gaps as spaces', () => {
    expect(sparkline([1, 2, 3, null, 8])).toBe('▁▂▃ █');
    expect(sparkline([5, 5])).toBe('▄▄');
    expect(sparkline([])).toBe('');
  });
});
