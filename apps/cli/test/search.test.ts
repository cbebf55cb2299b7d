import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonl, runMain, T0, tempDir } from './helpers.js';

describe('skills search', () => {
  const dir = tempDir();

  it('ignores stop words and operators alike on every database, and says so when nothing else is left', async () => {
    const db = join(dir, 'search.db');
    const input = jsonl([
      { id: 'a', skill_name: 'pytest-run', session_id: 's', invoked_at: T0, user_query: 'run the failing auth tests' },
      { id: 'b', skill_name: 'pytest-run', session_id: 's', invoked_at: T0 + 1, user_query: 'lint the auth module' },
    ]);
    expect((await runMain(['init', '--db', db])).code).toBe(0);
    expect((await runMain(['import', '-', '--db', db], { input })).code).toBe(0);
    const found = await runMain(['search', 'auth AND tests', '--db', db, '--json']);
    expect(JSON.parse(found.stdout).map((i: { id: string }) => i.id)).toEqual(['a']);
    expect(JSON.parse((await runMain(['search', 'auth', '--db', db, '--json'])).stdout).map((i: { id: string }) => i.id)).toEqual([
      'b',
      'a',
    ]);
    expect(await runMain(['search', 'the AND', '--db', db])).toEqual({
      code: 0,
      stdout: 'No matching invocations: "the", "and" are stop words, ignored in searches; search for other words.\n',
      stderr: '',
    });
  });
});
