import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { Store } from '@skills/storage';
import { createStoreFactories } from '@skills/storage/testing';
import { pino } from 'pino';
import WebSocket from 'ws';
import { resolveServerConfig, startServer, type ServerFlags, type SkillsServer, type StartServerOptions } from '../src/index.js';

/** SQLite always; PostgreSQL when SKILLS_TEST_PG_URL is set (CI sets it). */
export const storeFactories = createStoreFactories({ postgresUrl: process.env.SKILLS_TEST_PG_URL, prefix: 'skills-server-' });
export const PG_URL = process.env.SKILLS_TEST_PG_URL;
/** Debian's Chromium, headless, for the dashboard's browser tests (never a downloaded browser). */
export const CHROMIUM = {
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
};

/** The built binary: process tests run exactly what users run. */
export const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

/** A real server on 127.0.0.1, an ephemeral port, over `store` (not closed by the server). */
export async function serve(
  store: Store,
  dialect: 'sqlite' | 'postgres',
  flags: ServerFlags = {},
  options: Omit<StartServerOptions, 'store' | 'dialect'> = {},
): Promise<SkillsServer> {
  const config = resolveServerConfig({ port: '0', anomalyJob: 'off', ...flags }, {});
  return startServer(config, { store, dialect, logger: pino({ level: 'silent' }), ...options });
}

/** `fetch` with a JSON body. */
export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Rows in skill_invocation. */
export async function countRows(store: Store): Promise<number> {
  const row = await store.db
    .selectFrom('skill_invocation')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** A plain invocation at `at`. */
export function invocation(id: string, at: number, more: Record<string, unknown> = {}) {
  return {
    id,
    skill_name: 'pytest-run',
    session_id: 's1',
    user_id: 'alice',
    invoked_at: at,
    completed: true,
    duration_seconds: 1.5,
    workflow_phase: 'execution',
    ...more,
  };
}

export interface ServerProcess {
  child: ChildProcessWithoutNullStreams;
  url: string;
  wsUrl: string;
  /** Everything printed so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

/** `node dist/bin.js …args` on port 0; resolves once it prints its address. */
export async function spawnServer(args: string[], env: Record<string, string> = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, [BIN, '--port', '0', ...args], {
    env: { ...process.env, SKILLS_DB_URL: '', SKILLS_PSEUDONYM_SECRET: '', SKILLS_READ_TOKENS: '', SKILLS_WRITE_TOKENS: '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const deadline = Date.now() + 60_000;
  while (!/server on (http:\/\/\S+)/.test(stderr)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not start: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const url = /server on (http:\/\/\S+)/.exec(stderr)![1]!;
  return { child, url, wsUrl: `${url.replace(/^http/, 'ws')}/ws`, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Wait until `condition()` holds (polling), or fail after `ms`. */
export async function waitFor(condition: () => boolean | Promise<boolean>, ms = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export type WsMessage = { type: string; ts: number; data: any; [key: string]: any };

/** A real `ws` client that keeps every message it receives. */
export class WsClient {
  readonly messages: WsMessage[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: { match: (message: WsMessage) => boolean; resolve: (message: WsMessage) => void }[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString()) as WsMessage;
      this.messages.push(message);
      this.waiters = this.waiters.filter((waiter) => {
        if (!waiter.match(message)) return true;
        waiter.resolve(message);
        return false;
      });
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  /** Connect; resolves once open, rejects with the HTTP status of a refused upgrade. */
  static open(url: string, options: WebSocket.ClientOptions = {}): Promise<WsClient> {
    const ws = new WebSocket(url, options);
    const client = new WsClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_request, response) => reject(new Error(`upgrade refused: ${response.statusCode}`)));
      ws.once('error', reject);
    });
  }

  /** The first message of this type (received or to come) that matches. */
  next(type: string, predicate: (message: WsMessage) => boolean = () => true, timeoutMs = 5000): Promise<WsMessage> {
    const found = this.messages.find((message) => message.type === type && predicate(message));
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${type} message within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        match: (message) => message.type === type && predicate(message),
        resolve: (message) => {
          clearTimeout(timer);
          resolve(message);
        },
      });
    });
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  close(): void {
    this.ws.close();
  }
}
