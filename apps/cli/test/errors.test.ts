import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../src/index.js';
import { runBin, runMain, tempDir } from './helpers.js';

describe('errors and exit codes', () => {
  const dir = tempDir();

  it('exits 2 with one line for an unknown option or command', async () => {
    expect(await runBin(['top', '--bogus'])).toEqual({
      code: 2,
      stdout: '',
      stderr: "skills: unknown option '--bogus' (see skills --help)\n",
    });
    const unknown = await runMain(['tpo']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe("skills: unknown command 'tpo' (Did you mean top?) (see skills --help)\n");
  });

  it('exits 2 for a missing argument or required option', async () => {
    expect((await runMain(['import'])).stderr).toBe("skills: missing required argument 'file' (see skills --help)\n");
    expect((await runMain(['record', '--skill', 'x'])).stderr).toBe(
      "skills: required option '--session <id>' not specified (see skills --help)\n",
    );
  });

  it('names the flag and the position of a bad repeated value in record', async () => {
    const long = 'x'.repeat(501);
    const result = await runMain([
      'record',
      '--db',
      join(dir, 'rec.db'),
      '--skill',
      'a',
      '--session',
      'b',
      '--follow-up',
      'ok',
      '--follow-up',
      long,
    ]);
    expect(result).toMatchObject({ code: 1, stderr: expect.stringMatching(/^skills: --follow-up \(value 2\): .*500 characters\n$/) });
    expect(
      (await runMain(['record', '--db', join(dir, 'rec.db'), '--skill', 'a', '--session', 'b', '--completed', '--failed'])).stderr,
    ).toBe('skills: --completed and --failed cannot be used together\n');
  });

  it('exits 1 with one line, no stack trace, for a bad time argument', async () => {
    const result = await runBin(['top', '--since', 'last tuesday', '--db', join(dir, 'none.db')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'skills: --since: expected a duration before now (30m, 24h, 7d, 2w), epoch milliseconds or an ISO-8601 time (got "last tuesday")\n',
    );
  });

  it('refuses to read a store that does not exist instead of creating an empty one', async () => {
    const db = join(dir, 'typo.db');
    expect(await runMain(['top', '--db', db])).toEqual({
      code: 1,
      stdout: '',
      stderr: `skills: no store at ${db} (create one with: skills init --db ${db})\n`,
    });
  });

  it('reports an unsupported store URL in one line', async () => {
    expect((await runMain(['init', '--db', 'mysql://localhost/x'])).stderr).toBe(
      'skills: unsupported store URL scheme in "mysql://localhost/x": expected sqlite: or postgres://\n',
    );
  });

  it('prints help and the version with exit code 0', async () => {
    expect((await runMain(['--help'])).stdout).toContain('Usage: skills [options] [command]');
    expect((await runMain(['--version'])).stdout).toBe('0.1.0\n');
    const help = await runMain(['help', 'top']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--order-by <key>');
  });
});

describe('unexpected errors', () => {
  it('print one line and point at SKILLS_DEBUG; with SKILLS_DEBUG=1 the stack too', async () => {
    const run = async (env: Record<string, string>) => {
      let stderr = '';
      const stdin = new Readable({
        read() {
          this.destroy(new Error('disk on fire'));
        },
      });
      const sink = new Writable({
        write(chunk, _encoding, callback) {
          stderr += String(chunk);
          callback();
        },
      });
      const devNull = new Writable({
        write(_chunk, _encoding, callback) {
          callback();
        },
      });
      const code = await main(['node', 'skills', 'import', '-', '--db', ':memory:'], {
        stdout: devNull,
        stderr: sink,
        stdin,
        env,
        isTTY: false,
      });
      return { code, stderr };
    };
    expect(await run({})).toEqual({ code: 1, stderr: 'skills: disk on fire (run with SKILLS_DEBUG=1 for details)\n' });
    const debug = await run({ SKILLS_DEBUG: '1' });
    expect(debug.stderr).toMatch(/^Error: disk on fire\n\s+at /);
    expect(debug.stderr.endsWith('skills: disk on fire\n')).toBe(true);
  });
});
