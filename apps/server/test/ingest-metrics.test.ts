import type { Store } from '@skills/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SkillsServer } from '../src/index.js';
import { countRows, invocation, postJson, serve, storeFactories } from './helpers.js';

const T0 = Date.UTC(2026, 11, 1, 10, 0, 0);
const WRITE = 'write-token-0123456789';
const auth = { authorization: `Bearer ${WRITE}` };

/** Every `name{…} value` sample of a scrape, by its label text. */
function samples(text: string, name: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = new RegExp(`^${name}(\\{[^}]*\\})? (\\S+)$`).exec(line);
    if (match) found.set(match[1] ?? '', Number(match[2]));
  }
  return found;
}

describe.each(storeFactories)('ingest counters on /metrics [$name]', (factory) => {
  let store: Store;
  let server: SkillsServer;
  const scrape = async () => {
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    return { requests: samples(text, 'skills_ingest_requests_total'), rejected: samples(text, 'skills_ingest_rejected_total') };
  };
  beforeAll(async () => {
    store = (await factory.create()).store;
    server = await serve(store, factory.name, { bodyLimitBytes: '4kb', writeTokens: WRITE });
  });
  afterAll(async () => {
    await server.close();
    await store.close();
    await factory.cleanup();
  });

  it('lists every ingest route at 0 before the first request, and no refusal', async () => {
    const { requests, rejected } = await scrape();
    expect(requests).toEqual(
      new Map([
        ['{route="/v1/invocations"}', 0],
        ['{route="/v1/integrations/claude-code/hooks"}', 0],
        ['{route="/v1/logs"}', 0],
        ['{route="/v1/integrations/github"}', 0],
        ['{route="/v1/integrations/gitlab"}', 0],
        ['{route="/v1/integrations/ci"}', 0],
        ['{route="/v1/integrations/quality"}', 0],
        ['{route="/v1/integrations/ide/feedback"}', 0],
      ]),
    );
    expect(rejected).toEqual(new Map());
  });

  it('counts a bad POST /v1/invocations once in each counter, and a good one only in the requests', async () => {
    const bad = await postJson(`${server.url}/v1/invocations`, [{ ...invocation('x-1', T0), skill_name: '' }], auth);
    expect(bad.status).toBe(400);
    let now = await scrape();
    expect(now.rejected).toEqual(new Map([['{route="/v1/invocations",code="validation_failed"}', 1]]));
    expect(now.requests.get('{route="/v1/invocations"}')).toBe(1);

    const good = await postJson(`${server.url}/v1/invocations`, [invocation('x-2', T0)], auth);
    expect(good.status).toBe(201);
    now = await scrape();
    expect(now.rejected).toEqual(new Map([['{route="/v1/invocations",code="validation_failed"}', 1]]));
    expect(now.requests.get('{route="/v1/invocations"}')).toBe(2);
    expect(await countRows(store)).toBe(1);
  });

  it('counts refusals before the body is read (401, 415), over the body limit (413) and bad JSON (400) by their codes', async () => {
    const url = `${server.url}/v1/invocations`;
    expect((await postJson(url, [invocation('y-1', T0)])).status).toBe(401);
    expect((await fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain', ...auth }, body: 'x' })).status).toBe(415);
    expect((await postJson(url, 'x'.repeat(5000), auth)).status).toBe(413);
    expect((await postJson(url, '[{', auth)).status).toBe(400);
    const now = await scrape();
    expect(now.rejected).toEqual(
      new Map([
        ['{route="/v1/invocations",code="validation_failed"}', 1],
        ['{route="/v1/invocations",code="unauthorized"}', 1],
        ['{route="/v1/invocations",code="unsupported_media_type"}', 1],
        ['{route="/v1/invocations",code="payload_too_large"}', 1],
        ['{route="/v1/invocations",code="invalid_json"}', 1],
      ]),
    );
    expect(now.requests.get('{route="/v1/invocations"}')).toBe(6);
    expect(await countRows(store)).toBe(1);
  });

  it('counts refused webhooks and OTLP logs under their own routes, and nothing for reads or unknown routes', async () => {
    const github = await postJson(`${server.url}/v1/integrations/github`, {}, { 'x-github-event': 'workflow_job' });
    expect(github.status).toBe(401);
    const logs = await postJson(`${server.url}/v1/logs`, { resourceLogs: 'not a list' }, auth);
    expect(logs.status).toBe(400);
    expect((await fetch(`${server.url}/v1/skills/top`)).status).toBe(200);
    expect((await postJson(`${server.url}/v1/nothing-here`, {}, auth)).status).toBe(404);
    const now = await scrape();
    expect(now.rejected.get('{route="/v1/integrations/github",code="unauthorized"}')).toBe(1);
    expect(now.rejected.get('{route="/v1/logs",code="validation_failed"}')).toBe(1);
    expect(now.rejected.size).toBe(7);
    expect(now.requests.get('{route="/v1/integrations/github"}')).toBe(1);
    expect(now.requests.get('{route="/v1/logs"}')).toBe(1);
    expect([...now.requests.keys()].some((k) => k.includes('nothing-here') || k.includes('skills/top'))).toBe(false);
  });

  it('counts refused quality runs and IDE feedback under their own routes', async () => {
    expect((await postJson(`${server.url}/v1/integrations/quality`, { run_id: 'r1' }, auth)).status).toBe(400);
    expect((await postJson(`${server.url}/v1/integrations/ide/feedback`, {}, auth)).status).toBe(400);
    const now = await scrape();
    expect(now.requests.get('{route="/v1/integrations/quality"}')).toBe(1);
    expect(now.rejected.get('{route="/v1/integrations/quality",code="validation_failed"}')).toBe(1);
    expect(now.rejected.get('{route="/v1/integrations/ide/feedback",code="validation_failed"}')).toBe(1);
    expect(await countRows(store)).toBe(1);
  });
});
