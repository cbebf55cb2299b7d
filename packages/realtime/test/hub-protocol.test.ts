import { recordInvocations, topSkills } from '@skills/storage';
import { afterAll, describe, expect, it } from 'vitest';
import { HOUR, startHub, storeFactories, TestClient } from './helpers.js';

/** Rows in the current hour: pytest-run busiest (3, 2 completed), ruff-check (2), rare-skill (1). */
function rows(now: number) {
  const at = now - (now % HOUR) + 1;
  const row = (id: string, skill_name: string, completed: boolean, duration_seconds: number | null) => ({
    id,
    skill_name,
    session_id: 's1',
    invoked_at: at,
    completed,
    duration_seconds,
    workflow_phase: 'testing',
  });
  return [
    row('p1', 'pytest-run', true, 1),
    row('p2', 'pytest-run', true, 3),
    row('p3', 'pytest-run', false, null),
    row('r1', 'ruff-check', true, 0.5),
    row('r2', 'ruff-check', false, null),
    row('x1', 'rare-skill', true, 10),
  ];
}

describe.each(storeFactories)('realtime hub protocol [$name]', (factory) => {
  afterAll(() => factory.cleanup());

  it('greets, then sends each tick a metrics_update of the top skills over the window, as the original', async () => {
    const { store } = await factory.create();
    await recordInvocations(store, rows(Date.now()));
    const running = await startHub({ store, tickMs: 100, topSkills: 2 });
    try {
      const client = await TestClient.open(running.url);
      const connected = await client.next('connected');
      expect(connected).toMatchObject({
        type: 'connected',
        message: 'Connected to Skills Analytics real-time metrics',
        authenticated: false,
        data: { authenticated: false, channels: ['metrics'] },
      });
      expect(Date.parse(connected.timestamp)).toBe(connected.ts);
      const update = await client.next('metrics_update');
      expect(Date.parse(update.timestamp)).toBe(update.ts);
      const p95 = (await topSkills(store, { since: Date.now() - HOUR })).map((skill) => skill.p95_duration_seconds);
      expect(update.data).toEqual({
        top_skills: [
          { skill_name: 'pytest-run', total_invocations: 3, completion_rate: 66.67, avg_duration_seconds: 2, p95_duration_seconds: p95[0] },
          { skill_name: 'ruff-check', total_invocations: 2, completion_rate: 50, avg_duration_seconds: 0.5, p95_duration_seconds: p95[1] },
        ],
        anomalies: [],
        window_hours: 24,
      });
      client.close();
    } finally {
      await running.stop();
      await store.close();
    }
  });

  it('narrows metrics_update to a subscribed skill even outside the top, and back to all on unsubscribe', async () => {
    const { store } = await factory.create();
    await recordInvocations(store, rows(Date.now()));
    const running = await startHub({ store, tickMs: 100, topSkills: 2 });
    try {
      const client = await TestClient.open(running.url);
      await client.next('connected');
      client.send({ type: 'subscribe', skill: 'rare-skill' });
      const confirmed = await client.next('subscription_confirmed');
      expect(confirmed).toMatchObject({ skill: 'rare-skill', data: { skill: 'rare-skill', channels: ['metrics'] } });
      client.messages.length = 0;
      const narrowed = await client.next('metrics_update');
      expect(narrowed.data.top_skills).toEqual([
        {
          skill_name: 'rare-skill',
          total_invocations: 1,
          completion_rate: 100,
          avg_duration_seconds: 10,
          p95_duration_seconds: expect.any(Number),
        },
      ]);
      client.send({ type: 'unsubscribe' });
      // No reply to a bare unsubscribe (as the original); the next updates cover every skill again.
      const all = await client.next('metrics_update', 3000, (message) => message.data.top_skills.length === 2);
      expect(all.data.top_skills.map((skill: { skill_name: string }) => skill.skill_name)).toEqual(['pytest-run', 'ruff-check']);
      expect(client.messages.filter((message) => message.type === 'unsubscribed' || message.type === 'error')).toEqual([]);
      client.close();
    } finally {
      await running.stop();
      await store.close();
    }
  });

  it('answers ping with pong, and a malformed or unknown message with an error naming it, keeping the connection', async () => {
    const { store } = await factory.create();
    const running = await startHub({ store, tickMs: 10_000 });
    try {
      const client = await TestClient.open(running.url);
      await client.next('connected');
      client.send({ type: 'ping' });
      expect((await client.next('pong')).data).toEqual({});
      client.send('{not json');
      expect((await client.next('error')).data).toEqual({ message: 'invalid JSON: expected one JSON object per message' });
      client.send({ type: 'dance' });
      expect((await client.next('error')).data).toEqual({
        message: 'unknown message type "dance": expected subscribe, unsubscribe or ping',
        field: 'type',
      });
      client.send({ type: 'subscribe', channels: ['metrics', 'weather'] });
      expect((await client.next('error')).data).toEqual({
        message: 'unknown channel "weather": expected metrics, invocations, anomalies or skill:<name>',
        field: 'channels.1',
      });
      client.send({ type: 'subscribe', skill: 42 });
      expect((await client.next('error')).data.field).toBe('skill');
      client.send([1, 2]);
      expect((await client.next('error')).data).toEqual({ message: 'expected a JSON object with a "type"' });
      client.send({ type: 'ping' });
      await client.next('pong');
      expect(client.ws.readyState).toBe(client.ws.OPEN);
      client.close();
    } finally {
      await running.stop();
      await store.close();
    }
  });

  it('pushes each recorded batch to invocations subscribers as it commits, and nothing to others', async () => {
    const { store } = await factory.create();
    const running = await startHub({ store, tickMs: 10_000 });
    try {
      const tail = await TestClient.open(running.url);
      const other = await TestClient.open(running.url);
      await tail.next('connected');
      await other.next('connected');
      tail.send({ type: 'subscribe', channel: 'invocations' });
      expect((await tail.next('subscription_confirmed')).data).toEqual({ channels: ['metrics', 'invocations'] });
      const now = Date.now();
      await recordInvocations(store, rows(now).slice(0, 2));
      const message = await tail.next('invocations');
      expect(message.data.source).toBe('local');
      expect(message.data.invocations).toEqual([
        expect.objectContaining({
          id: 'p1',
          skill_name: 'pytest-run',
          completed: true,
          duration_seconds: 1,
          workflow_phase: 'testing',
          session_id: 's1',
        }),
        expect.objectContaining({ id: 'p2', skill_name: 'pytest-run', completed: true, duration_seconds: 3 }),
      ]);
      tail.send({ type: 'unsubscribe', channel: 'invocations' });
      expect((await tail.next('unsubscribed')).data).toEqual({ channels: ['metrics'] });
      await recordInvocations(store, rows(now).slice(2, 3));
      other.send({ type: 'ping' });
      tail.send({ type: 'ping' });
      await other.next('pong');
      await tail.next('pong');
      expect([...tail.messages, ...other.messages].filter((m) => m.type === 'invocations')).toEqual([]);
      tail.close();
      other.close();
    } finally {
      await running.stop();
      await store.close();
    }
  });

  it('sends a skill:<name> subscriber its numbers and 24 hourly points, again only when they change', async () => {
    const { store } = await factory.create();
    const now = Date.now();
    await recordInvocations(store, rows(now));
    const running = await startHub({ store, tickMs: 100 });
    try {
      const client = await TestClient.open(running.url);
      await client.next('connected');
      client.send({ type: 'unsubscribe', channel: 'metrics' });
      await client.next('unsubscribed');
      client.send({ type: 'subscribe', channel: 'skill:ruff-check' });
      await client.next('subscription_confirmed');
      const update = await client.next('skill_update');
      const hour = now - (now % HOUR);
      expect(update.data).toMatchObject({
        skill_name: 'ruff-check',
        window_hours: 24,
        invocations: 2,
        completed: 1,
        completion_rate: 0.5,
        avg_duration_seconds: 0.5,
      });
      expect(update.data.hourly).toHaveLength(24);
      expect(update.data.hourly[23]).toEqual({ hour_start: hour, invocations: 2, completed: 1, avg_duration_seconds: 0.5 });
      expect(update.data.hourly[0]).toEqual({ hour_start: hour - 23 * HOUR, invocations: 0, completed: 0, avg_duration_seconds: null });
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(client.messages.filter((m) => m.type === 'skill_update')).toEqual([]);
      await recordInvocations(store, [{ ...rows(now)[3]!, id: 'r3', completed: true, duration_seconds: 1.5 }]);
      const changed = await client.next('skill_update', 3000, (m) => m.data.invocations === 3);
      expect(changed.data).toMatchObject({ invocations: 3, completed: 2, avg_duration_seconds: 1 });
      expect(client.messages.filter((m) => m.type === 'metrics_update')).toEqual([]);
      client.close();
    } finally {
      await running.stop();
      await store.close();
    }
  });

  it('computes one snapshot per tick for several clients, all receiving the same message', async () => {
    const { store } = await factory.create();
    await recordInvocations(store, rows(Date.now()));
    const running = await startHub({ store, tickMs: 150 });
    try {
      const clients = await Promise.all([1, 2, 3].map(() => TestClient.open(running.url)));
      for (const client of clients) await client.next('connected');
      const updates = await Promise.all(clients.map((client) => client.next('metrics_update')));
      const ts = updates[0]!.ts;
      const same = await Promise.all(clients.map((client) => client.next('metrics_update', 3000, (m) => m.ts >= ts)));
      expect(new Set(same.map((m) => JSON.stringify(m))).size).toBe(1);
      const stats = running.hub.stats();
      expect(stats.clients).toBe(3);
      expect(stats.subscribers.metrics).toBe(3);
      // Each tick serves all three clients with one snapshot.
      expect(stats.snapshots).toBe(stats.ticks);
      for (const client of clients) client.close();
    } finally {
      await running.stop();
      await store.close();
    }
  });

  it('does no snapshot work while nobody is connected', async () => {
    const { store } = await factory.create();
    const running = await startHub({ store, tickMs: 50 });
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(running.hub.stats()).toMatchObject({ clients: 0, ticks: 0, snapshots: 0, messagesSent: 0 });
    } finally {
      await running.stop();
      await store.close();
    }
  });
});
