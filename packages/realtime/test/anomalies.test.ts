import { recordInvocations, type InvocationInput } from '@skills/storage';
import { detectAndRecordAnomalies } from '@skills/timeseries';
import { afterAll, describe, expect, it } from 'vitest';
import { createMetricsExporter } from '../src/index.js';
import { HOUR, startHub, storeFactories, TestClient } from './helpers.js';

const DAY = 24 * HOUR;
const MONDAY = Date.UTC(2026, 0, 5);
/** pytest-run fails 13 of 20 calls in the hour from 14:00 on the 10th day (a Wednesday). */
const INCIDENT = MONDAY + 9 * DAY + 14 * HOUR;

/** Nine days and a half of pytest-run, 20 calls an hour, completing 19 of 20 (7 of 20 in the incident). */
function invocations(): InvocationInput[] {
  const items: InvocationInput[] = [];
  for (let hour = MONDAY; hour <= INCIDENT; hour += HOUR) {
    for (let i = 0; i < 20; i++) {
      items.push({
        id: `p-${hour}-${i}`,
        skill_name: 'pytest-run',
        session_id: `s-${hour}`,
        invoked_at: hour + i * 60_000,
        completed: hour === INCIDENT ? i < 7 : i < 19,
        duration_seconds: 2,
      });
    }
  }
  return items;
}

describe.each(storeFactories)('anomalies in the hub and the exporter [$name]', (factory) => {
  afterAll(() => factory.cleanup());

  it('pushes a detected anomaly to anomalies subscribers and into metrics_update, and counts it in anomalies_detected_total', async () => {
    const { store } = await factory.create();
    const items = invocations();
    for (let i = 0; i < items.length; i += 5000) await recordInvocations(store, items.slice(i, i + 5000));
    const exporter = createMetricsExporter({ store, defaultMetrics: false });
    const running = await startHub({ store, tickMs: 100 });
    try {
      expect(await exporter.metrics()).not.toContain('anomalies_detected_total{');
      const client = await TestClient.open(running.url);
      await client.next('connected');
      client.send({ type: 'subscribe', channel: 'anomalies' });
      await client.next('subscription_confirmed');

      await detectAndRecordAnomalies(store, { now: INCIDENT + HOUR + 5 * 60_000 });
      const pushed = await client.next('anomalies');
      expect(pushed.data.resolved).toEqual([]);
      expect(
        pushed.data.detected.map((a: { skill: string; type: string; metric: string; bucket: number; detectedAt: number }) => [
          a.skill,
          a.type,
          a.metric,
          a.bucket,
          a.detectedAt,
        ]),
      ).toEqual([['pytest-run', 'drop', 'completion_rate', INCIDENT, INCIDENT + HOUR]]);
      const update = await client.next('metrics_update', 3000, (m) => m.data.anomalies.length > 0);
      expect(update.data.anomalies).toEqual([
        {
          skill_name: 'pytest-run',
          detected_at: new Date(INCIDENT + HOUR).toISOString(),
          anomaly_type: 'drop',
          deviation_score: pushed.data.detected[0].score,
          metric: 'completion_rate',
          resolved_at: null,
        },
      ]);
      // Counted from the event (the table itself is re-read at most every 10 s).
      expect((await exporter.metrics()).split('\n').filter((line) => line.startsWith('anomalies_detected_total{'))).toEqual([
        'anomalies_detected_total{anomaly_type="drop",skill_name="pytest-run"} 1',
      ]);
      client.close();
    } finally {
      await running.stop();
      await exporter.close();
      await store.close();
    }
  });

  if (factory.name === 'postgres') {
    it('pushes an anomaly recorded by another instance to anomalies subscribers, once', async () => {
      const { store: first, reopen } = await factory.create();
      const second = await reopen();
      const items = invocations();
      for (let i = 0; i < items.length; i += 5000) await recordInvocations(first, items.slice(i, i + 5000));
      const running = await startHub({ store: second, tickMs: 10_000, anomalyPollMs: 100 });
      try {
        const client = await TestClient.open(running.url);
        await client.next('connected');
        client.send({ type: 'subscribe', channel: 'anomalies' });
        await client.next('subscription_confirmed');
        await new Promise((resolve) => setTimeout(resolve, 300));
        await detectAndRecordAnomalies(first, { now: INCIDENT + HOUR + 5 * 60_000 });
        const pushed = await client.next('anomalies', 3000);
        expect(pushed.data.detected.map((a: { skill: string; type: string; bucket: number }) => [a.skill, a.type, a.bucket])).toEqual([
          ['pytest-run', 'drop', INCIDENT],
        ]);
        expect(pushed.data.resolved).toEqual([]);
        await new Promise((resolve) => setTimeout(resolve, 400));
        expect(client.messages.filter((m) => m.type === 'anomalies')).toEqual([]);
        client.close();
      } finally {
        await running.stop();
        await second.close();
        await first.close();
      }
    });
  }
});
