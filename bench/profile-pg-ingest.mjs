// Where a PostgreSQL batch spends its time: records 100 batches of 1,000 synthetic invocations into
// a throwaway schema and prints the time per statement kind (client-side, round trip included).
// Not a benchmark with a limit: a tool for the ingest figure of issue 2.
//   SKILLS_BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/test node bench/profile-pg-ingest.mjs
import pg from 'pg';
import { openStore, recordInvocations } from '@skills/storage';
import { statementTimes, syntheticBatches } from './lib.mjs';

const url = process.env.SKILLS_BENCH_PG_URL ?? process.env.SKILLS_TEST_PG_URL;
if (!url) {
  console.error('set SKILLS_BENCH_PG_URL=postgres://…');
  process.exit(2);
}
const INVOCATIONS = 100_000;
const batches = syntheticBatches({ invocations: INVOCATIONS, users: 2000, skills: 200, days: 30, seed: 1, batchSize: 1000 });
const schema = `profile_${Date.now().toString(36)}`;
const store = await openStore(url, { schema });

const times = statementTimes();
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (...args) {
  const text = typeof args[0] === 'string' ? args[0] : (args[0]?.text ?? '');
  const key = text.replace(/\s+/g, ' ').slice(0, 70);
  const start = performance.now();
  const result = query.apply(this, args);
  if (typeof result?.then !== 'function') return result;
  return result.then((value) => {
    times.add(key, performance.now() - start);
    return value;
  });
};
const start = performance.now();
for (const batch of batches) await recordInvocations(store, batch);
const total = performance.now() - start;
pg.Client.prototype.query = query;
await store.close();

times.print({ totalMs: total, batches: batches.length, invocations: INVOCATIONS });
const client = new pg.Client({ connectionString: url });
await client.connect();
await client.query(`drop schema "${schema}" cascade`);
await client.end();
