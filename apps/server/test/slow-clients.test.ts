import { openStore, type Store } from '@skills/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SkillsServer } from '../src/index.js';
import { postJson, serve, waitFor, WsClient } from './helpers.js';

const MAX_BUFFERED = 64 * 1024;

describe('WebSocket clients that fall behind, through the server', () => {
  let store: Store;
  let server: SkillsServer;
  beforeAll(async () => {
    store = await openStore(':memory:');
    server = await serve(
      store,
      'sqlite',
      { bodyLimitBytes: '4mb', tickMs: '50' },
      { realtime: { maxBufferedBytes: MAX_BUFFERED, slowClientMs: 300, closeTimeoutMs: 10_000 } },
    );
  });
  afterAll(async () => {
    await server.close();
    await store.close();
  });

  it('bounds what the server holds for a client that stops reading, closes it with 4008, and the others get every batch on time', async () => {
    const slow = await WsClient.open(server.wsUrl);
    const fast = await WsClient.open(server.wsUrl);
    for (const client of [slow, fast]) {
      await client.next('connected');
      client.send({ type: 'subscribe', channel: 'invocations' });
      await client.next('subscription_confirmed');
    }
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    let largestBuffered = 0;
    const sampler = setInterval(() => (largestBuffered = Math.max(largestBuffered, server.hub.stats().bufferedBytes)), 5);
    // 10 POSTs of 100 invocations with 20,000-character queries: ~20 MB for each subscriber.
    const query = 'q'.repeat(20_000);
    const delays: number[] = [];
    for (let batch = 0; batch < 10; batch++) {
      const items = Array.from({ length: 100 }, (_, i) => ({
        id: `b${batch}-${i}`,
        skill_name: 'pytest-run',
        session_id: 's1',
        invoked_at: Date.now(),
        completed: true,
        user_query: query,
      }));
      const response = await postJson(`${server.url}/v1/invocations`, items);
      expect(response.status).toBe(201);
      const posted = Date.now();
      await fast.next('invocations', (m) => m.data.invocations[0].id === `b${batch}-0`, 10_000);
      delays.push(Date.now() - posted);
    }
    await waitFor(() => server.hub.stats().closedTooSlow === 1, 5000, 'the slow client to be closed');
    clearInterval(sampler);
    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    expect(await slow.closed).toEqual({ code: 4008, reason: 'client too slow: messages were not read' });
    // Held for the slow client: near the bound (one message over at most), not the ~20 MB it was sent.
    expect(largestBuffered).toBeLessThan(MAX_BUFFERED + 100 * 20_300 + 64 * 1024);
    expect(server.hub.stats().droppedInvocations).toBeGreaterThan(0);
    expect(Math.max(...delays)).toBeLessThan(2000);
    expect(fast.ws.readyState).toBe(fast.ws.OPEN);
    fast.close();
  });
});

describe('WebSocket heartbeat, through the server', () => {
  let store: Store;
  let server: SkillsServer;
  beforeAll(async () => {
    store = await openStore(':memory:');
    server = await serve(store, 'sqlite', {}, { realtime: { heartbeatMs: 150 } });
  });
  afterAll(async () => {
    await server.close();
    await store.close();
  });

  it('terminates a client that stops answering pings, and keeps the others', async () => {
    const mute = await WsClient.open(server.wsUrl, { autoPong: false });
    const alive = await WsClient.open(server.wsUrl);
    await mute.next('connected');
    await alive.next('connected');
    expect((await mute.closed).code).toBe(1006);
    await waitFor(() => server.hub.stats().terminatedNoPong >= 1, 5000, 'the mute client to be terminated');
    alive.send({ type: 'ping' });
    await alive.next('pong');
    expect(alive.ws.readyState).toBe(alive.ws.OPEN);
    alive.close();
  });
});
