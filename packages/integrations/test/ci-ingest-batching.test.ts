import type { RecordedEvent, Store } from '@skills/storage';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCiIngest, mapCiRun, type CiMapped } from '../src/index.js';
import { storeFactories } from './helpers.js';

const T = Date.UTC(2026, 11, 3, 7);
const run = (runId: number) =>
  mapCiRun({
    pipeline: 'api',
    run_id: runId,
    jobs: [{ name: 'pytest', stage: 'test', status: 'success', started_at: T, duration_seconds: 3 }],
  }) as CiMapped;

for (const factory of storeFactories) {
  describe(`createCiIngest batching (${factory.name})`, () => {
    let store: Store;
    let batches: RecordedEvent[];
    beforeEach(async () => {
      store = await factory.create();
      batches = [];
      store.onRecorded((event) => batches.push(event));
    });
    afterEach(() => store.close());
    afterAll(() => factory.cleanup());

    it('writes the deliveries that arrive in one turn of the event loop in one recording', async () => {
      const ci = createCiIngest(store);
      const reports = await Promise.all(
        [1, 2, 3, 4, 5].map((n) => ci.deliver({ source: 'ci', deliveryId: `d-${n}`, event: 'ci', mapped: run(n) })),
      );
      expect(reports.map((r) => [r.delivery, r.outcome, r.recorded])).toEqual([1, 2, 3, 4, 5].map((n) => [`d-${n}`, 'recorded', 1]));
      expect(batches.map((b) => b.inserted)).toEqual([5]);
    });

    it('writes a delivery alone when it is alone, and a replay in the same batch once', async () => {
      const ci = createCiIngest(store);
      expect(await ci.deliver({ source: 'ci', deliveryId: 'a', event: 'ci', mapped: run(1) })).toMatchObject({
        outcome: 'recorded',
        recorded: 1,
      });
      const [first, replay] = await Promise.all([
        ci.deliver({ source: 'ci', deliveryId: 'b', event: 'ci', mapped: run(2) }),
        ci.deliver({ source: 'ci', deliveryId: 'b', event: 'ci', mapped: run(2) }),
      ]);
      expect([first.outcome, first.recorded, replay.outcome, replay.recorded]).toEqual(['recorded', 1, 'duplicate', 0]);
      expect(batches.map((b) => b.inserted)).toEqual([1, 1]);
    });
  });
}
