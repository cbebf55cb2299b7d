import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, runBin, tempDir } from './helpers.js';

/** `skills serve …` as a child process; resolves once it prints its address. */
async function startServe(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--anomaly-job', 'off', ...args], {
    env: { ...process.env, SKILLS_DB_URL: '', SKILLS_DEBUG: '', SKILLS_PSEUDONYM_SECRET: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const deadline = Date.now() + 90_000;
  while (!/server on (http:\/\/\S+)/.test(stderr)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`skills serve did not start: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { child, url: /server on (http:\/\/\S+)/.exec(stderr)![1]!, stderr: () => stderr, stdout: () => stdout, exited };
}

describe('skills serve', () => {
  const dir = tempDir();

  it('--demo seeds an empty store, prints the API and WebSocket addresses, and serves the JSON of the read commands', async () => {
    const db = join(dir, 'demo.db');
    const server = await startServe(['--demo'], { SKILLS_DB_URL: db });
    try {
      expect(server.stderr()).toMatch(/Demo: seeded 20,000 invocations over the last 14 days into /);
      expect(server.stderr()).toContain(`API        ${server.url}/v1/skills/top`);
      expect(server.stderr()).toContain(`WebSocket  ${server.url.replace('http', 'ws')}/ws`);

      // The HTTP JSON is the CLI's --json, field for field (the same store, the same window).
      const until = Date.now() - (Date.now() % 3_600_000);
      const since = until - 86_400_000;
      const http = await (await fetch(`${server.url}/v1/skills/top?since=${since}&until=${until}&limit=5`)).json();
      const cli = await runBin(['top', '--db', db, '--since', String(since), '--until', String(until), '--limit', '5', '--json']);
      expect(cli.code).toBe(0);
      expect(http).toEqual(JSON.parse(cli.stdout));
      const skill = (http as { skill_name: string }[])[0]!.skill_name;
      const metrics = await (await fetch(`${server.url}/v1/skills/${encodeURIComponent(skill)}`)).json();
      expect(metrics).toEqual(JSON.parse((await runBin(['metrics', skill, '--db', db, '--json'])).stdout));
    } finally {
      server.child.kill('SIGINT');
    }
    expect(await server.exited).toBe(0);
  }, 180_000);

  it('reads flags, then SKILLS_* variables; a bad one is one line naming it, exit 1', async () => {
    const result = await runBin(['serve', '--db', join(dir, 'x.db'), '--port', '99999']);
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toBe('skills: --port: expected an integer from 0 to 65535 (got "99999")\n');
    const fromEnv = await runBin(['serve', '--db', join(dir, 'x.db')], { env: { SKILLS_WRITE_TOKENS: 'short' } });
    expect(fromEnv.stderr).toBe('skills: SKILLS_WRITE_TOKENS: token 1 is 5 characters long: expected at least 16\n');
  });
});
