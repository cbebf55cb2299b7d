// @skills/integrations CI webhooks (issue 18), on SQLite in bench/.data: a GitHub workflow_job
// delivery handled in-process as the server does it (HMAC verified over the raw body, parsed,
// mapped, recorded with its ci_jobs and delivery rows), one delivery per call — p95 (limit < 5 ms),
// beside recordInvocations of one invocation per call (the write floor).
// Not measured yet: deliveries/s from a second process over HTTP, IDE recommendations.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCiIngest, mapGithubEvent, signGithubPayload, verifyGithubSignature } from '@skills/integrations';
import { openStore, recordInvocations } from '@skills/storage';
import { info, quantile, report } from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const dir = join(here, '.data', 'integrations-ci');
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const store = await openStore(join(dir, 'ci.db'));
const ingest = createCiIngest(store);
const example = JSON.parse(readFileSync(join(here, '../apps/server/test/fixtures/github-workflow_job-completed.failure.with-organization.json'), 'utf8'));
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
  const r = await ingest.deliver({ source: 'github', deliveryId: `d-${i}`, event: 'workflow_job', mapped: mapGithubEvent('workflow_job', JSON.parse(raw.toString('utf8'))) });
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
  await recordInvocations(store, [{ id: `floor-${i}`, skill_name: 'linters', session_id: 's', invoked_at: Date.now(), completed: true, duration_seconds: 1 }]);
  floor.push(performance.now() - t);
}
floor.sort((a, b) => a - b);
info('deliveries', `${N.toLocaleString('en-US')} GitHub workflow_job deliveries (octokit example payload, new job id each), one at a time`);
report('webhook delivery handled (verified, mapped, recorded) p95', quantile(times, 0.95), 5, 'ms', 'lower');
info('webhook delivery p50 / p99', `${quantile(times, 0.5).toFixed(3)} / ${quantile(times, 0.99).toFixed(3)} ms`);
info('same run, recordInvocations of one invocation per call, p50 / p95', `${quantile(floor, 0.5).toFixed(3)} / ${quantile(floor, 0.95).toFixed(3)} ms`);
await store.close();
