import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir, type RunResult } from './helpers.js';

// The root README's Quick start, run as written: its alias from the repository root, its first
// command block from a directory of its own, then its "From code" snippet against that store.
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const README = readFileSync(join(REPO, 'README.md'), 'utf8');

/** The fenced blocks of one README section, in order. */
function blocksOf(section: string): { lang: string; code: string }[] {
  const start = README.indexOf(`## ${section}\n`);
  const end = README.indexOf('\n## ', start + 1);
  const text = README.slice(start, end === -1 ? undefined : end);
  return [...text.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1]!, code: m[2]! }));
}

function run(command: string, args: string[], cwd: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, SKILLS_DB_URL: '', SKILLS_DEBUG: '', SKILLS_PSEUDONYM_SECRET: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('the README Quick start', () => {
  const dir = tempDir();
  const blocks = blocksOf('Quick start');

  it('has the alias, the command block and the snippet this test runs', () => {
    expect(blocks.map((b) => b.lang)).toEqual(['sh', 'sh', 'sh', 'js']);
    expect(blocks[0]!.code.trim()).toBe('alias skills="node $PWD/apps/cli/dist/bin.js"');
  });

  it('runs as written: `skills` from any directory, events.jsonl made, every command exits 0', async () => {
    const script = join(dir, 'quick-start.sh');
    // `set -e`: the first command that fails fails the test.
    writeFileSync(
      script,
      `set -e\nshopt -s expand_aliases\ncd ${JSON.stringify(REPO)}\n${blocks[0]!.code}cd ${JSON.stringify(dir)}\n${blocks[1]!.code}`,
    );
    const result = await run('bash', [script], dir);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('Created a new store at ./skills.db.');
    expect(result.stdout).toMatch(/Read 3 lines: 3 inserted/);
    expect(result.stdout).toMatch(/│ pytest-run\s+│\s+3 │/);
    expect(result.stdout).toContain('consistent\n');
    expect(result.stdout).toContain('Rebuilt the rollups from 4 invocations:');
    expect(readFileSync(join(dir, 'week.jsonl'), 'utf8').trim().split('\n')).toHaveLength(4);
  });

  it('its "From code" snippet runs from the repository root against the store the CLI made', async () => {
    const snippet = blocks[3]!.code;
    // Saved in the repository root as the README says; run where the CLI made ./skills.db.
    const file = join(REPO, `.readme-try-${randomBytes(4).toString('hex')}.mjs`);
    writeFileSync(file, snippet);
    try {
      const result = await run(process.execPath, [file], dir);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/'pytest-run'\s+│\s+4\s+│\s+3/);
    } finally {
      rmSync(file, { force: true });
    }
  });

  it('its npm install -g line puts a working `skills` on the PATH, usable from any directory', async () => {
    const line = /`(npm install -g \.\/apps\/cli)`/.exec(README)![1]!;
    const prefix = join(dir, 'npm-global');
    const install = await run('bash', ['-c', `${line} --prefix ${JSON.stringify(prefix)} --no-audit --no-fund`], REPO);
    expect(install.code, install.stderr).toBe(0);
    const version = await new Promise<RunResult>((resolve, reject) => {
      const child = spawn('skills', ['--version'], {
        cwd: dir,
        env: { ...process.env, PATH: `${join(prefix, 'bin')}:${process.env.PATH}` },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
    const expected = JSON.parse(readFileSync(join(REPO, 'apps/cli/package.json'), 'utf8')).version as string;
    expect(version).toEqual({ code: 0, stdout: `${expected}\n`, stderr: '' });
  }, 120_000);

  it('its analytics block runs as written on the store the seed line names, but for the two lines that need another server', async () => {
    const lines = blocks[2]!.code.trim().split('\n');
    // A PostgreSQL URL of the reader's own and a server that runs until stopped: not run here.
    const elsewhere = lines.filter((line) => line.startsWith('skills --db postgres://') || line.startsWith('skills serve'));
    expect(elsewhere).toHaveLength(2);
    const seed = /`(skills seed [^`]+)`/.exec(README.slice(README.indexOf('## Quick start')))![1]!;
    const script = join(dir, 'analytics.sh');
    const body = lines.filter((line) => !elsewhere.includes(line)).join('\n');
    writeFileSync(
      script,
      `set -e\nshopt -s expand_aliases\ncd ${JSON.stringify(REPO)}\n${blocks[0]!.code}cd ${JSON.stringify(dir)}\n${seed}\n${body}\n`,
    );
    const result = await run('bash', [script], dir);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('ranker');
  }, 300_000);
});

describe('the README Development section and the test command', () => {
  it('runs pnpm through npx, since a machine with only Node and npm has no pnpm', () => {
    const [block] = blocksOf('Development');
    const commands = block!.code.trim().split('\n');
    expect(commands.length).toBeGreaterThan(3);
    for (const line of commands) expect(line).toMatch(/^npx --yes pnpm@10\.34\.9 \w+/);
  });

  it('`pnpm test` ends with one line saying whether the PostgreSQL tests ran, and how to run them', async () => {
    const scripts = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).scripts as Record<string, string>;
    expect(scripts.test).toContain('node .ci/postgres-note.mjs; exit $status');
    const note = join(REPO, '.ci/postgres-note.mjs');
    const skipped = await new Promise<string>((resolve) => {
      const child = spawn(process.execPath, [note], { env: { ...process.env, SKILLS_TEST_PG_URL: '' } });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
      child.on('close', () => resolve(out));
    });
    expect(skipped).toBe(
      'PostgreSQL tests were skipped (SKILLS_TEST_PG_URL is not set): to run them too, SKILLS_TEST_PG_URL=postgres://user@127.0.0.1:5432/db npx --yes pnpm@10.34.9 test (each test uses a schema of its own).\n',
    );
  });
});
