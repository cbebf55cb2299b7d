// The second process of integrations-ci.bench.mjs: sends requests to the server for a while over
// keep-alive connections with some in flight, and prints one JSON line of what it measured.
//   node integrations-ci-sender.mjs '{"url","mode":"github"|"healthz","seconds","concurrency","secret","template","firstJob"}'
// Each GitHub delivery is the template with a new job id (and run id every 8 jobs), signed here
// (X-Hub-Signature-256) with a new X-GitHub-Delivery id.
import { createHmac } from 'node:crypto';
import { Agent, request } from 'node:http';

const { url, mode, seconds, concurrency, secret, template, firstJob } = JSON.parse(process.argv[2]);
const target = new URL(mode === 'github' ? '/v1/integrations/github' : '/healthz', url);
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
let next = 0;
let ok = 0;
let failed = 0;
const statuses = {};
const times = [];

function send() {
  const n = next++;
  let body;
  const headers = {};
  if (mode === 'github') {
    body = Buffer.from(
      template.replace('"__JOB_ID__"', String(firstJob + n)).replace('"__RUN_ID__"', String(9_000_000 + Math.floor(n / 8))),
    );
    headers['content-type'] = 'application/json';
    headers['content-length'] = body.length;
    headers['x-github-event'] = 'workflow_job';
    headers['x-github-delivery'] = `bench-${firstJob + n}`;
    headers['x-hub-signature-256'] = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  }
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request(target, { method: mode === 'github' ? 'POST' : 'GET', agent, headers }, (res) => {
      res.resume();
      res.on('end', () => {
        times.push(performance.now() - started);
        statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
        if (res.statusCode === 200) ok++;
        else failed++;
        resolve();
      });
    });
    req.on('error', () => {
      failed++;
      resolve();
    });
    req.end(body);
  });
}

const start = performance.now();
const until = start + seconds * 1000;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (performance.now() < until) await send();
  }),
);
const elapsed = (performance.now() - start) / 1000;
times.sort((a, b) => a - b);
const q = (p) => times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)];
agent.destroy();
process.stdout.write(
  `${JSON.stringify({ mode, ok, failed, statuses, seconds: elapsed, rate: ok / elapsed, p50: q(0.5), p95: q(0.95), p99: q(0.99) })}\n`,
);
