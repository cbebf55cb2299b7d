import { afterAll, describe, expect, it } from 'vitest';
import { StoreReadOnlyError } from '../src/errors.js';
import { writeTransaction } from '../src/write-transaction.js';
import { storeFactories } from './helpers.js';

const pause = () => new Promise((resolve) => setTimeout(resolve, 20));

describe.each(storeFactories)('writeTransaction [$name]', (factory) => {
  afterAll(() => factory.cleanup());

  it('serialises two stores of one process on the same database: no SQLITE_BUSY, no lost update', async () => {
    // A short busy timeout: without the in-process lock the second BEGIN IMMEDIATE would fail fast.
    const { store, reopen } = await factory.create({ busyTimeoutMs: 50 });
    const other = await reopen({ busyTimeoutMs: 50 });
    try {
      await store.db.insertInto('store_settings').values({ key: 'counter', value: '0', updated_at: 0 }).execute();
      // Read, wait, write: two transactions interleaved would both read 0 and leave 1.
      const increment = (on: typeof store) =>
        writeTransaction(on, async (trx) => {
          const row = await trx.selectFrom('store_settings').select('value').where('key', '=', 'counter').executeTakeFirstOrThrow();
          await pause();
          await trx
            .updateTable('store_settings')
            .set({ value: String(Number(row.value) + 1) })
            .where('key', '=', 'counter')
            .execute();
          return Number(row.value) + 1;
        });
      const results = await Promise.all([increment(store), increment(other), increment(store)]);
      expect([...results].sort()).toEqual([1, 2, 3]);
      const final = await store.db.selectFrom('store_settings').select('value').where('key', '=', 'counter').executeTakeFirstOrThrow();
      expect(final.value).toBe('3');
    } finally {
      await other.close();
      await store.close();
    }
  });

  it('rolls back when the work throws, and returns what the work returns', async () => {
    const { store } = await factory.create();
    try {
      await expect(
        writeTransaction(store, async (trx) => {
          await trx.insertInto('store_settings').values({ key: 'gone', value: 'x', updated_at: 0 }).execute();
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      const gone = await store.db.selectFrom('store_settings').select('key').where('key', '=', 'gone').execute();
      expect(gone).toEqual([]);
      const value = await writeTransaction(store, async (trx) => {
        await trx.insertInto('store_settings').values({ key: 'kept', value: 'y', updated_at: 0 }).execute();
        return 'done';
      });
      expect(value).toBe('done');
      const kept = await store.db.selectFrom('store_settings').select('value').where('key', '=', 'kept').execute();
      expect(kept).toEqual([{ value: 'y' }]);
    } finally {
      await store.close();
    }
  });

  if (factory.name === 'sqlite') {
    it('refuses a read-only store before the work runs', async () => {
      const { store, reopen } = await factory.create();
      await store.close();
      const readonly = await reopen({ readonly: true });
      try {
        let ran = false;
        await expect(
          writeTransaction(readonly, async () => {
            ran = true;
          }),
        ).rejects.toBeInstanceOf(StoreReadOnlyError);
        expect(ran).toBe(false);
      } finally {
        await readonly.close();
      }
    });
  }
});
