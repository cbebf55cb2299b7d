import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { listInvocations, openStore, type Invocation } from '@skills/storage';
import { afterAll } from 'vitest';
import { main } from '../src/index.js';

/** The built binary: end-to-end tests run exactly what users run. */
export const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A fresh directory, removed after the test file. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'skills-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Spawn `node dist/bin.js …args` and collect its output. */
export function runBin(args: string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, SKILLS_DB_URL: '', SKILLS_DEBUG: '', SKILLS_PSEUDONYM_SECRET: '', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** Run `main` in-process with captured output (faster than spawning, same code path). */
export async function runMain(
  args: string[],
  options: { input?: string; env?: Record<string, string>; now?: number } = {},
): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (text: string) => void) =>
    new Writable({
      write(chunk: Buffer | string, _encoding, callback) {
        append(chunk.toString());
        callback();
      },
    });
  const code = await main(['node', 'skills', ...args], {
    stdout: sink((text) => (stdout += text)),
    stderr: sink((text) => (stderr += text)),
    stdin: Readable.from(options.input === undefined ? [] : [Buffer.from(options.input)]),
    env: options.env ?? {},
    isTTY: false,
    ...(options.now === undefined ? {} : { now: () => options.now! }),
  });
  return { code, stdout, stderr };
}

/** Every invocation of a store, oldest first, embeddings included. */
export async function allInvocations(url: string): Promise<Invocation[]> {
  const store = await openStore(url, { migrate: false });
  try {
    const items: Invocation[] = [];
    let cursor: string | undefined;
    do {
      const page = await listInvocations(store, { order: 'asc', includeEmbedding: true, limit: 10_000, ...(cursor ? { cursor } : {}) });
      items.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return items;
  } finally {
    await store.close();
  }
}

/** Rows in skill_invocation. */
export async function countRows(url: string, options: { readonly?: boolean } = {}): Promise<number> {
  const store = await openStore(url, options.readonly ? { readonly: true } : { migrate: false });
  try {
    const row = await store.db
      .selectFrom('skill_invocation')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow();
    return Number(row.count);
  } finally {
    await store.close();
  }
}

/** JSON Lines text from objects. */
export function jsonl(items: object[]): string {
  return `${items.map((item) => JSON.stringify(item)).join('\n')}\n`;
}

export const T0 = Date.UTC(2026, 0, 1);
export const HOUR = 3_600_000;
