// Operating figures (issue 19): `skills import-legacy` of a 1 M-invocation original session-buddy
// database against `skills import` of the same rows as JSON Lines (same run, same store options);
// `pruneInvocations` of 1 M raw rows on SQLite with a concurrent reader (another connection, in a
// worker thread) timing every query; PostgreSQL: time to prune N raw rows (default 1 M,
// BENCH_PG_ROWS), extrapolated to 10 M.
import { createWriteStream, mkdtempSync, rmSync, createReadStream } from 'node:fs';
import { once } from 'node:events';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import pg from 'pg';
import { importLegacyDatabase, openStore, pruneInvocations } from '@skills/storage';
import { info, report, syntheticBatches } from './lib.mjs';

const { importJsonl } = await import('../apps/cli/dist/index.js');

const INVOCATIONS = Number(process.env.BENCH_INVOCATIONS ?? 1_000_000);
const PG_ROWS = Number(process.env.BENCH_PG_ROWS ?? 1_000_000);
const PG_URL = process.env.SKILLS_BENCH_PG_URL ?? process.env.SKILLS_TEST_PG_URL;
const SECRET = { userPseudonymSecret: 'bench-pseudonym-secret-0123456789' };
const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'skills-ops-'));
let ok = true;
info(
  'load average at start (1/5/15 min)',
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' / '),
);

const batches = syntheticBatches({ invocations: INVOCATIONS, users: 2000, skills: 200, days: 30, seed: 19, batchSize: 1000 });
// The original stored ISO text and had no user on an invocation: the same rows in both files.
const iso = (ms) => new Date(ms).toISOString().replace('Z', '+00:00');
const rows = batches.flat().map((r) => ({
  skill_name: r.skill_name,
  invoked_at: iso(r.invoked_at),
  session_id: r.session_id,
  workflow_path: r.workflow_path ?? null,
  completed: r.completed ? 1 : 0,
  duration_seconds: r.duration_seconds ?? null,
  user_query: r.user_query ?? null,
  error_type: r.error_type ?? null,
  workflow_phase: r.workflow_phase ?? null,
}));

// The original's V3 skill_invocation (original-system.md §1.1-1.3), filled without its triggers
// (they maintain the original's rollups, which the importer does not read).
const legacyPath = join(dir, 'session-buddy.db');
{
  const db = new Database(legacyPath);
  db.pragma('journal_mode = WAL');
  db.exec(`CREATE TABLE skill_invocation (id INTEGER PRIMARY KEY AUTOINCREMENT, skill_name TEXT NOT NULL, invoked_at TEXT NOT NULL, session_id TEXT NOT NULL,
    workflow_path TEXT, completed BOOLEAN NOT NULL DEFAULT 0, duration_seconds REAL, user_query TEXT, alternatives_considered TEXT, selection_rank INTEGER,
    follow_up_actions TEXT, error_type TEXT, created_at TEXT NOT NULL DEFAULT (datetime('now')), embedding BLOB, workflow_phase TEXT, workflow_step_id TEXT);
    CREATE TABLE skill_migrations (version TEXT PRIMARY KEY, applied_at TEXT NOT NULL, description TEXT, rollback_sql TEXT, checksum TEXT, applied_by TEXT DEFAULT 'session-buddy', success BOOLEAN NOT NULL DEFAULT 1);
    INSERT INTO skill_migrations (version, applied_at) VALUES ('V1__initial_schema', '2026-01-01 00:00:00'), ('V2__add_semantic_search', '2026-01-01 00:00:00'), ('V3__add_workflow_correlation', '2026-01-01 00:00:00');`);
  const insert = db.prepare(
    'INSERT INTO skill_invocation (skill_name, invoked_at, session_id, workflow_path, completed, duration_seconds, user_query, error_type, workflow_phase) VALUES (@skill_name, @invoked_at, @session_id, @workflow_path, @completed, @duration_seconds, @user_query, @error_type, @workflow_phase)',
  );
  db.transaction(() => {
    for (const row of rows) insert.run(row);
  })();
  db.close();
}
const jsonlPath = join(dir, 'events.jsonl');
{
  const out = createWriteStream(jsonlPath);
  for (const r of rows) {
    const line = { skill_name: r.skill_name, invoked_at: r.invoked_at, session_id: r.session_id, completed: r.completed === 1 };
    for (const key of ['workflow_path', 'duration_seconds', 'user_query', 'error_type', 'workflow_phase'])
      if (r[key] !== null) line[key] = r[key];
    if (!out.write(`${JSON.stringify(line)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}
rows.length = 0;

// 1. import-legacy vs import (JSONL), same rows, same store options, each into a new file.
const legacyStorePath = join(dir, 'from-legacy.db');
let legacyRate;
{
  const store = await openStore(legacyStorePath, SECRET);
  const report1 = await importLegacyDatabase(store, legacyPath);
  legacyRate = INVOCATIONS / (report1.elapsedMs / 1000);
  await store.close();
  info('import-legacy', `${report1.tables[0].imported.toLocaleString('en-US')} invocations in ${(report1.elapsedMs / 1000).toFixed(1)} s`);
}
let jsonlRate;
{
  const store = await openStore(join(dir, 'from-jsonl.db'), SECRET);
  const summary = await importJsonl(store, createReadStream(jsonlPath, { highWaterMark: 1 << 20 }), {
    batchSize: 1000,
    skipInvalid: false,
  });
  jsonlRate = summary.lines / (summary.elapsedMs / 1000);
  await store.close();
  info(
    'import (JSON Lines), same rows',
    `${summary.inserted.toLocaleString('en-US')} invocations in ${(summary.elapsedMs / 1000).toFixed(1)} s`,
  );
}
info('import-legacy rate', `${Math.round(legacyRate).toLocaleString('en-US')} invocations/s`);
info('skills import rate, same run', `${Math.round(jsonlRate).toLocaleString('en-US')} invocations/s`);
ok = report('import-legacy ÷ import (JSONL)', legacyRate / jsonlRate, 0.5, '×') && ok;

// 2. Prune every raw invocation of the imported store (1 M) while a reader on another connection queries.
{
  const store = await openStore(legacyStorePath, SECRET);
  const reader = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const Database = require(workerData.module);
     const db = new Database(workerData.path, { readonly: true });
     const top = db.prepare('SELECT skill_name, sum(invocation_count) AS n FROM skill_time_series WHERE hour_start >= ? GROUP BY skill_name ORDER BY n DESC LIMIT 10');
     const recent = db.prepare('SELECT count(*) AS n FROM skill_invocation WHERE invoked_at >= ?');
     let stop = false, longest = 0, queries = 0;
     parentPort.on('message', () => { stop = true; });
     const loop = () => {
       const end = Date.now() + 20;
       while (Date.now() < end) {
         const t = performance.now(); top.all(0); recent.get(Date.now() - 3600000); longest = Math.max(longest, performance.now() - t); queries++;
       }
       if (stop) { parentPort.postMessage({ longest, queries }); db.close(); } else setImmediate(loop);
     };
     loop();`,
    {
      eval: true,
      workerData: { path: legacyStorePath, module: (await import('node:module')).createRequire(import.meta.url).resolve('better-sqlite3') },
    },
  );
  // An in-process reader too: the event loop is what a server's requests wait on.
  let loopStall = 0;
  let last = performance.now();
  const ticker = setInterval(() => {
    const t = performance.now();
    loopStall = Math.max(loopStall, t - last - 5);
    last = t;
  }, 5);
  const cpuBefore = process.cpuUsage();
  const result = await pruneInvocations(store, { before: Date.now() });
  const cpu = process.cpuUsage(cpuBefore);
  clearInterval(ticker);
  info(
    'CPU of the process during the prune (both threads)',
    `${((cpu.user + cpu.system) / 1e6).toFixed(1)} s over ${(result.elapsedMs / 1000).toFixed(1)} s; load average now ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' / ')}`,
  );
  reader.postMessage('stop');
  const [{ longest, queries }] = await once(reader, 'message');
  await store.close();
  info('pruned', `${result.deleted.toLocaleString('en-US')} raw invocations in ${result.batches.toLocaleString('en-US')} batches`);
  info(
    'longest WAL checkpoint (in the worker thread: no reader of this process waits on it)',
    `${result.longestCheckpointMs.toFixed(0)} ms`,
  );
  ok = report(`SQLite prune of ${result.deleted.toLocaleString('en-US')} raw invocations`, result.elapsedMs / 1000, 10, 's', 'lower') && ok;
  ok = report('longest batch (an in-process reader waits at most this)', result.longestBatchMs, 100, 'ms', 'lower') && ok;
  ok = report('longest event-loop stall during the prune', loopStall, 100, 'ms', 'lower') && ok;
  ok =
    report(`longest query of a reader on another connection (${queries.toLocaleString('en-US')} queries)`, longest, 100, 'ms', 'lower') &&
    ok;
}

// 3. PostgreSQL: time to prune N raw invocations (filled by one INSERT … SELECT generate_series).
if (PG_URL) {
  const schema = `ops_bench_${process.pid}`;
  const store = await openStore(PG_URL, { schema, poolSize: 4 });
  const client = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
  await client.connect();
  try {
    const t0 = performance.now();
    await client.query(
      `INSERT INTO skill_invocation (id, skill_name, invoked_at, session_id, completed, duration_seconds, user_query, created_at)
      SELECT 'r' || g, 'skill-' || (g % 200), 1767225600000 + g * 2000, 's' || (g / 20), (g % 5 <> 0)::int, g % 30, 'query number ' || (g % 1000), 1767225600000
      FROM generate_series(1, $1::bigint) AS g`,
      [PG_ROWS],
    );
    await client.query('VACUUM ANALYZE skill_invocation');
    info('PostgreSQL rows filled', `${PG_ROWS.toLocaleString('en-US')} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const result = await pruneInvocations(store, { before: Date.now() });
    const seconds = result.elapsedMs / 1000;
    info(
      'PostgreSQL prune',
      `${result.deleted.toLocaleString('en-US')} rows in ${seconds.toFixed(1)} s, ${result.batches} batches, longest ${result.longestBatchMs.toFixed(0)} ms`,
    );
    info(
      `PostgreSQL prune rate (${PG_ROWS.toLocaleString('en-US')} rows)`,
      `${Math.round(result.deleted / seconds).toLocaleString('en-US')} rows/s`,
    );
    if (result.deleted < 10_000_000)
      info(
        'PostgreSQL prune of 10 M rows, extrapolated linearly (BENCH_PG_ROWS=10000000 measures it)',
        `${(((10_000_000 / result.deleted) * seconds) / 60).toFixed(1)} min`,
      );
  } finally {
    await client.query(`DROP SCHEMA ${schema} CASCADE`).catch(() => undefined);
    await client.end();
    await store.close();
  }
} else {
  info('PostgreSQL', 'skipped (set SKILLS_BENCH_PG_URL or SKILLS_TEST_PG_URL)');
}

info(
  'load average at end (1/5/15 min)',
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' / '),
);
rmSync(dir, { recursive: true, force: true });
process.exit(ok ? 0 : 1);
