import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { sql, type Kysely } from 'kysely';
import type { SkillsDatabase } from '../../schema.js';

/**
 * WAL checkpoints of a SQLite store run off this thread while a long maintenance job (a prune)
 * commits batch after batch.
 *
 * SQLite checkpoints inside the commit that crosses `wal_autocheckpoint` (~64 MB here): that
 * commit copies every page written since the last checkpoint and fsyncs the file, 120–170 ms on
 * this machine, and with one connection on one thread every reader of the process (and its event
 * loop) waits. Run as a passive checkpoint on the store's own connection it costs the same stall.
 * So the automatic checkpoint is turned off on the store's connection, and a second connection in
 * a worker thread runs `PRAGMA wal_checkpoint(PASSIVE)` (which never waits for readers or writers;
 * WAL mode lets it run beside both) whenever asked; nothing of it runs on this thread.
 */
export interface WalCheckpointer {
  /** Start a checkpoint unless one is running or the last ended less than `everyMs` ago. */
  request(): void;
  /** The longest checkpoint so far (ms, in the worker: no reader of this thread waited on it). */
  longestMs(): number;
  /** Wait for the running checkpoint, run a last one, end the worker, put `wal_autocheckpoint` back. */
  close(): Promise<void>;
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
parentPort.on('message', (message) => {
  if (message === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  const began = performance.now();
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ ms: performance.now() - began });
  } catch (error) {
    parentPort.postMessage({ ms: performance.now() - began, error: String(error && error.message || error) });
  }
});
`;

/**
 * The store's file when it is a SQLite file in WAL mode, else undefined (`:memory:`, a read-only
 * store, PostgreSQL): then there is nothing to take off the thread.
 */
async function walFile(db: Kysely<SkillsDatabase>): Promise<string | undefined> {
  const mode = (await sql<{ journal_mode: string }>`pragma journal_mode`.execute(db)).rows[0]?.journal_mode;
  if (mode?.toLowerCase() !== 'wal') return undefined;
  const main = (await sql<{ name: string; file: string }>`pragma database_list`.execute(db)).rows.find((row) => row.name === 'main');
  return main?.file ? main.file : undefined;
}

/**
 * Take the store's WAL checkpoints into a worker thread until `close()`; undefined when the store
 * has no WAL file. @example const checkpointer = await startWalCheckpointer(store.db); …; await checkpointer?.close();
 */
export async function startWalCheckpointer(
  db: Kysely<SkillsDatabase>,
  { everyMs = 1000 }: { everyMs?: number } = {},
): Promise<WalCheckpointer | undefined> {
  const path = await walFile(db);
  if (path === undefined) return undefined;
  const previous = Number(
    (await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(db)).rows[0]?.wal_autocheckpoint ?? 1000,
  );
  // None of the parent's Node flags: the worker needs none, some are refused in workers
  // (--expose-gc throws ERR_WORKER_INVALID_EXEC_ARGV), and --input-type=module would make the
  // eval'd CommonJS source ESM.
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    execArgv: [],
    workerData: { path, module: createRequire(import.meta.url).resolve('better-sqlite3') },
  });
  // Kept referenced: a prune's awaits on it must hold the process open (`close()` ends it).
  let running: Promise<void> | undefined;
  // Pages a prune rewrites batch after batch (the low end of the time index) are copied once per
  // checkpoint: one a second costs far less than one a batch (2,380 fsyncs for a million rows).
  let endedAt = performance.now();
  let longest = 0;
  let failure: Error | undefined;
  const restore = () =>
    sql.raw(`pragma wal_autocheckpoint = ${Number.isFinite(previous) ? Math.max(0, Math.floor(previous)) : 1000}`).execute(db);
  let restored: Promise<unknown> | undefined;
  /** Without the worker the WAL would only grow: SQLite checkpoints on commit again. */
  const fail = (error: Error) => {
    failure ??= error;
    restored ??= restore();
  };
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('error', fail);
  const run = (): Promise<void> =>
    new Promise<void>((resolve) => {
      const done = (reply: { ms: number; error?: string }) => {
        worker.off('exit', gone);
        longest = Math.max(longest, reply.ms);
        if (reply.error !== undefined) fail(new Error(`WAL checkpoint: ${reply.error}`));
        resolve();
      };
      const gone = () => {
        worker.off('message', done);
        resolve();
      };
      worker.once('message', done);
      worker.once('exit', gone);
      worker.postMessage('checkpoint');
    });
  await sql`pragma wal_autocheckpoint = 0`.execute(db);
  return {
    request() {
      if (running !== undefined || failure !== undefined || performance.now() - endedAt < everyMs) return;
      running = run().finally(() => {
        running = undefined;
        endedAt = performance.now();
      });
    },
    longestMs: () => longest,
    async close() {
      try {
        await running;
        if (failure === undefined) await run();
        worker.postMessage('close');
        await exited;
      } finally {
        restored ??= restore();
        await restored;
      }
    },
  };
}
