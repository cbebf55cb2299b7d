import { chmodSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '@skills/storage';
import { describe, expect, it } from 'vitest';
import { allInvocations, jsonl, runMain, T0, tempDir } from './helpers.js';

const invocation = (id: string, user: string, skill: string) => ({
  id,
  skill_name: skill,
  session_id: `s-${user}`,
  invoked_at: T0,
  user_id: user,
  completed: true,
});

describe('skills and private data', () => {
  const dir = tempDir();

  it('forget " user-008 " forgets user-008, whose stored id was trimmed', async () => {
    const db = join(dir, 'forget.db');
    const input = jsonl([invocation('1', 'user-008', 'lint'), invocation('2', 'user-008', 'test'), invocation('3', 'user-009', 'lint')]);
    expect((await runMain(['init', '--db', db])).code).toBe(0);
    expect((await runMain(['import', '-', '--db', db], { input })).code).toBe(0);
    const forgot = await runMain(['forget', ' user-008 ', '--db', db, '--json']);
    expect(forgot.code).toBe(0);
    expect(JSON.parse(forgot.stdout)).toMatchObject({ user: 'user-008', removed: 2 });
    expect(JSON.parse((await runMain(['compare', 'user-008', '--db', db, '--json'])).stdout)).toEqual([]);
  });

  it('creates the store file 0600 and warns when its key file is readable by others', async () => {
    const db = join(dir, 'modes.db');
    expect((await runMain(['init', '--db', db])).code).toBe(0);
    expect([statSync(db).mode & 0o777, statSync(`${db}.secret`).mode & 0o777]).toEqual([0o600, 0o600]);
    expect((await runMain(['top', '--db', db])).stderr).toBe('');
    chmodSync(`${db}.secret`, 0o644);
    const result = await runMain(['top', '--db', db]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      `skills: warning: key file ${db}.secret is readable by other users: anyone who reads it can recompute user pseudonyms (fix: chmod 600 ${db}.secret)\n`,
    );
  });

  it('refuses a zero-byte file as the store of a read command, and leaves it empty', async () => {
    const db = join(dir, 'empty.db');
    writeFileSync(db, '');
    const result = await runMain(['top', '--db', db]);
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: `skills: ${db} is an empty file, not a skills store (create one with: skills init --db ${db})\n`,
    });
    expect(statSync(db).size).toBe(0);
  });
});

describe('skills forget on a seeded store with an experiment and a saved model', () => {
  const dir = tempDir();
  const db = join(dir, 'seeded.db');
  const user = 'user-008';

  it('removes the user from experiments and saved models, says what raw records remain, and --erase deletes them', async () => {
    expect(
      (await runMain(['seed', '--db', db, '--invocations', '3000', '--users', '20', '--skills', '10', '--days', '7', '--seed', '5'])).code,
    ).toBe(0);
    expect((await runMain(['abtest', 'create', 'exp', '--control', 'a', '--treatment', 'b', '--db', db])).code).toBe(0);
    expect((await runMain(['abtest', 'assign', 'exp', user, '--db', db])).code).toBe(0);
    expect((await runMain(['abtest', 'record', 'exp', user, '--completed', '--db', db])).code).toBe(0);
    // A saved model's aggregates as @skills/predictor writes them (training one takes too long for a test).
    const store = await openStore(db);
    await store.db
      .insertInto('predictor_models')
      .values({
        version: 1,
        feature_version: 1,
        trained_at: T0,
        training_rows: 3,
        features: '[]',
        options: '{}',
        metrics: '{}',
        model: '{}',
        aggregates: JSON.stringify({ users: { [user]: [3, 2] }, userSkills: { [`${user}\u0000lint`]: [3, 2] } }),
        created_at: T0,
      })
      .execute();
    await store.close();
    const kept = (await allInvocations(db)).filter((i) => i.user_id === user).length;
    expect(kept).toBeGreaterThan(50);

    const forgot = await runMain(['forget', user, '--db', db]);
    expect(forgot.code).toBe(0);
    const lines = forgot.stdout.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^Forgot ${user}: removed \\d+ interaction rows; later invocations of theirs are left out too.$`));
    expect(lines.slice(1)).toEqual([
      'Also removed: 1 experiment assignment, 1 experiment outcome, 1 per-user experiment row; their tallies in 1 saved predictor model.',
      `Still stored: ${kept.toLocaleString('en-US')} invocations with their raw id in skill_invocation (the recorded log; skills predict train reads it again). Delete them with: skills forget ${user} --erase`,
      '',
    ]);

    const erased = await runMain(['forget', ` ${user} `, '--erase', '--db', db, '--json']);
    expect(JSON.parse(erased.stdout)).toEqual({
      user,
      removed: 0,
      experimentAssignments: 0,
      experimentOutcomes: 0,
      experimentUserStats: 0,
      predictorModels: 0,
      erasedInvocations: kept,
      invocationsKept: 0,
    });
    expect((await allInvocations(db)).filter((i) => i.user_id === user)).toEqual([]);
    expect(await runMain(['verify', '--db', db])).toMatchObject({ code: 0 });
    expect((await runMain(['forget', user, '--db', db])).stdout.split('\n')[2]).toBe('No invocation with their id is stored.');
  });
});
