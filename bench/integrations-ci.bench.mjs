// @skills/integrations CI webhooks (issue 18), on SQLite in bench/.data: a GitHub workflow_job
// delivery handled in-process as the server does it (HMAC verified over the raw body, parsed,
// mapped, recorded with its ci_jobs and delivery rows), one delivery per call — p95 (limit < 5 ms),
// beside recordInvocations of one invocation per call (the write floor); then deliveries/s sustained
// from a second process (integrations-ci-sender.mjs, spawned here) posting signed workflow_job
// deliveries over keep-alive connections to the real server on 127.0.0.1 (limit ≥ 1,000/s), beside
// the same sender's rate against GET /healthz of the same server in the same run (the HTTP ceiling).
// Not measured here: IDE recommendations.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCiIngest, mapGithubEvent, signGithubPayload, verifyGithubSignature } from '@skills/integrations';
import { resolveServerConfig, startServer } from '@skills/server';
import { openStore, recordInvocations } from '@skills/storage';
import { info, quantile, report } from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const dir = join(here, '.data', 'integrations-ci');
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const store = await openStore(join(dir, 'ci.db'));
const ingest = createCiIngest(store);
const example = JSON.parse(
  readFileSync(join(here, '../apps/server/test/fixtures/github-workflow_job-completed.failure.with-organization.json'), 'utf8'),
);
const SECRET = 'bench-secret';
const N = Number(process.env.BENCH_CI_DELIVERIES ?? 3000);
const bodies = Array.from({ length: N + 200 }, (_, i) => {
  const payload = structuredClone(example);
  payload.workflow_job.id = 1_000_000 + i;
  payload.workflow_job.run_id = 5000 + Math.floor(i / 8);
  const raw = Buffer.from(JSON.stringify(payload));
  return { raw, signature: signGithubPayload(SECRET, raw) };
});
const handle = async ({ raw, signature }, i) => {
  if (!verifyGithubSignature(SECRET, raw, signature)) throw new Error('signature');
  const r = await ingest.deliver({
    source: 'github',
    deliveryId: `d-${i}`,
    event: 'workflow_job',
    mapped: mapGithubEvent('workflow_job', JSON.parse(raw.toString('utf8'))),
  });
  if (r.recorded !== 1) throw new Error(`expected 1 recorded, got ${r.recorded}`);
};
for (let i = 0; i < 200; i++) await handle(bodies[N + i], N + i);
const times = [];
for (let i = 0; i < N; i++) {
  const t = performance.now();
  await handle(bodies[i], i);
  times.push(performance.now() - t);
}
times.sort((a, b) => a - b);
const floor = [];
for (let i = 0; i < 2000; i++) {
  const t = performance.now();
  await recordInvocations(store, [
    { id: `floor-${i}`, skill_name: 'linters', session_id: 's', invoked_at: Date.now(), completed: true, duration_seconds: 1 },
  ]);
  floor.push(performance.now() - t);
}
floor.sort((a, b) => a - b);
info('deliveries', `${N.toLocaleString('en-US')} GitHub workflow_job deliveries (octokit example payload, new job id each), one at a time`);
report('webhook delivery handled (verified, mapped, recorded) p95', quantile(times, 0.95), 5, 'ms', 'lower');
info('webhook delivery p50 / p99', `${quantile(times, 0.5).toFixed(3)} / ${quantile(times, 0.99).toFixed(3)} ms`);
info(
  'same run, recordInvocations of one invocation per call, p50 / p95',
  `${quantile(floor, 0.5).toFixed(3)} / ${quantile(floor, 0.95).toFixed(3)} ms`,
);
await store.close();

// Deliveries/s from a second process, over HTTP.
const SECONDS = Number(process.env.BENCH_CI_SECONDS ?? 10);
const CONCURRENCY = Number(process.env.BENCH_CI_CONCURRENCY ?? 16);
const httpStore = await openStore(join(dir, 'ci-http.db'));
const server = await startServer(resolveServerConfig({ port: '0', anomalyJob: 'off', logLevel: 'warn', githubWebhookSecret: SECRET }, {}), {
  store: httpStore,
  dialect: 'sqlite',
});
const template = structuredClone(example);
template.workflow_job.id = '__JOB_ID__';
template.workflow_job.run_id = '__RUN_ID__';
const sender = (mode, seconds, firstJob) =>
  new Promise((resolve, reject) => {
    const args = JSON.stringify({
      url: server.url,
      mode,
      seconds,
      concurrency: CONCURRENCY,
      secret: SECRET,
      template: JSON.stringify(template),
      firstJob,
    });
    execFile(process.execPath, [join(here, 'integrations-ci-sender.mjs'), args], { maxBuffer: 1 << 20 }, (error, stdout) =>
      error ? reject(error) : resolve(JSON.parse(stdout)),
    );
  });
await sender('github', 1, 50_000_000); // warm-up: JIT, connections, the SQLite file
const healthz = await sender('healthz', Math.min(5, SECONDS), 0);
const load = loadavg()[0];
const http = await sender('github', SECONDS, 60_000_000);
const rows = Number(
  (
    await httpStore.db
      .selectFrom('skill_invocation')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('id', '>=', 'github:job:6')
      .where('id', '<', 'github:job:7')
      .executeTakeFirstOrThrow()
  ).n,
);
await server.close();
await httpStore.close();
if (http.failed > 0) throw new Error(`deliveries failed: ${JSON.stringify(http.statuses)}`);
if (rows !== http.ok) throw new Error(`expected ${http.ok} invocations recorded, found ${rows}`);
info(
  'second process',
  `${CONCURRENCY} in flight over keep-alive for ${http.seconds.toFixed(1)} s: ${http.ok.toLocaleString('en-US')} deliveries answered 200 and recorded (${rows.toLocaleString('en-US')} invocations checked in the store), load average ${load.toFixed(2)} on ${cpus().length} cores shared with other work`,
);
report('webhook deliveries sustained from a second process', http.rate, 1000, 'deliveries/s', 'higher');
info('delivery latency seen by the sender p50 / p95 / p99', `${http.p50.toFixed(2)} / ${http.p95.toFixed(2)} / ${http.p99.toFixed(2)} ms`);
info(
  'same run, same sender, GET /healthz of the same server',
  `${Math.round(healthz.rate).toLocaleString('en-US')} requests/s (the HTTP ceiling); in-process one at a time: ${Math.round(1000 / quantile(times, 0.5)).toLocaleString('en-US')} deliveries/s at the p50`,
);
