import { afterAll, describe, expect, it } from 'vitest';
import { batchPayloads } from '../src/recorded-events.js';
import { recordInvocations, snapshotThenWatch, watchRecorded, type RecordedEvent, type Store } from '../src/index.js';
import { storeFactories, T0 } from './helpers.js';

const item = (id: string, skill = 'pytest-run', completed = true) => ({
  id,
  skill_name: skill,
  session_id: 's1',
  user_id: 'ann',
  invoked_at: T0 + Number(id.replace(/\D/g, '') || 0),
  completed,
  duration_seconds: 1.5,
  workflow_phase: 'testing',
  embedding: [0.5, 0.25],
});

/** Resolves with the first `count` events heard, or rejects after `ms`. */
function collect(
  count: number,
  ms = 3000,
): { events: RecordedEvent[]; listener: (event: RecordedEvent) => void; done: Promise<RecordedEvent[]> } {
  const events: RecordedEvent[] = [];
  let resolve!: (value: RecordedEvent[]) => void;
  let reject!: (error: Error) => void;
  const done = new Promise<RecordedEvent[]>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  const timer = setTimeout(() => reject(new Error(`heard ${events.length} of ${count} events`)), ms);
  return {
    events,
    done,
    listener(event) {
      events.push(event);
      if (events.length === count) {
        clearTimeout(timer);
        resolve(events);
      }
    },
  };
}

describe('batchPayloads', () => {
  it('splits a batch of long ids into payloads under 8,000 bytes that keep every id once, in order', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `${'x'.repeat(120)}-${i}`);
    const payloads = batchPayloads('origin', ids, 3);
    expect(payloads.length).toBe(17);
    for (const payload of payloads) expect(Buffer.byteLength(payload)).toBeLessThan(8000);
    const parsed = payloads.map((payload) => JSON.parse(payload) as { p: number; n: number; d: number; ids: string[] });
    expect(parsed.map((part) => part.p)).toEqual([...Array(17).keys()]);
    expect(new Set(parsed.map((part) => part.n))).toEqual(new Set([17]));
    expect(parsed.flatMap((part) => part.ids)).toEqual(ids);
  });

  it('sends nothing for an empty batch', () => {
    expect(batchPayloads('origin', [], 0)).toEqual([]);
  });
});

describe.each(storeFactories)('watchRecorded [$name]', (factory) => {
  afterAll(() => factory.cleanup());

  it("hears this store's batches with their invocations, and a throwing listener does not fail the write", async () => {
    const { store } = await factory.create();
    try {
      const heard = collect(1);
      const stop = await watchRecorded(store, heard.listener);
      store.onRecorded(() => {
        throw new Error('listener failure');
      });
      const result = await recordInvocations(store, [item('a1'), item('a2', 'ruff-check', false)]);
      expect(result.inserted).toBe(2);
      const [event] = await heard.done;
      expect(event!.source).toBe('local');
      expect(event!.invocations.map((row) => [row.id, row.skill_name, row.completed, row.workflow_phase, row.user_id])).toEqual([
        ['a1', 'pytest-run', true, 'testing', 'ann'],
        ['a2', 'ruff-check', false, 'testing', 'ann'],
      ]);
      await stop();
    } finally {
      await store.close();
    }
  });

  if (factory.name === 'postgres') {
    it('hears a batch committed by another store on the same schema, read back in full, split payloads reassembled', async () => {
      const { store: writer, reopen } = await factory.create();
      const reader = await reopen();
      try {
        const heard = collect(2);
        const stop = await watchRecorded(reader, heard.listener);
        const ids = Array.from({ length: 600 }, (_, i) => `${'long-id-'.repeat(12)}${i}`);
        await recordInvocations(
          writer,
          ids.map((id, i) => ({ ...item(id), invoked_at: T0 + i })),
        );
        await recordInvocations(writer, [item('b1'), item('b1'), item('b2', 'ruff-check', false)]);
        const [big, small] = await heard.done;
        expect(big!.source).toBe('remote');
        expect(big!.inserted).toBe(600);
        expect(big!.invocations.map((row) => row.id)).toEqual(ids);
        expect(small).toEqual({
          inserted: 2,
          duplicates: 0,
          firstInvokedAt: T0 + 1,
          lastInvokedAt: T0 + 2,
          skills: [
            { skill_name: 'pytest-run', count: 1, completed: 1 },
            { skill_name: 'ruff-check', count: 1, completed: 0 },
          ],
          users: [],
          invocations: [
            expect.objectContaining({ id: 'b1', duration_seconds: 1.5 }),
            expect.objectContaining({ id: 'b2', completed: false }),
          ],
          source: 'remote',
        });
        // The reader does not hear its own batches twice.
        const own = collect(1);
        const stopOwn = await watchRecorded(reader, own.listener);
        await recordInvocations(reader, [item('c1')]);
        await own.done;
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(own.events.map((event) => event.source)).toEqual(['local']);
        await stopOwn();
        await stop();
      } finally {
        await reader.close();
        await writer.close();
      }
    });
  }
});

describe.each(storeFactories)('snapshotThenWatch [$name]', (factory) => {
  afterAll(() => factory.cleanup());

  const total = async (store: Store) =>
    Number(
      (
        await store.db
          .selectFrom('skill_invocation')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('counts every batch once: those before the read in the snapshot, those after as events', async () => {
    const { store: writer, reopen } = await factory.create();
    const reader = factory.name === 'postgres' ? await reopen() : writer;
    try {
      await recordInvocations(writer, [item('s1'), item('s2')]);
      let counted = 0;
      // Batches keep arriving while the snapshot is taken.
      const writes = (async () => {
        for (let i = 0; i < 20; i++) await recordInvocations(writer, [item(`w${i}a`), item(`w${i}b`)]);
      })();
      const { snapshot, stop } = await snapshotThenWatch(
        reader,
        (db) =>
          db
            .selectFrom('skill_invocation')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow(),
        (event) => {
          counted += event.inserted;
        },
      );
      await writes;
      const expected = await total(writer);
      expect(expected).toBe(42);
      const deadline = Date.now() + 3000;
      while (Number(snapshot.n) + counted < expected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(Number(snapshot.n) + counted).toBe(42);
      await stop();
    } finally {
      if (reader !== writer) await reader.close();
      await writer.close();
    }
  });
});
