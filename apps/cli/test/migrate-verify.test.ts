import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBin, runMain, tempDir } from './helpers.js';

const ALL = [
  '0001_initial',
  '0002_search',
  '0003_workflow_correlation',
  '0004_analytics',
  '0005_abtest',
  '0006_predictor',
  '0007_collab',
  '0008_lean_ingest',
  '0009_integrations',
  '0010_ci_integrations',
  '0011_skill_phase_totals',
  '0012_read_paths',
];

describe('skills migrate', () => {
  const db = join(tempDir(), 'migrate.db');

  it('up applies every migration, then reports nothing to do', async () => {
    expect(JSON.parse((await runMain(['migrate', 'up', '--db', db, '--json'])).stdout)).toEqual({ applied: ALL, rebuiltRollups: false });
    expect((await runMain(['migrate', 'up', '--db', db])).stdout).toBe('Already up to date.\n');
  });

  it('status lists every migration with when it was applied', async () => {
    const status = JSON.parse((await runMain(['migrate', 'status', '--db', db, '--json'])).stdout);
    expect(status.map((m: { name: string }) => m.name)).toEqual(ALL);
    expect(status.every((m: { appliedAt: number | null }) => typeof m.appliedAt === 'number')).toBe(true);
    const table = await runBin(['migrate', 'status', '--db', db]);
    expect(table.stdout).toMatch(/│ 0010_ci_integrations\s+│ \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ │/);
    expect(table.stdout).toContain('Up to date.');
  });

  it('down --steps 3 rolls back the newest three; status shows them pending; up re-applies them', async () => {
    expect(JSON.parse((await runMain(['migrate', 'down', '--steps', '3', '--db', db, '--json'])).stdout)).toEqual({
      rolledBack: ['0012_read_paths', '0011_skill_phase_totals', '0010_ci_integrations'],
      dropped: [],
    });
    const table = await runBin(['migrate', 'status', '--db', db]);
    expect(table.stdout).toMatch(/│ 0010_ci_integrations\s+│ pending\s+│/);
    expect(table.stdout).toContain('3 pending: run skills migrate up');
    expect((await runMain(['migrate', 'up', '--db', db])).stdout).toBe(
      'Applied: 0010_ci_integrations, 0011_skill_phase_totals, 0012_read_paths\n',
    );
  });

  it('down rejects a bad --steps', async () => {
    expect((await runMain(['migrate', 'down', '--steps', '0', '--db', db])).stderr).toBe(
      'skills: --steps: expected an integer from 1 to 1000 (got "0")\n',
    );
  });
});

describe('skills verify', () => {
  const db = join(tempDir(), 'verify.db');

  it('says consistent (exit code 0) for a seeded store', async () => {
    await runMain(['seed', '--db', db, '--invocations', '2000', '--users', '20', '--skills', '10', '--days', '2']);
    expect(await runBin(['verify', '--db', db])).toEqual({ code: 0, stdout: 'consistent\n', stderr: '' });
    expect(JSON.parse((await runMain(['verify', '--db', db, '--json'])).stdout)).toEqual({ consistent: true, mismatches: [] });
  });
});
