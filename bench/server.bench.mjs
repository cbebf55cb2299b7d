// The HTTP side of apps/server (issue 12), against the real `skills-server` binary in a child
// process, on SQLite, over loopback:
// - an invocation posted over HTTP reaches an `invocations` subscriber: from `fetch` resolving to
//   the WebSocket message arriving (0 when it arrived first), p99 (limit 20 ms);
// - POST /v1/invocations with batches of 100 from this (second) process sustains at least 50% of
//   the rate of recordInvocations called in-process on the same rows, in the same run (both shown);
//   both keep the pseudonymised user interactions (same secret), as every server or CLI store does.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore, recordInvocations } from '@skills/storage';
import WebSocket from 'ws';
import { info, quantile, report, syntheticBatches } from './lib.mjs';

const BIN = fileURLToPath(new URL('../apps/server/dist/bin.js', import.meta.url));
const POSTS = Number(process.env.BENCH_SERVER_POSTS ?? 300);
const INVOCATIONS = Number(process.env.BENCH_SERVER_INVOCATIONS ?? 50_000);
const BATCH = 100;
const IN_FLIGHT = 4;
const ROUNDS = 2;

const dir = mkdtempSync(join(tmpdir(), 'skills-bench-server-'));
// Both sides keep the pseudonymised user interactions, as a server or CLI store does.
const SECRET = 'bench-pseudonym-secret-0123456789';

/** The real server binary on a fresh SQLite file; resolves with its URL once it listens. */
async function startServer(name) {
  const child = spawn(
    process.execPath,
    [BIN, '--db', join(dir, `${name}.db`), '--port', '0', '--log-level', 'warn', '--anomaly-job', 'off'],
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
  return {
    url,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

const post = (url, body) => fetch(`${url}/v1/invocations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

async function latencyToSubscriber() {
  const server = await startServer('latency');
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws`);
  const arrived = new Map();
  ws.on('message', (data) => {
    const at = performance.now();
    const text = data.toString();
    if (!text.startsWith('{"type":"invocations"')) return;
    for (const item of JSON.parse(text).data.invocations) arrived.set(item.id, at);
  });
  await new Promise((resolve) => ws.once('open', resolve));
  ws.send(JSON.stringify({ type: 'subscribe', channel: 'invocations' }));
  await new Promise((resolve) => ws.on('message', (data) => data.toString().startsWith('{"type":"subscription_confirmed"') && resolve()));
  const delays = [];
  const fromSend = [];
  const roundTrips = [];
  for (let i = 0; i < POSTS + 20; i++) {
    const id = `lat-${i}`;
    const body = JSON.stringify({
      id,
      skill_name: `skill-${i % 20}`,
      session_id: `s-${i % 7}`,
      user_id: `u-${i % 11}`,
      invoked_at: Date.now(),
      completed: i % 5 !== 0,
      duration_seconds: 1 + (i % 9),
    });
    const sent = performance.now();
    const response = await post(server.url, body);
    if (response.status !== 201) throw new Error(`POST answered ${response.status}: ${await response.text()}`);
    await response.arrayBuffer();
    const resolved = performance.now();
    while (!arrived.has(id)) await new Promise((resolve) => setImmediate(resolve));
    if (i < 20) continue;
    delays.push(Math.max(0, arrived.get(id) - resolved));
    fromSend.push(arrived.get(id) - sent);
    roundTrips.push(resolved - sent);
  }
  ws.close();
  await server.stop();
  for (const list of [delays, fromSend, roundTrips]) list.sort((a, b) => a - b);
  info(
    'HTTP → invocations subscriber',
    `${POSTS} single-invocation POSTs after 20 warm-up: p50 ${quantile(delays, 0.5).toFixed(2)} ms, p99 ${quantile(delays, 0.99).toFixed(2)} ms, max ${delays.at(-1).toFixed(2)} ms (${delays.filter((d) => d === 0).length} arrived before the response)`,
  );
  info(
    'request sent → message arrived',
    `p50 ${quantile(fromSend, 0.5).toFixed(2)} ms, p99 ${quantile(fromSend, 0.99).toFixed(2)} ms; request sent → response: p50 ${quantile(roundTrips, 0.5).toFixed(2)} ms, p99 ${quantile(roundTrips, 0.99).toFixed(2)} ms`,
  );
  return report('posted invocation reaches an invocations subscriber (p99, SQLite)', quantile(delays, 0.99), 20, 'ms', 'lower');
}

/** Invocations per second through POST /v1/invocations, IN_FLIGHT requests at a time. */
async function httpRate(bodies, round) {
  const server = await startServer(`http-${round}`);
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < bodies.length) {
      const body = bodies[next++];
      const response = await post(server.url, body);
      if (response.status !== 201) throw new Error(`POST answered ${response.status}: ${await response.text()}`);
      await response.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const seconds = (performance.now() - started) / 1000;
  await server.stop();
  return INVOCATIONS / seconds;
}

async function inProcessRate(batches, round) {
  const store = await openStore(join(dir, `direct-${round}.db`), { userPseudonymSecret: SECRET });
  const started = performance.now();
  for (const batch of batches) await recordInvocations(store, batch);
  const seconds = (performance.now() - started) / 1000;
  await store.close();
  return INVOCATIONS / seconds;
}

async function ingestRatio() {
  const batches = syntheticBatches({ invocations: INVOCATIONS, users: 2000, skills: 200, days: 30, seed: 7, batchSize: BATCH });
  // The client's JSON.stringify is not the server's cost: bodies are made before the clock starts.
  const bodies = batches.map((batch) => JSON.stringify(batch));
  let bestHttp = 0;
  let bestDirect = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    const direct = await inProcessRate(batches, round);
    const http = await httpRate(bodies, round);
    info(
      `round ${round}`,
      `recordInvocations in-process ${Math.round(direct).toLocaleString('en-US')}/s, POST /v1/invocations ${Math.round(http).toLocaleString('en-US')}/s (${((http / direct) * 100).toFixed(0)}%)`,
    );
    bestDirect = Math.max(bestDirect, direct);
    bestHttp = Math.max(bestHttp, http);
  }
  info(
    'ingest',
    `${INVOCATIONS.toLocaleString('en-US')} invocations in batches of ${BATCH}, ${IN_FLIGHT} requests in flight, SQLite; best of ${ROUNDS}: in-process ${Math.round(bestDirect).toLocaleString('en-US')}/s, HTTP ${Math.round(bestHttp).toLocaleString('en-US')}/s`,
  );
  return report('POST batches of 100 / in-process recordInvocations (SQLite)', (bestHttp / bestDirect) * 100, 50, '%', 'higher');
}

let ok = true;
info(
  'load average at start',
  loadavg()
    .map((x) => x.toFixed(1))
    .join(', '),
);
try {
  ok = (await latencyToSubscriber()) && ok;
  ok = (await ingestRatio()) && ok;
} finally {
  info(
    'load average at end',
    loadavg()
      .map((x) => x.toFixed(1))
      .join(', '),
  );
  rmSync(dir, { recursive: true, force: true });
}
process.exit(ok ? 0 : 1);
