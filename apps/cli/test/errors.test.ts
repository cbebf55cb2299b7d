import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBin, runMain, tempDir } from './helpers.js';

describe('errors and exit codes', () => {
  const dir = tempDir();

  it('exits 2 with one line for an unknown option or command', async () => {
    expect(await runBin(['top', '--bogus'])).toEqual({ code: 2, stdout: '', stderr: "skills: unknown option '--bogus' (see skills --help)\n" });
    const unknown = await runMain(['tpo']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe("skills: unknown command 'tpo' (Did you mean top?) (see skills --help)\n");
  });

  it('exits 2 for a missing argument or required option', async () => {
    expect((await runMain(['import'])).stderr).toBe("skills: missing required argument 'file' (see skills --help)\n");
    expect((await runMain(['record', '--skill', 'x'])).code).toBe(2);
  });

  it('exits 1 with one line, no stack trace, for a bad time argument', async () => {
    const result = await runBin(['top', '--since', 'last tuesday', '--db', join(dir, 'none.db')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('skills: --since: expected a duration before now (30m, 24h, 7d, 2w), epoch milliseconds or an ISO-8601 time (got "last tuesday")\n');
  });

  it('refuses to read a store that does not exist instead of creating an empty one', async () => {
    const db = join(dir, 'typo.db');
    expect(await runMain(['top', '--db', db])).toEqual({ code: 1, stdout: '', stderr: `skills: no store at ${db} (create one with: skills init --db ${db})\n` });
  });

  it('reports an unsupported store URL in one line', async () => {
    expect((await runMain(['init', '--db', 'mysql://localhost/x'])).stderr).toBe(
      'skills: unsupported store URL scheme in "mysql://localhost/x": expected sqlite: or postgres://\n',
    );
  });

  it('prints help and the version with exit code 0', async () => {
    expect((await runMain(['--help'])).stdout).toContain('Usage: skills [options] [command]');
    expect((await runMain(['--version'])).stdout).toBe('0.1.0\n');
  });
});
