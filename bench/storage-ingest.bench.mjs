// Ingest rate of recordInvocations (batches of 1,000, every rollup included) against a raw
// better-sqlite3 prepared-statement insert of the same rows into the same skill_invocation table,
// measured in the same run; then PostgreSQL ingest when SKILLS_BENCH_PG_URL (or SKILLS_TEST_PG_URL) is set.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { openStore, recordInvocations } from '@skills/storage';
import { info, report, syntheticBatches } from './lib.mjs';

const INVOCATIONS = Number(process.env.BENCH_INVOCATIONS ?? 300_000);
const BATCH = 1000;
const batches = syntheticBatches({ invocations: INVOCATIONS, users: 2000, skills: 200, days: 30, seed: 1, batchSize: BATCH });
const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'skills-bench-'));
let ok = true;

const PSEUDONYMS = { userPseudonymSecret: 'bench-pseudonym-secret-0123456789' };

async function ours(path, options = {}) {
  const store = await openStore(path, options);
  const start = performance.now();
  for (const batch of batches) await recordInvocations(store, batch);
  const seconds = (performance.now() - start) / 1000;
  await store.close();
  return INVOCATIONS / seconds;
}

async function raw(path) {
  // Same schema (migrated by openStore), same rows, plain prepared statement per row, 1,000 per transaction.
  const store = await openStore(path);
  await store.close();
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const columns = [
    'id',
    'skill_name',
    'invoked_at',
    'session_id',
    'user_id',
    'workflow_path',
    'workflow_phase',
    'workflow_step_id',
    'completed',
    'duration_seconds',
    'user_query',
    'alternatives_considered',
    'selection_rank',
    'follow_up_actions',
    'error_type',
    'created_at',
  ];
  const insert = db.prepare(`insert into skill_invocation (${columns}) values (${columns.map(() => '?')})`);
  const now = Date.now();
  const write = db.transaction((batch) => {
    for (const r of batch) {
      insert.run(
        r.id,
        r.skill_name,
        r.invoked_at,
        r.session_id,
        r.user_id,
        r.workflow_path,
        r.workflow_phase,
        r.workflow_step_id,
        r.completed ? 1 : 0,
        r.duration_seconds,
        r.user_query,
        r.alternatives_considered ? JSON.stringify(r.alternatives_considered) : null,
        r.selection_rank,
        r.follow_up_actions ? JSON.stringify(r.follow_up_actions) : null,
        r.error_type,
        now,
      );
    }
  });
  const start = performance.now();
  for (const batch of batches) write(batch);
  const seconds = (performance.now() - start) / 1000;
  db.close();
  return INVOCATIONS / seconds;
}

// Alternate the two so that drift on a shared machine hits both alike; keep the best of each.
const oursRates = [];
const rawRates = [];
for (let round = 0; round < 2; round++) {
  rawRates.push(await raw(join(dir, `raw-${round}.db`)));
  oursRates.push(await ours(join(dir, `ours-${round}.db`)));
}
const oursRate = Math.max(...oursRates);
const rawRate = Math.max(...rawRates);
info('workload', `${INVOCATIONS.toLocaleString('en-US')} synthetic invocations, 200 skills, 2,000 users, batches of ${BATCH}`);
info('raw better-sqlite3 insert', `${Math.round(rawRate).toLocaleString('en-US')} rows/s`);
ok = report('SQLite ingest with rollups', oursRate, 100_000, 'invocations/s') && ok;
ok = report('SQLite ingest / raw insert', oursRate / rawRate, 0.4, '×') && ok;
const withInteractions = await ours(join(dir, 'pseudonyms.db'), PSEUDONYMS);
info(
  'SQLite ingest keeping skill_user_interactions too (store opened with a pseudonym secret)',
  `${Math.round(withInteractions).toLocaleString('en-US')} invocations/s`,
);
rmSync(dir, { recursive: true, force: true });

const pgUrl = process.env.SKILLS_BENCH_PG_URL ?? process.env.SKILLS_TEST_PG_URL;
if (pgUrl) {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  const inFreshSchema = async (options, work) => {
    const schema = `bench_${Date.now().toString(36)}`;
    const store = await openStore(pgUrl, { ...options, schema });
    try {
      return await work(store, schema);
    } finally {
      await store.close();
      await client.query(`drop schema "${schema}" cascade`);
    }
  };
  const pgRate = (options) =>
    inFreshSchema(options, async (store) => {
      const start = performance.now();
      for (const batch of batches) await recordInvocations(store, batch);
      return INVOCATIONS / ((performance.now() - start) / 1000);
    });
  // The reference: the same rows into the same (migrated) table, one plain `insert … select * from
  // unnest(…)` per 1,000 rows in its own transaction: the cheapest way to put them there, no rollups.
  const pgRaw = () =>
    inFreshSchema({}, async (_store, schema) => {
      const columns = [
        'id',
        'skill_name',
        'invoked_at',
        'session_id',
        'user_id',
        'workflow_path',
        'workflow_phase',
        'workflow_step_id',
        'completed',
        'duration_seconds',
        'user_query',
        'alternatives_considered',
        'selection_rank',
        'follow_up_actions',
        'error_type',
        'created_at',
      ];
      const types = [
        'text',
        'text',
        'int8',
        'text',
        'text',
        'text',
        'text',
        'text',
        'int4',
        'float8',
        'text',
        'text',
        'int4',
        'text',
        'text',
        'int8',
      ];
      const text = `insert into "${schema}".skill_invocation (${columns}) select * from unnest(${types.map((t, i) => `$${i + 1}::${t}[]`)})`;
      const now = Date.now();
      const start = performance.now();
      for (const batch of batches) {
        const values = [
          batch.map((r) => r.id),
          batch.map((r) => r.skill_name),
          batch.map((r) => r.invoked_at),
          batch.map((r) => r.session_id),
          batch.map((r) => r.user_id ?? null),
          batch.map((r) => r.workflow_path ?? null),
          batch.map((r) => r.workflow_phase ?? null),
          batch.map((r) => r.workflow_step_id ?? null),
          batch.map((r) => (r.completed ? 1 : 0)),
          batch.map((r) => r.duration_seconds ?? null),
          batch.map((r) => r.user_query ?? null),
          batch.map((r) => (r.alternatives_considered ? JSON.stringify(r.alternatives_considered) : null)),
          batch.map((r) => r.selection_rank ?? null),
          batch.map((r) => (r.follow_up_actions ? JSON.stringify(r.follow_up_actions) : null)),
          batch.map((r) => r.error_type ?? null),
          batch.map(() => now),
        ];
        await client.query('begin');
        await client.query(text, values);
        await client.query('commit');
      }
      return INVOCATIONS / ((performance.now() - start) / 1000);
    });
  const rawPg = await pgRaw();
  const oursPg = await pgRate({});
  info(
    'raw PostgreSQL insert (one unnest statement per 1,000 rows, same table, no rollups)',
    `${Math.round(rawPg).toLocaleString('en-US')} rows/s`,
  );
  ok = report('PostgreSQL ingest with rollups', oursPg, 30_000, 'invocations/s') && ok;
  info('PostgreSQL ingest / raw insert', `${(oursPg / rawPg).toFixed(3)} ×`);
  info(
    'PostgreSQL ingest keeping skill_user_interactions too',
    `${Math.round(await pgRate(PSEUDONYMS)).toLocaleString('en-US')} invocations/s`,
  );
  await client.end();
} else {
  info('PostgreSQL ingest', 'skipped: set SKILLS_BENCH_PG_URL=postgres://…');
}
process.exit(ok ? 0 : 1);
