// Where a SQLite batch spends its time: records 100 batches of 1,000 synthetic invocations into a
// throwaway file and prints the time per statement (inside better-sqlite3, per batch). Not a
// benchmark with a limit: a tool for the ingest figure of issue 2. Timing every call costs a
// little, so the rate it prints is below the benchmark's.
//   node bench/profile-sqlite-ingest.mjs
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStore, recordInvocations } from '@skills/storage';
import { statementTimes, syntheticBatches } from './lib.mjs';

const INVOCATIONS = 100_000;
const batches = syntheticBatches({ invocations: INVOCATIONS, users: 2000, skills: 200, days: 30, seed: 1, batchSize: 1000 });
const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'skills-profile-'));
const store = await openStore(join(dir, 'profile.db'));

const times = statementTimes();
const timed = (key, call) => {
  const start = performance.now();
  try {
    return call();
  } finally {
    times.add(key, performance.now() - start);
  }
};
const Statement = Object.getPrototypeOf(new Database(':memory:').prepare('select 1'));
const originals = { run: Statement.run, all: Statement.all, exec: Database.prototype.exec };
for (const method of ['run', 'all']) {
  Statement[method] = function (...args) {
    return timed(this.source.replace(/\s+/g, ' ').slice(0, 70), () => originals[method].apply(this, args));
  };
}
Database.prototype.exec = function (sql) {
  return timed(sql.slice(0, 70), () => originals.exec.call(this, sql));
};

const start = performance.now();
for (const batch of batches) await recordInvocations(store, batch);
const total = performance.now() - start;
Object.assign(Statement, { run: originals.run, all: originals.all });
Database.prototype.exec = originals.exec;
await store.close();
rmSync(dir, { recursive: true, force: true });

times.print({ totalMs: total, batches: batches.length, invocations: INVOCATIONS });
