// The realtime hub and the Prometheus exporter (issue 12):
// - 1,000 WebSocket clients (in a second process, on loopback): how long after a tick's snapshot
//   is read its metrics_update reaches the LAST of them, p99 over many ticks (limit 50 ms), beside
//   a bare `ws` server sending a message of the same size to the same number of clients, same run
//   (the floor this machine sets);
// - `/metrics` with 500 skills (3 phases each): exporter.metrics() after each new invocation, p99
//   (limit 20 ms), beside prom-client's own rendering of the same series (registry.metrics()) in
//   the same run.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMetricsExporter, createRealtimeHub } from '@skills/realtime';
import { openStore, recordInvocations } from '@skills/storage';
import WebSocket, { WebSocketServer } from 'ws';
import { info, quantile, report, sample } from './lib.mjs';

const CLIENTS = Number(process.env.BENCH_WS_CLIENTS ?? 1000);
const TICKS = Number(process.env.BENCH_WS_TICKS ?? 150);
const TICK_MS = 100;

if (process.argv[2] === 'clients') {
  // Child: open the clients, note when each tick's message reaches each of them.
  const url = process.argv[3];
  const lastArrival = new Map();
  const arrivals = new Map();
  let open = 0;
  let bytes = 0;
  let received = 0;
  const sockets = [];
  for (let i = 0; i < CLIENTS; i++) {
    const ws = new WebSocket(url);
    sockets.push(ws);
    ws.on('open', () => {
      open += 1;
      if (open === CLIENTS) process.send({ ready: true });
    });
    ws.on('message', (data) => {
      const now = Date.now();
      const text = data.toString();
      if (!text.startsWith('{"type":"metrics_update"')) return;
      bytes += text.length;
      received += 1;
      const ts = Number(/"ts":(\d+)/.exec(text)[1]);
      arrivals.set(ts, (arrivals.get(ts) ?? 0) + 1);
      lastArrival.set(ts, Math.max(lastArrival.get(ts) ?? 0, now));
    });
    ws.on('error', (error) => process.send({ error: String(error) }));
  }
  process.on('message', (message) => {
    if (message !== 'report') return;
    const ticks = [...arrivals].filter(([, count]) => count === CLIENTS).map(([ts]) => lastArrival.get(ts) - ts);
    process.send({
      ticks,
      partial: [...arrivals].filter(([, count]) => count < CLIENTS).length,
      size: Math.round(bytes / Math.max(1, received)),
    });
    for (const ws of sockets) ws.terminate();
    setTimeout(() => process.exit(0), 100);
  });
} else {
  const dir = mkdtempSync(join(tmpdir(), 'skills-bench-ws-'));
  let ok = true;
  try {
    ok = (await broadcast(join(dir, 'hub.db'))) && ok;
    ok = (await metricsRender(join(dir, 'metrics.db'))) && ok;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.exit(ok ? 0 : 1);
}

/** 500 skills × 3 phases, a few invocations each, in the current hour. */
function rows(skills) {
  const now = Date.now();
  const items = [];
  for (let s = 0; s < skills; s++) {
    for (const [p, phase] of ['testing', 'coding', 'review'].entries()) {
      for (let k = 0; k < 4; k++) {
        items.push({
          skill_name: `skill-${String(s).padStart(3, '0')}`,
          session_id: `session-${s % 50}`,
          invoked_at: now - k * 1000,
          completed: (s + k) % 4 !== 0,
          duration_seconds: ((s * 7 + p * 3 + k) % 60) / 2,
          workflow_phase: phase,
        });
      }
    }
  }
  return items;
}

/** Run the client process against a url while `ticks` broadcasts happen; the last-client lags. */
async function lagsAt(url) {
  const child = fork(fileURLToPath(import.meta.url), ['clients', url], { env: { ...process.env } });
  const messages = [];
  let wake;
  child.on('message', (message) => {
    messages.push(message);
    wake?.();
  });
  const nextMessage = async (test) => {
    for (;;) {
      const found = messages.find(test);
      if (found) return found;
      await new Promise((resolve) => (wake = resolve));
    }
  };
  const ready = await nextMessage((m) => m.ready || m.error);
  if (ready.error) throw new Error(ready.error);
  return {
    async collect() {
      await new Promise((resolve) => setTimeout(resolve, TICK_MS * (TICKS + 5)));
      child.send('report');
      const result = await nextMessage((m) => m.ticks);
      return { lags: result.ticks.sort((a, b) => a - b), size: result.size };
    },
  };
}

async function broadcast(file) {
  const store = await openStore(file);
  const items = rows(500);
  for (let i = 0; i < items.length; i += 1000) await recordInvocations(store, items.slice(i, i + 1000));
  const server = createServer();
  const hub = createRealtimeHub({ store, tickMs: TICK_MS, maxClients: CLIENTS + 10 });
  hub.attach(server);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  await hub.ready();
  const clients = await lagsAt(`ws://127.0.0.1:${server.address().port}/ws`);
  const { lags, size } = await clients.collect();
  const stats = hub.stats();
  await hub.close();
  server.close();
  await store.close();

  // Reference: a bare ws server broadcasting a message of the same size on the same schedule.
  const bare = createServer();
  const wss = new WebSocketServer({ server: bare, perMessageDeflate: false });
  await new Promise((resolve) => bare.listen(0, '127.0.0.1', resolve));
  const reference = await lagsAt(`ws://127.0.0.1:${bare.address().port}`);
  const timer = setInterval(() => {
    const head = `{"type":"metrics_update","ts":${Date.now()},"data":{"pad":"`;
    const message = Buffer.from(`${head}${'x'.repeat(Math.max(0, size - head.length - 4))}"}}`);
    for (const ws of wss.clients) ws.send(message);
  }, TICK_MS);
  const bareResult = await reference.collect();
  clearInterval(timer);
  for (const ws of wss.clients) ws.terminate();
  bare.close();

  info(
    'clients',
    `${CLIENTS} in a second process, ${stats.ticks} ticks of ${TICK_MS} ms, ${lags.length} reaching every client, ${size} bytes each`,
  );
  info(
    'snapshot',
    `top 10 of 500 skills over 24 h, one per tick (${stats.snapshots} computed, last read in ${stats.lastSnapshotMs} ms), ${stats.messagesSent.toLocaleString('en-US')} messages sent`,
  );
  info('hub: snapshot read → last client', `p50 ${quantile(lags, 0.5)} ms, p99 ${quantile(lags, 0.99)} ms, max ${lags.at(-1)} ms`);
  info(
    'reference: bare ws broadcast → last client',
    `p50 ${quantile(bareResult.lags, 0.5)} ms, p99 ${quantile(bareResult.lags, 0.99)} ms (${bareResult.lags.length} broadcasts)`,
  );
  info(
    'machine',
    `load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} on ${cpus().length} cores`,
  );
  return report('metrics_update to the last of 1,000 clients (p99)', quantile(lags, 0.99), 50, 'ms', 'lower');
}

async function metricsRender(file) {
  const store = await openStore(file);
  const items = rows(500);
  for (let i = 0; i < items.length; i += 1000) await recordInvocations(store, items.slice(i, i + 1000));
  const exporter = createMetricsExporter({ store });
  await exporter.ready();
  const text = await exporter.metrics();
  const series = text.split('\n').filter((line) => line !== '' && !line.startsWith('#')).length;
  // Each render follows a new invocation (a counter, a histogram and a rate change), as a real
  // scrape follows traffic; the recording itself is not timed.
  const times = [];
  for (let i = 0; i < 110; i++) {
    await recordInvocations(store, [
      {
        skill_name: `skill-${String(i % 500).padStart(3, '0')}`,
        session_id: 'scrape',
        invoked_at: Date.now(),
        completed: true,
        duration_seconds: 1.5,
        workflow_phase: 'testing',
      },
    ]);
    const start = performance.now();
    await exporter.metrics();
    if (i >= 10) times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const unchanged = await sample(() => exporter.metrics(), 50, 5);
  const reference = await sample(() => exporter.registry.metrics(), 10, 2);
  await exporter.close();
  const own = createMetricsExporter({ store, defaultMetrics: false });
  await own.ready();
  const ownTimes = await sample(() => own.metrics(), 100, 10);
  await own.close();
  await store.close();
  info('exposition', `500 skills × 3 phases: ${series.toLocaleString('en-US')} lines, ${(text.length / 1024).toFixed(0)} KiB`);
  info(
    'exporter.metrics() after a new invocation',
    `p50 ${quantile(times, 0.5).toFixed(2)} ms, p99 ${quantile(times, 0.99).toFixed(2)} ms`,
  );
  info('exporter.metrics() with nothing new', `p50 ${quantile(unchanged, 0.5).toFixed(2)} ms`);
  info('the skill series alone, nothing new (defaultMetrics: false)', `p50 ${quantile(ownTimes, 0.5).toFixed(2)} ms`);
  info('reference: prom-client registry.metrics() of the same series', `p50 ${quantile(reference, 0.5).toFixed(1)} ms`);
  info(
    'machine',
    `load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} on ${cpus().length} cores`,
  );
  return report('/metrics render with 500 skills after a new invocation (p99)', quantile(times, 0.99), 20, 'ms', 'lower');
}
