import { request } from 'node:http';
import { recordInvocations } from '@skills/storage';
import { afterAll, describe, expect, it } from 'vitest';
import { CLOSE_CODES } from '../src/index.js';
import { refusedStatus, sleep, startHub, storeFactories, TestClient } from './helpers.js';

const TOKEN = 'read-token-0123456789';

describe.each(storeFactories)('realtime hub connections [$name]', (factory) => {
  afterAll(() => factory.cleanup());

  it('refuses a wrong token with 401 before the upgrade, in the header or the query string', async () => {
    const { store } = await factory.create();
    const running = await startHub({ store, tokens: [TOKEN, 'other-token'] });
    try {
      expect(await refusedStatus(running.url, { headers: { authorization: 'Bearer wrong' } })).toBe(401);
      expect(await refusedStatus(`${running.url}?token=wrong`)).toBe(401);
      expect(await refusedStatus(running.url, { headers: { authorization: 'Basic abc' } })).toBe(401);
      const byHeader = await TestClient.open(running.url, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(await byHeader.next('connected')).toMatchObject({ authenticated: true, data: { authenticated: true } });
      const byQuery = await TestClient.open(`${running.url}?token=other-token`);
      expect((await byQuery.next('connected')).authenticated).toBe(true);
      expect(running.hub.stats().rejectedUpgrades.unauthorized).toBe(3);
      byHeader.close();
      byQuery.close();
    } finally {
      await running.stop();
      await store.close();
    }
  });

  it('without a token at upgrade, takes {"token"} as the first message, and closes with 4001 on a bad one or none in time', async () => {
    const { store } = await factory.create();
    const running = await startHub({ store, tokens: [TOKEN], authTimeoutMs: 300 });
    try {
      const good = await TestClient.open(running.url);
      expect(running.hub.stats().authenticating).toBe(1);
      good.send({ token: TOKEN });
      expect((await good.next('connected')).authenticated).toBe(true);

      const bad = await TestClient.open(running.url);
      bad.send({ token: 'nope' });
      expect(await bad.closed).toEqual({ code: CLOSE_CODES.authenticationFailed, reason: 'Authentication failed' });

      const other = await TestClient.open(running.url);
      other.send({ type: 'ping' });
      expect((await other.closed).code).toBe(4001);

      const silent = await TestClient.open(running.url);
      const started = Date.now();
      expect((await silent.closed).code).toBe(4001);
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      // Nothing but the close reached the clients that never authenticated.
      expect([...bad.messages, ...other.messages, ...silent.messages]).toEqual([]);
      good.close();
    } finally {
      await running.stop();
      await store.close();
    }
  });

  it('refuses a browser origin not allowed with 403, other paths are left alone, and a full hub answers 503', async () => {
    const { store } = await factory.create();
    const running = await startHub({ store, allowedOrigins: ['https://dash.example'], maxClients: 1 });
    try {
      expect(await refusedStatus(running.url, { headers: { origin: 'https://evil.example' } })).toBe(403);
      const allowed = await TestClient.open(running.url, { headers: { origin: 'https://dash.example' } });
      await allowed.next('connected');
      expect(await refusedStatus(running.url)).toBe(503);
      // An upgrade on another path is not the hub's: the server's own handling (none here) applies.
      const status = await new Promise<number>((resolve) => {
        const req = request({ host: '127.0.0.1', port: running.port, path: '/elsewhere' }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.end();
      });
      expect(status).toBe(404);
      expect(running.hub.stats().rejectedUpgrades).toEqual({ unauthorized: 0, forbidden: 1, unavailable: 1 });
      allowed.close();
    } finally {
      await running.stop();
      await store.close();
    }
  });

  it('closes a client whose message is over maxPayloadBytes with 1009', async () => {
    const { store } = await factory.create();
    const running = await startHub({ store, maxPayloadBytes: 1024, tickMs: 10_000 });
    try {
      const client = await TestClient.open(running.url);
      await client.next('connected');
      client.send({ type: 'ping', padding: 'x'.repeat(2000) });
      expect((await client.closed).code).toBe(1009);
    } finally {
      await running.stop();
      await store.close();
    }
  });

  it('terminates a client that stops answering pings, keeping the others', async () => {
    const { store } = await factory.create();
    const running = await startHub({ store, heartbeatMs: 400, tickMs: 10_000 });
    try {
      const mute = await TestClient.open(running.url, { autoPong: false });
      const alive = await TestClient.open(running.url);
      await mute.next('connected');
      await alive.next('connected');
      const closed = await mute.closed;
      expect(closed.code).toBe(1006);
      for (let i = 0; i < 50 && running.hub.stats().clients > 1; i++) await sleep(10);
      expect(running.hub.stats()).toMatchObject({ clients: 1, terminatedNoPong: 1 });
      await sleep(400);
      alive.send({ type: 'ping' });
      await alive.next('pong');
      alive.close();
    } finally {
      await running.stop();
      await store.close();
    }
  });

  it('closes every client with 1001 on close(), leaving the http server serving', async () => {
    const { store } = await factory.create();
    const running = await startHub({ store, tickMs: 50 });
    try {
      const clients = await Promise.all([1, 2].map(() => TestClient.open(running.url)));
      for (const client of clients) await client.next('metrics_update');
      await running.hub.close();
      for (const client of clients) expect(await client.closed).toEqual({ code: CLOSE_CODES.goingAway, reason: 'server going away' });
      expect(running.hub.stats().clients).toBe(0);
      const status = await new Promise<number>((resolve) => {
        request({ host: '127.0.0.1', port: running.port, path: '/' }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        }).end();
      });
      expect(status).toBe(404);
    } finally {
      await running.stop();
      await store.close();
    }
  });

  it('bounds what it buffers for a client that stops reading, closes it with 4008, and keeps the others receiving every batch', async () => {
    const { store } = await factory.create();
    const maxBufferedBytes = 64 * 1024;
    const running = await startHub({ store, tickMs: 50, maxBufferedBytes, slowClientMs: 300, closeTimeoutMs: 20_000 });
    try {
      const slow = await TestClient.open(running.url);
      const fast = await TestClient.open(running.url);
      for (const client of [slow, fast]) {
        await client.next('connected');
        client.send({ type: 'subscribe', channel: 'invocations' });
        await client.next('subscription_confirmed');
      }
      (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
      // 10 batches of 100 invocations with 20,000-character queries: ~20 MB for each subscriber.
      const query = 'q'.repeat(20_000);
      let largestBuffered = 0;
      const sampler = setInterval(() => {
        largestBuffered = Math.max(largestBuffered, running.hub.stats().bufferedBytes);
      }, 5);
      fast.ws.on('message', () => {});
      for (let batch = 0; batch < 10; batch++) {
        const items = Array.from({ length: 100 }, (_, i) => ({
          id: `b${batch}-${i}`,
          skill_name: 'pytest-run',
          session_id: 's1',
          invoked_at: Date.now(),
          completed: true,
          user_query: query,
        }));
        await recordInvocations(store, items);
        await fast.next('invocations', 3000, (m) => m.data.invocations[0].id === `b${batch}-0`);
      }
      const closedAt = Date.now();
      while (running.hub.stats().closedTooSlow === 0 && Date.now() - closedAt < 3000) await sleep(20);
      clearInterval(sampler);
      expect(running.hub.stats().closedTooSlow).toBe(1);
      (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
      const slowClosed = await slow.closed;
      expect(slowClosed).toEqual({ code: CLOSE_CODES.tooSlow, reason: 'client too slow: messages were not read' });
      // What the server held for the slow client stayed near the bound (one message over at most),
      // not the ~20 MB it was sent.
      const oneMessage = 100 * 20_300;
      expect(largestBuffered).toBeLessThan(maxBufferedBytes + oneMessage + 64 * 1024);
      expect(running.hub.stats().droppedInvocations).toBeGreaterThan(0);
      // The fast client got every batch (each awaited above) while the slow one was behind.
      expect(fast.ws.readyState).toBe(fast.ws.OPEN);
      fast.close();
    } finally {
      await running.stop();
      await store.close();
    }
  });
});
