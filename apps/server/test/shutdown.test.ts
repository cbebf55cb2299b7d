import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '@skills/storage';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, countRows, invocation, spawnServer, waitFor, WsClient } from './helpers.js';

const T0 = Date.UTC(2026, 11, 1, 10);

describe('graceful shutdown of skills-server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skills-server-shutdown-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('on SIGTERM closes WebSockets with 1001, stops accepting, finishes the batch in flight, closes the store and exits 0: nothing accepted is lost', async () => {
    const db = join(dir, 'skills.db');
    const server = await spawnServer(['--db', db, '--anomaly-job', 'off']);
    const items = Array.from({ length: 2000 }, (_, i) => invocation(`s-${i}`, T0 + i * 1000, { session_id: `s${i % 50}` }));
    const body = JSON.stringify(items);
    const half = Math.floor(body.length / 2);
    const clients = await Promise.all([WsClient.open(server.wsUrl), WsClient.open(server.wsUrl)]);
    await Promise.all(clients.map((client) => client.next('connected')));

    // A batch in flight: the request and half its body are sent, the rest only after SIGTERM.
    let status = 0;
    let answer = '';
    const { port } = new URL(server.url);
    const post = request({
      host: '127.0.0.1',
      port,
      path: '/v1/invocations',
      method: 'POST',
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
    });
    const done = new Promise<void>((resolve, reject) => {
      post.on('response', (response) => {
        status = response.statusCode ?? 0;
        response
          .setEncoding('utf8')
          .on('data', (chunk: string) => (answer += chunk))
          .on('end', resolve);
      });
      post.on('error', reject);
    });
    post.write(body.slice(0, half));
    await waitFor(() => server.stdout().includes('"msg":"incoming request"'), 10_000, 'the server to receive the request');

    server.child.kill('SIGTERM');
    // New connections are refused while the batch is still being received.
    await waitFor(
      () =>
        fetch(`${server.url}/healthz`).then(
          () => false,
          () => true,
        ),
      10_000,
      'the listener to close',
    );
    expect(await Promise.all(clients.map((client) => client.closed.then((closed) => closed.code)))).toEqual([1001, 1001]);
    post.end(body.slice(half));
    await done;
    expect(status).toBe(201);
    expect(JSON.parse(answer)).toMatchObject({ inserted: 2000, duplicates: 0 });
    expect(await server.exited).toBe(0);
    expect(server.stdout()).toContain('"msg":"shutting down"');
    expect(server.stdout()).toContain('"msg":"closed"');

    const store = await openStore(db);
    try {
      expect(await countRows(store)).toBe(2000);
    } finally {
      await store.close();
    }
  }, 120_000);

  it('exits on SIGTERM even when the reader of its stdout has gone away', async () => {
    // A parent that starts the server with piped stdout and exits: the log's reader is gone.
    const parent = [
      "const { spawn } = require('node:child_process');",
      `const child = spawn(process.execPath, [${JSON.stringify(BIN)}, '--db', ${JSON.stringify(join(dir, 'orphan.db'))}, '--port', '0', '--anomaly-job', 'off'], { stdio: ['pipe', 'pipe', 'pipe'] });`,
      "let err = ''; child.stdout.on('data', () => {}); child.stderr.on('data', (c) => { err += c; if (/server on/.test(err)) { console.log(child.pid); process.exit(0); } });",
    ].join('\n');
    const run = spawnSync(process.execPath, ['-e', parent], { encoding: 'utf8', timeout: 60_000 });
    const pid = Number(run.stdout.trim());
    expect(pid).toBeGreaterThan(0);
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    expect(alive()).toBe(true);
    process.kill(pid, 'SIGTERM');
    try {
      await waitFor(() => !alive(), 8000, 'the orphaned server to exit');
    } finally {
      if (alive()) process.kill(pid, 'SIGKILL');
    }
  }, 90_000);

  it('refuses a bad configuration with one line naming the variable, exit code 1', async () => {
    const db = join(dir, 'never.db');
    await expect(spawnServer(['--db', db], { SKILLS_BODY_LIMIT: 'lots' })).rejects.toThrow(
      'skills-server: SKILLS_BODY_LIMIT: expected a size from 1kb to 1024mb, e.g. 1048576, 512kb or 4mb (got "lots")',
    );
  }, 90_000);
});
