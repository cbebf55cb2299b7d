import { chmodSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonl, runMain, T0, tempDir } from './helpers.js';

const invocation = (id: string, user: string, skill: string) => ({ id, skill_name: skill, session_id: `s-${user}`, invoked_at: T0, user_id: user, completed: true });

describe('skills and private data', () => {
  const dir = tempDir();

  it('forget " user-008 " forgets user-008, whose stored id was trimmed', async () => {
    const db = join(dir, 'forget.db');
    const input = jsonl([invocation('1', 'user-008', 'lint'), invocation('2', 'user-008', 'test'), invocation('3', 'user-009', 'lint')]);
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
