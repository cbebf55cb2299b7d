// @skills/integrations IDE plugin protocol (issue 18): a recommendation request answered over HTTP
// by the real server binary (apps/server/dist/bin.js, its own process, a read token checked) on a
// SQLite store of 1 million invocations over 500 skills (generated as bench/mcp.bench.mjs does),
// sent by createIdeClient from this process — p95 of 1,000 requests (contexts in Python,
// JavaScript and TypeScript with code at the cursor, a query and an activity), held against
// 10 ms; beside, same run, recommendForIde called in process on the same store (the floor
// without HTTP), and feedback (one invocation written) over HTTP.
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createIdeClient, recommendForIde } from '@skills/integrations';
import { openStore, recordInvocations } from '@skills/storage';
import { generateWorkload } from '@skills/synth';
import { info, quantile, report } from './lib.mjs';

const DAY = 86_400_000;
const INVOCATIONS = Number(process.env.BENCH_INVOCATIONS ?? 1_000_000);
const SKILLS = 500;
const REQUESTS = Number(process.env.BENCH_IDE_REQUESTS ?? 1000);
const SECRET = 'ide-bench-pseudonym-secret-0123456789';
const READ = 'ide-bench-read-token-0123456789';
const WRITE = 'ide-bench-write-token-0123456789';
const here = dirname(fileURLToPath(import.meta.url));
const BIN = join(here, '..', 'apps', 'server', 'dist', 'bin.js');
const dir = join(here, '.data');
const path = join(dir, `integrations-ide-${INVOCATIONS}.db`);
mkdirSync(dir, { recursive: true });
const removeStore = () => {
  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
};
removeStore();

const days = 30;
const start = Date.now() - days * DAY;
const workload = generateWorkload({ invocations: INVOCATIONS, users: 2_000, skills: SKILLS, days, seed: 18, batchSize: 1000, start });
const store = await openStore(path, { userPseudonymSecret: SECRET });
const built = performance.now();
for (const batch of workload.batches()) await recordInvocations(store, batch);
const skills = Number(
  (
    await store.db
      .selectFrom('skill_metrics')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow()
  ).n,
);
info(
  'store',
  `${INVOCATIONS.toLocaleString('en-US')} invocations, ${skills} skills, 2,000 users, ${days} days; built in ${((performance.now() - built) / 1000).toFixed(1)} s`,
);

const child = spawn(
  process.execPath,
  [BIN, '--db', path, '--port', '0', '--log-level', 'warn', '--anomaly-job', 'off', '--read-tokens', READ, '--write-tokens', WRITE],
  {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, SKILLS_DB_URL: '', SKILLS_READ_TOKENS: '', SKILLS_WRITE_TOKENS: '', SKILLS_PSEUDONYM_SECRET: SECRET },
  },
);
let stderr = '';
child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
while (!/server on (http:\/\/\S+)/.test(stderr)) {
  if (child.exitCode !== null) throw new Error(`server did not start: ${stderr}`);
  await new Promise((resolve) => setTimeout(resolve, 20));
}
const url = /server on (http:\/\/\S+)/.exec(stderr)[1];

const CONTEXTS = [
  {
    language: 'python',
    activity: 'testing',
    query: 'run the failing tests',
    code: 'import pytest\nfrom app import cart\n\ndef test_total() -> None:\n    assert cart.total([1, 2]) == 3\n',
    line: 4,
    cursor: 4,
  },
  {
    file_type: 'src/db.ts',
    activity: 'editing',
    query: 'check this query',
    code: "import { sql } from 'kysely';\nconst rows: Row[] = await sql`SELECT id FROM users WHERE id = ${id}`.execute(db);\n",
    line: 2,
    cursor: 10,
  },
  {
    file_type: 'scripts/run.js',
    activity: 'reviewing',
    query: 'is this safe',
    code: "const { execSync } = require('child_process');\nexecSync(`rm -rf ${dir}`);\n",
    line: 2,
    cursor: 0,
  },
  {
    language: 'typescript',
    project: 'shop',
    query: 'lint imports',
    code: "import b from './b';\nimport a from './a';\n",
    line: 1,
    cursor: 0,
  },
];
const reader = createIdeClient({ baseUrl: url, token: READ });
const writer = createIdeClient({ baseUrl: url, token: WRITE });
const first = await reader.recommend(CONTEXTS[0]);
if (first.recommendations.length !== 5 || first.recommendations[0].skill_name !== 'pytest-run')
  throw new Error(`unexpected answer: ${JSON.stringify(first)}`);

async function timed(fn, runs, warmup = 100) {
  for (let i = 0; i < warmup; i++) await fn(i);
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn(i);
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b);
}
const overHttp = await timed((i) => reader.recommend(CONTEXTS[i % CONTEXTS.length]), REQUESTS);
const inProcess = await timed((i) => recommendForIde(store, CONTEXTS[i % CONTEXTS.length]), REQUESTS);
const feedback = await timed(
  (i) =>
    writer.feedback({
      feedback_id: `bench-${i}`,
      session_id: `ide-${i % 50}`,
      recommended: first.recommendations.map((r) => r.skill_name),
      selected: first.recommendations[i % 3].skill_name,
      completed: i % 4 !== 0,
      duration_seconds: 2,
    }),
  300,
  20,
);

info(
  'load',
  `uptime load averages ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')} (2 cores shared)`,
);
report('IDE recommendation request over HTTP (createIdeClient → server, read token) p95', quantile(overHttp, 0.95), 10, 'ms', 'lower');
info('over HTTP p50 / p99', `${quantile(overHttp, 0.5).toFixed(3)} / ${quantile(overHttp, 0.99).toFixed(3)} ms`);
info(
  'same run, recommendForIde in process on the same store, p50 / p95',
  `${quantile(inProcess, 0.5).toFixed(3)} / ${quantile(inProcess, 0.95).toFixed(3)} ms`,
);
info(
  'same run, IDE feedback over HTTP (one invocation recorded), p50 / p95',
  `${quantile(feedback, 0.5).toFixed(3)} / ${quantile(feedback, 0.95).toFixed(3)} ms`,
);

child.kill('SIGTERM');
await new Promise((resolve) => child.once('exit', resolve));
await store.close();
removeStore();
