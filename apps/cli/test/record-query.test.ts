import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runBin, runMain, tempDir } from './helpers.js';

const DAY = ['--since', '2026-01-01T00:00:00Z', '--until', '2026-01-02T00:00:00Z'];

describe('skills record, then metrics, top, session, search and list', () => {
  const db = join(tempDir(), 'record.db');
  const record = (...args: string[]) => runMain(['record', '--db', db, ...args]);

  beforeAll(async () => {
    await record(
      '--id',
      'r1',
      '--skill',
      'pytest-run',
      '--session',
      's1',
      '--user',
      'ana',
      '--invoked-at',
      '2026-01-01T10:00:00Z',
      '--completed',
      '--duration',
      '4',
      '--query',
      'run the failing auth tests',
      '--workflow-path',
      'quick',
      '--phase',
      'execution',
      '--follow-up',
      'git-commit',
    );
    await record(
      '--id',
      'r2',
      '--skill',
      'pytest-run',
      '--session',
      's1',
      '--user',
      'ana',
      '--invoked-at',
      '2026-01-01T10:20:00Z',
      '--completed',
      '--duration',
      '6',
      '--workflow-path',
      'quick',
    );
    await record(
      '--id',
      'r3',
      '--skill',
      'pytest-run',
      '--session',
      's2',
      '--user',
      'bo',
      '--invoked-at',
      '1767265200000',
      '--failed',
      '--error-type',
      'ImportError',
    );
    await record(
      '--id',
      'r4',
      '--skill',
      'ruff-check',
      '--session',
      's1',
      '--user',
      'ana',
      '--invoked-at',
      '2026-01-01T10:05:00Z',
      '--completed',
      '--duration',
      '1.5',
      '--alternative',
      'pylint',
      '--alternative',
      'mypy',
      '--selection-rank',
      '1',
    );
  });

  it('prints the id, and {id, inserted} with --json; a repeated id inserts nothing', async () => {
    const fresh = await runBin([
      'record',
      '--db',
      db,
      '--skill',
      'git-commit',
      '--session',
      's3',
      '--id',
      'r5',
      '--invoked-at',
      '2026-01-02T01:00:00Z',
      '--json',
    ]);
    expect(JSON.parse(fresh.stdout)).toEqual({ id: 'r5', inserted: true });
    const again = await runMain([
      'record',
      '--db',
      db,
      '--skill',
      'git-commit',
      '--session',
      's3',
      '--id',
      'r5',
      '--invoked-at',
      '2026-01-02T01:00:00Z',
    ]);
    expect(again).toEqual({ code: 0, stdout: 'r5\n', stderr: 'skills: r5 was already recorded: nothing changed\n' });
  });

  it('generates a ULID when no --id is given', async () => {
    const result = await record('--skill', 'git-push', '--session', 's9', '--invoked-at', '2026-01-03T00:00:00Z');
    expect(result.stdout).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}\n$/);
  });

  it('names the flag of an invalid field', async () => {
    const result = await record('--skill', '  ', '--session', 's1');
    expect(result).toEqual({ code: 1, stdout: '', stderr: 'skills: --skill: must not be empty\n' });
  });

  it('metrics --json gives the lifetime totals', async () => {
    const result = await runMain(['metrics', 'pytest-run', '--db', db, '--json']);
    expect(JSON.parse(result.stdout)).toEqual({
      skill_name: 'pytest-run',
      total_invocations: 3,
      completed_invocations: 2,
      abandoned_invocations: 1,
      completion_rate: 2 / 3,
      total_duration_seconds: 10,
      avg_duration_seconds: 5,
      first_invoked: Date.UTC(2026, 0, 1, 10),
      last_invoked: Date.UTC(2026, 0, 1, 11),
      workflow_paths: { quick: 2 },
      workflow_phases: { execution: 1 },
      common_errors: { ImportError: 1 },
      follow_up_actions: { 'git-commit': 1 },
    });
  });

  it('metrics prints a table, and a one-line error for an unknown skill', async () => {
    const table = await runBin(['metrics', 'pytest-run', '--db', db]);
    expect(table.stdout).toMatch(/│ completion %\s+│ 66\.7\s+│/);
    expect(table.stdout).toMatch(/│ ImportError\s+│\s+1 │/);
    const missing = await runBin(['metrics', 'nope', '--db', db]);
    expect(missing).toEqual({ code: 1, stdout: '', stderr: 'skills: skill not found: nope\n' });
  });

  it('top --json has one entry per skill with exact counts, busiest first', async () => {
    const result = await runMain(['top', '--db', db, ...DAY, '--json']);
    const top = JSON.parse(result.stdout);
    expect(top.map((s: object) => Object.keys(s))).toEqual([
      ['skill_name', 'invocations', 'completed', 'completion_rate', 'avg_duration_seconds', 'p95_duration_seconds'],
      ['skill_name', 'invocations', 'completed', 'completion_rate', 'avg_duration_seconds', 'p95_duration_seconds'],
    ]);
    expect(
      top.map((s: { skill_name: string; invocations: number; completed: number; avg_duration_seconds: number }) => [
        s.skill_name,
        s.invocations,
        s.completed,
        s.avg_duration_seconds,
      ]),
    ).toEqual([
      ['pytest-run', 3, 2, 5],
      ['ruff-check', 1, 1, 1.5],
    ]);
    // Read from log-spaced histogram buckets 19% wide: the estimate lies in the bucket holding 6 s.
    expect(top[0].p95_duration_seconds).toBeGreaterThan(6 / 1.19);
    expect(top[0].p95_duration_seconds).toBeLessThan(6 * 1.19);
  });

  it('top prints the table columns skill, invocations, completion %, avg s, p95 s', async () => {
    const result = await runBin(['top', '--db', db, ...DAY, '--order-by', 'completion_rate', '--limit', '1']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/│ skill\s+│ invocations │ completion % │ avg s │ p95 s │/);
    expect(result.stdout).toMatch(/│ ruff-check │\s+1 │\s+100\.0 │\s+1\.50 │\s+[\d.]+ │/);
    expect(result.stdout).not.toContain('pytest-run');
  });

  it('top rejects a bad --order-by and a bad --limit with one line and exit code 1', async () => {
    expect(await runMain(['top', '--db', db, '--order-by', 'fame'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'skills: --order-by: expected one of invocations, completion_rate, avg_duration, p95_duration (got "fame")\n',
    });
    expect((await runMain(['top', '--db', db, '--limit', '5000'])).stderr).toBe(
      'skills: --limit: expected an integer from 1 to 1000 (got "5000")\n',
    );
  });

  it('session --json summarises one session', async () => {
    const result = await runMain(['session', 's1', '--db', db, '--json']);
    expect(JSON.parse(result.stdout)).toMatchObject({
      session_id: 's1',
      unique_skills: 2,
      total_invocations: 3,
      completed_count: 3,
      total_duration_seconds: 11.5,
    });
  });

  it('search finds invocations by the words of their query', async () => {
    const result = await runMain(['search', 'failing tests', '--db', db, '--json']);
    expect(JSON.parse(result.stdout).map((i: { id: string }) => i.id)).toEqual(['r1']);
  });

  it('list filters and pages with a cursor', async () => {
    const first = JSON.parse((await runMain(['list', '--db', db, '--skill', 'pytest-run', '--limit', '2', '--json'])).stdout);
    expect(first.items.map((i: { id: string }) => i.id)).toEqual(['r3', 'r2']);
    const second = JSON.parse(
      (await runMain(['list', '--db', db, '--skill', 'pytest-run', '--limit', '2', '--cursor', first.nextCursor, '--json'])).stdout,
    );
    expect(second).toMatchObject({
      items: [{ id: 'r1', alternatives_considered: null, follow_up_actions: ['git-commit'] }],
      nextCursor: null,
    });
  });
});
