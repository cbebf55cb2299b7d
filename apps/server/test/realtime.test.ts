import { spawnSync } from 'node:child_process';
import { recordInvocations, type Store } from '@skills/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SkillsServer } from '../src/index.js';
import { countRows, invocation, postJson, serve, storeFactories, waitFor, WsClient } from './helpers.js';

const READ = 'read-token-0123456789';
const WRITE = 'write-token-0123456789';

/** Sum of a counter's samples in Prometheus text, by the labels picked by `key`. */
function samples(text: string, name: string): { labels: Record<string, string>; value: number }[] {
  const out: { labels: Record<string, string>; value: number }[] = [];
  for (const line of text.split('\n')) {
    const match = new RegExp(`^${name}\\{([^}]*)\\} (\\S+)$`).exec(line);
    if (!match) continue;
    const labels = Object.fromEntries([...match[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    out.push({ labels, value: Number(match[2]) });
  }
  return out;
}

describe.each(storeFactories)('the live feed and /metrics through the server [$name]', (factory) => {
  let store: Store;
  let reopen: () => Promise<Store>;
  let server: SkillsServer;
  beforeAll(async () => {
    const created = await factory.create();
    store = created.store;
    reopen = () => created.reopen();
    server = await serve(store, factory.name, { tickMs: '100' });
  });
  afterAll(async () => {
    await server.close();
    await store.close();
    await factory.cleanup();
  });

  it('an invocation posted over HTTP reaches an invocations subscriber, then the next metrics snapshot', async () => {
    const client = await WsClient.open(server.wsUrl);
    await client.next('connected');
    client.send({ type: 'subscribe', channel: 'invocations' });
    await client.next('subscription_confirmed');
    const now = Date.now();
    const response = await postJson(`${server.url}/v1/invocations`, [
      invocation('live-1', now, { skill_name: 'live-skill', duration_seconds: 4 }),
    ]);
    expect(response.status).toBe(201);
    const tail = await client.next('invocations', (m) => m.data.invocations.some((i: { id: string }) => i.id === 'live-1'));
    expect(tail.data.invocations).toEqual([
      expect.objectContaining({ id: 'live-1', skill_name: 'live-skill', completed: true, duration_seconds: 4, session_id: 's1' }),
    ]);
    const update = await client.next(
      'metrics_update',
      (m) => m.ts > tail.ts && m.data.top_skills.some((s: { skill_name: string }) => s.skill_name === 'live-skill'),
    );
    expect(update.data.top_skills.find((s: { skill_name: string }) => s.skill_name === 'live-skill')).toMatchObject({
      total_invocations: 1,
      completion_rate: 100,
      avg_duration_seconds: 4,
    });
    client.close();
  });

  it("speaks the original's protocol on /ws: subscribe to a skill, unsubscribe, ping; a bad message keeps the connection", async () => {
    const [a, b] = await Promise.all([WsClient.open(server.wsUrl), WsClient.open(server.wsUrl)]);
    expect((await a.next('connected')).authenticated).toBe(false);
    await b.next('connected');
    a.send({ type: 'subscribe', skill: 'live-skill' });
    expect(await a.next('subscription_confirmed')).toMatchObject({ skill: 'live-skill' });
    const narrowed = await a.next(
      'metrics_update',
      (m) => m.data.top_skills.length === 1 && m.data.top_skills[0].skill_name === 'live-skill',
    );
    expect(narrowed.data.top_skills[0].total_invocations).toBe(1);
    a.send('{oops');
    expect((await a.next('error')).data).toEqual({ message: 'invalid JSON: expected one JSON object per message' });
    a.send({ type: 'dance' });
    expect((await a.next('error', (m) => m.data.field === 'type')).data.message).toBe(
      'unknown message type "dance": expected subscribe, unsubscribe or ping',
    );
    a.send({ type: 'unsubscribe' });
    a.send({ type: 'ping' });
    await a.next('pong');
    b.send({ type: 'ping' });
    await b.next('pong');
    expect(b.messages.some((m) => m.type === 'metrics_update')).toBe(true);
    a.close();
    b.close();
  });

  it('serves /metrics that promtool accepts, with counters equal to the store after a restart', async () => {
    const at = Date.now() - 60_000;
    await postJson(`${server.url}/v1/invocations`, [
      invocation('m-1', at, { skill_name: 'pytest-run', completed: true }),
      invocation('m-2', at + 1, { skill_name: 'pytest-run', completed: false, workflow_phase: null }),
      invocation('m-3', at + 2, { skill_name: 'commit', completed: true, duration_seconds: null }),
    ]);
    const check = async (target: SkillsServer, settle: boolean) => {
      const scrape = async () => {
        const response = await fetch(`${target.url}/metrics`);
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
        return response.text();
      };
      // On PostgreSQL the exporter may count a batch a moment after its POST answered (it hears
      // batches through the store's notifications): wait until it has, as the next scrape would.
      const stored = await countRows(store);
      let text = await scrape();
      const counted = async () => {
        text = await scrape();
        return samples(text, 'skill_invocations_total').reduce((sum, s) => sum + s.value, 0) === stored;
      };
      if (settle) await waitFor(counted, 5000, 'the exporter to count the batch');
      const promtool = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
      expect(`${promtool.stdout}${promtool.stderr}`).toBe('');
      expect(promtool.status).toBe(0);
      const total = samples(text, 'skill_invocations_total');
      expect(total.reduce((sum, s) => sum + s.value, 0)).toBe(await countRows(store));
      return total;
    };
    const before = await check(server, true);
    expect(
      before.filter((s) => s.labels.skill_name === 'pytest-run').map((s) => [s.labels.workflow_phase, s.labels.completed, s.value]),
    ).toEqual(
      expect.arrayContaining([
        ['execution', 'true', 1],
        ['unknown', 'false', 1],
      ]),
    );
    // A restart: a new server over a new connection to the same database starts from the store's totals.
    const second = await reopen();
    const restarted = await serve(second, factory.name);
    try {
      // Started from the store's totals: right at the first scrape, no waiting.
      const after = await check(restarted, false);
      expect(after.sort((x, y) => JSON.stringify(x.labels).localeCompare(JSON.stringify(y.labels)))).toEqual(
        before.sort((x, y) => JSON.stringify(x.labels).localeCompare(JSON.stringify(y.labels))),
      );
    } finally {
      await restarted.close();
      await second.close();
    }
  });
});

describe('WebSocket and /metrics with tokens', () => {
  const factory = storeFactories[0]!;
  let store: Store;
  let server: SkillsServer;
  beforeAll(async () => {
    store = (await factory.create()).store;
    await recordInvocations(store, [invocation('t-1', Date.now())]);
    server = await serve(store, 'sqlite', { readTokens: READ, writeTokens: WRITE });
  });
  afterAll(async () => {
    await server.close();
    await store.close();
    await factory.cleanup();
  });

  it('refuses an upgrade without a token or with a wrong one (401 before the upgrade)', async () => {
    const { StatusRefused } = { StatusRefused: /upgrade refused: 401/ };
    await expect(WsClient.open(`${server.wsUrl}?token=wrong-token-000000000`)).rejects.toThrow(StatusRefused);
    await expect(WsClient.open(server.wsUrl, { headers: { authorization: 'Bearer wrong-token-000000000' } })).rejects.toThrow(
      StatusRefused,
    );
  });

  it('accepts a read or write token in the header or the query string', async () => {
    for (const client of [
      await WsClient.open(`${server.wsUrl}?token=${READ}`),
      await WsClient.open(server.wsUrl, { headers: { authorization: `Bearer ${WRITE}` } }),
    ]) {
      expect((await client.next('connected')).authenticated).toBe(true);
      client.close();
    }
  });

  it('closes a client that sends no token within its first message with 4001', async () => {
    const client = await WsClient.open(server.wsUrl);
    client.send({ token: 'not-the-token-000000' });
    expect((await client.closed).code).toBe(4001);
  });

  it('needs a read token for /metrics', async () => {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${READ}` } })).status).toBe(200);
  });
});
