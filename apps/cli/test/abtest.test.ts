import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBin, runMain, tempDir } from './helpers.js';

describe('skills abtest', () => {
  const db = join(tempDir(), 'abtest.db');
  const abtest = (...args: string[]) => runMain(['abtest', ...args, '--db', db]);

  it('creates an experiment and lists it, as a table and as JSON', async () => {
    const created = await abtest(
      'create',
      'search-v2',
      '--control',
      'semantic',
      '--treatment',
      'workflow-aware',
      '--min-sample',
      '20',
      '--json',
    );
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({
      name: 'search-v2',
      status: 'running',
      assignmentRatio: 0.5,
      options: { mode: 'sequential', correction: 'holm' },
    });
    const table = await abtest('list');
    expect(table.stdout).toMatch(/search-v2\s+│?\s*running/);
    const json = await abtest('list', '--json');
    expect(JSON.parse(json.stdout).map((e: { name: string }) => e.name)).toEqual(['search-v2']);
  });

  it('rejects a duplicate name with one line and exit code 1', async () => {
    const again = await abtest('create', 'search-v2', '--control', 'a', '--treatment', 'b');
    expect(again).toEqual({
      code: 1,
      stdout: '',
      stderr: 'skills: experiment search-v2: an experiment with this name already exists (names are compared regardless of case)\n',
    });
    expect((await abtest('create', 'Search-V2', '--control', 'a', '--treatment', 'b')).code).toBe(1);
  });

  it('tunes the sequential test to --planned-users, and refuses a non-whole number naming the flag', async () => {
    const created = await abtest('create', 'planned', '--control', 'a', '--treatment', 'b', '--planned-users', '3000', '--json');
    expect(JSON.parse(created.stdout).options.plannedUsersPerVariant).toBe(3000);
    expect(await abtest('create', 'planned-2', '--control', 'a', '--treatment', 'b', '--planned-users', '1.5')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'skills: --planned-users: expected a whole number of users ≥ 2 (got "1.5")\n',
    });
  });

  it('rejects weights that do not sum to 1, naming the field', async () => {
    const bad = await abtest('create', 'three', '--variant', 'control=a:0.5', '--variant', 'b=b:0.2', '--variant', 'c=c:0.2');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^skills: variants: weights must sum to 1/);
  });

  it('assigns users stickily and records their outcomes', async () => {
    const first = await abtest('assign', 'search-v2', 'alice');
    const again = await abtest('assign', 'search-v2', 'alice', '--json');
    expect(first.stdout.trim()).toBe(JSON.parse(again.stdout).variant);
    const recorded = await abtest('record', 'search-v2', 'alice', '--completed', '--duration', '12.5', '--rating', '4', '--json');
    expect(JSON.parse(recorded.stdout)).toEqual({ experiment: 'search-v2', user: 'alice', recorded: true });
  });

  it('rejects an outcome of an unassigned user and a rating outside 1–5', async () => {
    expect(await abtest('record', 'search-v2', 'mallory', '--completed')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'skills: assignment not found: search-v2/mallory\n',
    });
    const rating = await abtest('record', 'search-v2', 'alice', '--completed', '--rating', '6');
    expect(rating).toEqual({ code: 1, stdout: '', stderr: 'skills: --rating: expected a number from 1 to 5 (got "6")\n' });
  });

  it('analyzes: a table for people and the whole analysis with --json', async () => {
    for (let i = 0; i < 60; i++) {
      const user = `u${i}`;
      const variant = (await abtest('assign', 'search-v2', user)).stdout.trim();
      await abtest(
        'record',
        'search-v2',
        user,
        i % 10 < (variant === 'treatment' ? 9 : 3) ? '--completed' : '--abandoned',
        '--duration',
        String(5 + (i % 7)),
      );
    }
    const table = await abtest('analyze', 'search-v2');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/sequential analysis, α = 0\.05, holm over 2 comparisons/);
    expect(table.stdout).toMatch(/^Verdict: /m);
    const json = JSON.parse((await runBin(['abtest', 'analyze', 'search-v2', '--db', db, '--json'])).stdout);
    expect(json.comparisons.map((c: { metric: string }) => c.metric)).toEqual(['completion_rate', 'duration']);
    expect(json.srm.mismatch).toBe(false);
    expect(['treatment_wins', 'keep_running']).toContain(json.verdict);
  });

  it('stops an experiment: nobody new is assigned', async () => {
    expect((await abtest('stop', 'search-v2')).stdout).toBe('Stopped experiment search-v2.\n');
    expect(await abtest('assign', 'search-v2', 'newcomer')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'skills: experiment search-v2: is stopped and assigns nobody new\n',
    });
  });

  it('names an unknown experiment', async () => {
    expect(await abtest('analyze', 'nope')).toEqual({ code: 1, stdout: '', stderr: 'skills: experiment not found: nope\n' });
  });
});
