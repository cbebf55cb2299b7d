import { recordInvocations } from '@skills/storage';
import { afterAll, describe, expect, it } from 'vitest';
import { startHub, storeFactories, TestClient } from './helpers.js';

describe.each(storeFactories)('realtime hub, several stores on one database [$name]', (factory) => {
  afterAll(() => factory.cleanup());

  if (factory.name === 'sqlite') {
    it('hears only the batches of its own store on SQLite (events are in-process)', async () => {
      const { store: first, reopen } = await factory.create();
      const second = await reopen();
      const hub = await startHub({ store: second, tickMs: 10_000 });
      try {
        const client = await TestClient.open(hub.url);
        await client.next('connected');
        client.send({ type: 'subscribe', channels: ['invocations'] });
        await client.next('subscription_confirmed');
        await recordInvocations(first, [{ id: 'elsewhere', skill_name: 'deploy', session_id: 's9', invoked_at: Date.now() }]);
        await recordInvocations(second, [{ id: 'here', skill_name: 'deploy', session_id: 's9', invoked_at: Date.now() }]);
        const message = await client.next('invocations');
        expect(message.data.invocations.map((row: { id: string }) => row.id)).toEqual(['here']);
        client.send({ type: 'ping' });
        await client.next('pong');
        expect(client.messages.filter((m) => m.type === 'invocations')).toEqual([]);
        client.close();
      } finally {
        await hub.stop();
        await second.close();
        await first.close();
      }
    });
    return;
  }

  it('delivers a batch recorded through one instance to the subscribers of another within a second', async () => {
    const { store: first, reopen } = await factory.create();
    const second = await reopen();
    const hubOfFirst = await startHub({ store: first, tickMs: 100 });
    const hubOfSecond = await startHub({ store: second, tickMs: 100 });
    try {
      const client = await TestClient.open(hubOfSecond.url);
      await client.next('connected');
      client.send({ type: 'subscribe', channels: ['invocations'] });
      await client.next('subscription_confirmed');
      const now = Date.now();
      await recordInvocations(first, [
        { id: 'i1', skill_name: 'deploy', session_id: 's9', invoked_at: now, completed: true, duration_seconds: 2 },
        { id: 'i2', skill_name: 'deploy', session_id: 's9', invoked_at: now, completed: false },
      ]);
      const message = await client.next('invocations', 1000);
      expect(message.data.source).toBe('remote');
      expect(message.data.invocations.map((row: { id: string; completed: boolean }) => [row.id, row.completed])).toEqual([
        ['i1', true],
        ['i2', false],
      ]);
      const update = await client.next('metrics_update', 2000, (m) => m.data.top_skills.length > 0);
      expect(update.data.top_skills).toEqual([
        {
          skill_name: 'deploy',
          total_invocations: 2,
          completion_rate: 50,
          avg_duration_seconds: 2,
          p95_duration_seconds: expect.any(Number),
        },
      ]);
      client.close();
    } finally {
      await hubOfSecond.stop();
      await hubOfFirst.stop();
      await second.close();
      await first.close();
    }
  });
});
