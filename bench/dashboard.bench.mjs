// The dashboard in headless Chromium (Debian's /usr/bin/chromium via playwright-core) against the
// real skills-server binary on a SQLite store of 10 million invocations of 500 skills over 30 days:
//   - first meaningful render (header totals and the 500-row skills table on screen), < 1 s;
//   - the page's transferred size (HTML, JS, CSS as sent, gzipped), < 150 KB;
//   - an invocation POSTed over HTTP appearing in the live tail, p99 of 300, < 250 ms, timed in
//     the page itself (one clock: from before its fetch to the row entering the DOM).
// The store is the one bench/storage-reads.bench.mjs builds (same workload: seed 7), copied once
// to bench/.data/dashboard-10000000.db (the copy takes the posted rows); when neither exists it is
// built here with recordInvocations, which takes a long while on a 2-core machine (1,165 s on
// 2026-12-03). A store built before migration 0011 is upgraded when the server first opens it: its
// backfill of skill_phase_totals reads every invocation once (37.8 s at 10 M), before "server on".
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateWorkload } from '@skills/synth';
import { openStore, recordInvocations } from '@skills/storage';
import { info, quantile, report } from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '..', 'apps', 'server', 'package.json'));
const { chromium } = require('playwright-core');
const INVOCATIONS = Number(process.env.BENCH_INVOCATIONS ?? 10_000_000);
const options = { invocations: INVOCATIONS, users: 20_000, skills: 500, days: 30, seed: 7, batchSize: 1000 };
const dir = join(here, '.data');
const shared = join(dir, `reads-${INVOCATIONS}.db`);
const path = join(dir, `dashboard-${INVOCATIONS}.db`);
const BIN = join(here, '..', 'apps', 'server', 'dist', 'bin.js');
const LAUNCH = {
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
};
mkdirSync(dir, { recursive: true });

const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
info('load average at start', load());

const workload = generateWorkload(options);
if (!existsSync(path)) {
  if (existsSync(shared)) {
    // The main file alone is the whole store once its WAL is empty (checkpointed when last closed).
    if (existsSync(`${shared}-wal`) && statSync(`${shared}-wal`).size > 0) await (await openStore(shared)).close();
    copyFileSync(shared, `${path}.building`);
  } else {
    const store = await openStore(`${path}.building`);
    let written = 0;
    for (const batch of workload.batches()) {
      await recordInvocations(store, batch);
      written += batch.length;
      if (written % 1_000_000 === 0) console.log(`      building: ${written.toLocaleString('en-US')} invocations`);
    }
    await store.close();
  }
  renameSync(`${path}.building`, path);
}
const end = workload.truth.end;
info('store', `${INVOCATIONS.toLocaleString('en-US')} invocations, 500 skills, 30 days ending ${new Date(end).toISOString()} (${path})`);

/** The server binary on the store, as an operator starts it; resolves with its address once it prints it. */
async function startServer() {
  const child = spawn(process.execPath, [BIN, '--db', path, '--port', '0', '--anomaly-job', 'off', '--log-level', 'warn'], {
    env: { ...process.env, SKILLS_PSEUDONYM_SECRET: 'bench-dashboard-secret-0001', SKILLS_READ_TOKENS: '', SKILLS_WRITE_TOKENS: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
  const deadline = Date.now() + 300_000;
  while (!/server on (http:\/\/\S+)/.test(stderr)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`server did not start: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const stop = async () => {
    child.kill('SIGTERM');
    if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
  };
  return { url: /server on (http:\/\/\S+)/.exec(stderr)[1], stop };
}
let server = await startServer();
let url = server.url;
let ok = true;
const browser = await chromium.launch(LAUNCH);
try {
  // The last day of the workload as a dragged range: every one of the 500 skills has invocations in it.
  let view = `${url}/?since=${end - 86_400_000}&until=${end}`;
  const renders = [];
  const coldRenders = [];
  let pageBytes = 0;
  let apiBytes = 0;
  let rows = 0;
  for (let run = 0; run < 6; run++) {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const sizes = [];
    page.on('requestfinished', async (request) => {
      const sizesOf = await request.sizes();
      sizes.push({ type: request.resourceType(), bytes: sizesOf.responseBodySize + sizesOf.responseHeadersSize, url: request.url() });
    });
    await page.goto(view);
    await page.waitForFunction(() => performance.getEntriesByName('skills-dashboard:first-render').length > 0, null, { timeout: 30_000 });
    const render = await page.evaluate(() => performance.getEntriesByName('skills-dashboard:first-render')[0].startTime);
    rows = await page.locator('table.skills tbody tr').count();
    await page.waitForLoadState('networkidle');
    // The first run is cold for the server (its page cache and Chromium's); the figure is the median of the rest.
    if (run > 0) renders.push(render);
    else coldRenders.push(render);
    if (run === 0) {
      pageBytes = sizes.filter((s) => ['document', 'script', 'stylesheet'].includes(s.type)).reduce((sum, s) => sum + s.bytes, 0);
      apiBytes = sizes.filter((s) => s.type === 'fetch').reduce((sum, s) => sum + s.bytes, 0);
    }
    await context.close();
  }
  /** One page load in a new context: its first meaningful render (ms after navigation start). */
  const firstRender = async (address) => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    await page.goto(address);
    await page.waitForFunction(() => performance.getEntriesByName('skills-dashboard:first-render').length > 0, null, { timeout: 30_000 });
    const render = await page.evaluate(() => performance.getEntriesByName('skills-dashboard:first-render')[0].startTime);
    await page.waitForLoadState('networkidle');
    await context.close();
    return render;
  };
  const median = (values) =>
    quantile(
      [...values].sort((x, y) => x - y),
      0.5,
    );
  const list = (values) => values.map((ms) => `${ms.toFixed(0)} ms`).join(', ');
  // Cold twice more: the server started afresh on the store (nothing cached in it), the browser
  // already running, as when an operator opens the page on a server that has just come up.
  for (let restart = 0; restart < 2; restart++) {
    await server.stop();
    server = await startServer();
    url = server.url;
    view = `${url}/?since=${end - 86_400_000}&until=${end}`;
    coldRenders.push(await firstRender(view));
  }
  info('first meaningful render, cold server: first load of a fresh browser, then two fresh server starts', list(coldRenders));
  ok =
    report(
      'first meaningful render right after the server started (nothing cached), median of 3',
      median(coldRenders),
      1000,
      'ms',
      'lower',
    ) && ok;
  // A first viewer of a range on a server that has been running: three earlier days of the
  // workload, each asked for the first time (nothing of them in the server's answer cache).
  const uncached = [];
  for (let day = 1; day <= 3; day++)
    uncached.push(await firstRender(`${url}/?since=${end - (day + 1) * 86_400_000}&until=${end - day * 86_400_000}`));
  info('first meaningful render of a day not asked before, server running', list(uncached));
  ok =
    report('first meaningful render of a range not yet cached, server running, median of 3', median(uncached), 1000, 'ms', 'lower') && ok;
  renders.sort((a, b) => a - b);
  info('skills in the table', rows);
  ok =
    report('first meaningful render (totals + 500-skill table), median of 5 warm loads', quantile(renders, 0.5), 1000, 'ms', 'lower') && ok;
  info('first meaningful render, slowest warm load', `${renders[renders.length - 1].toFixed(0)} ms`);
  ok = report("page's transferred size (HTML + JS + CSS, gzipped, with headers)", pageBytes / 1024, 150, 'KB', 'lower') && ok;
  info('API responses of the first load (JSON, not compressed)', `${(apiBytes / 1024).toFixed(1)} KB`);

  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await page.goto(view);
  await page.locator('#status', { hasText: 'live' }).waitFor({ timeout: 30_000 });
  const skills = workload.truth.skills.map((s) => s.name);
  const latencies = await page.evaluate(
    async ({ count, skills }) => {
      const tail = document.getElementById('tail');
      const times = [];
      for (let i = 0; i < count; i++) {
        const id = `bench-${Date.now()}-${i}`;
        const appeared = new Promise((resolve) => {
          const observer = new MutationObserver(() => {
            if (tail.querySelector(`li[data-id="${id}"]`)) {
              observer.disconnect();
              resolve(performance.now());
            }
          });
          observer.observe(tail, { childList: true });
        });
        const started = performance.now();
        const response = await fetch('/v1/invocations', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            id,
            skill_name: skills[i % skills.length],
            session_id: `bench-${i % 20}`,
            invoked_at: Date.now(),
            completed: i % 10 !== 0,
            duration_seconds: 1 + (i % 7),
          }),
        });
        if (response.status !== 201) throw new Error(`POST answered ${response.status}`);
        times.push((await appeared) - started);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return times;
    },
    { count: 300, skills },
  );
  latencies.sort((a, b) => a - b);
  ok = report('POST /v1/invocations → row in the live tail, p99 of 300 (in Chromium)', quantile(latencies, 0.99), 250, 'ms', 'lower') && ok;
  info('live tail p50 / max', `${quantile(latencies, 0.5).toFixed(1)} ms / ${latencies[latencies.length - 1].toFixed(1)} ms`);
  await context.close();
} finally {
  await browser.close();
  await server.stop();
}
info('load average at end', load());
process.exit(ok ? 0 : 1);
