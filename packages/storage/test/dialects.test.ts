import { sql, type Kysely } from 'kysely';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { InsertIgnoreStatement, KeysLookup, RowsStatement, StoreDriver } from '../src/dialect/store-driver.js';
import { StoreReadOnlyError } from '../src/errors.js';
import type { SkillsDatabase } from '../src/schema.js';
import { internals } from '../src/store.js';
import { storeFactories } from './helpers.js';

/**
 * The same cases for every dialect's driver (unstorage's testDriver() pattern): a new dialect in
 * src/dialect/dialects.ts with a test factory runs through all of them.
 */
type Setting = { key: string; value: string; updated_at: number };

const insertSettings: InsertIgnoreStatement<Setting> = (db, rows) =>
  db
    .insertInto('store_settings')
    .values(rows)
    .onConflict((oc) => oc.column('key').doNothing());
const upsertSettings: RowsStatement<Setting> = (db, rows) =>
  db
    .insertInto('store_settings')
    .values(rows)
    .onConflict((oc) =>
      oc.column('key').doUpdateSet((eb) => ({ value: eb.ref('excluded.value'), updated_at: eb.ref('excluded.updated_at') })),
    );
const settingsByKey: KeysLookup<{ key: string }> = (db, keys) =>
  db
    .selectFrom('store_settings')
    .select(['key', 'value'])
    .where(
      'key',
      'in',
      keys.map((k) => k.key),
    );
const settings = (db: Kysely<SkillsDatabase>, prefix: string) =>
  db.selectFrom('store_settings').select(['key', 'value']).where('key', 'like', `${prefix}%`).orderBy('key');

describe.each(storeFactories)('dialect driver [$name]', (factory) => {
  afterAll(() => factory.cleanup());

  const open = async () => {
    const created = await factory.create();
    return { ...created, driver: internals(created.store).driver as StoreDriver };
  };

  it('opens as its SQL family, writable, with a search index', async () => {
    const { store, driver } = await open();
    try {
      expect(driver.kind).toBe(factory.name);
      expect(driver.readonly).toBe(false);
      expect(await driver.search.refresh()).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('insertIgnore says per row whether it was inserted; write upserts; lookup and select read back', async () => {
    const { store, driver } = await open();
    try {
      await store.db.insertInto('store_settings').values({ key: 'd.a', value: 'old', updated_at: 0 }).execute();
      const flags = await driver.writeTransaction(async (tx) => {
        const inserted = await tx.insertIgnore(
          insertSettings,
          [
            { key: 'd.a', value: 'x', updated_at: 1 },
            { key: 'd.b', value: 'y', updated_at: 1 },
          ],
          ['key'],
        );
        await tx.write(upsertSettings, [
          { key: 'd.b', value: 'z', updated_at: 2 },
          { key: 'd.c', value: 'w', updated_at: 2 },
        ]);
        const found = await tx.lookup<{ key: string }, { key: string; value: string }>(settingsByKey, [
          { key: 'd.c' },
          { key: 'd.missing' },
          { key: 'd.a' },
        ]);
        const all = await tx.select(settings(tx.db, 'd.'));
        return { inserted, found: found.map((row) => `${row.key}=${row.value}`).sort(), all };
      });
      expect(flags.inserted).toEqual([false, true]);
      expect(flags.found).toEqual(['d.a=old', 'd.c=w']);
      expect(flags.all).toEqual([
        { key: 'd.a', value: 'old' },
        { key: 'd.b', value: 'z' },
        { key: 'd.c', value: 'w' },
      ]);
      // Empty lists are no round trip at all.
      expect(await driver.writeTransaction((tx) => tx.insertIgnore(insertSettings, [], ['key']))).toEqual([]);
      expect(await driver.writeTransaction((tx) => tx.lookup(settingsByKey, []))).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('writeTransaction and maintenanceTransaction commit together or roll back', async () => {
    const { store, driver } = await open();
    try {
      await expect(
        driver.writeTransaction(async (tx) => {
          await tx.write(upsertSettings, [{ key: 'r.lost', value: '1', updated_at: 0 }]);
          throw new Error('undo');
        }),
      ).rejects.toThrow('undo');
      await expect(
        driver.maintenanceTransaction(async (trx) => {
          await trx.insertInto('store_settings').values({ key: 'r.lost2', value: '1', updated_at: 0 }).execute();
          throw new Error('undo too');
        }),
      ).rejects.toThrow('undo too');
      await driver.maintenanceTransaction((trx) =>
        trx.insertInto('store_settings').values({ key: 'r.kept', value: '2', updated_at: 0 }).execute(),
      );
      expect(await settings(store.db, 'r.').execute()).toEqual([{ key: 'r.kept', value: '2' }]);
    } finally {
      await store.close();
    }
  });

  it('finds stored invocations by their words through its search index', async () => {
    const { store, driver } = await open();
    try {
      const row = (id: string, query: string, at: number) => ({
        id,
        skill_name: 'pytest-run',
        invoked_at: at,
        session_id: 's',
        user_id: 'u',
        workflow_path: null,
        workflow_phase: null,
        workflow_step_id: null,
        completed: 1,
        duration_seconds: null,
        user_query: query,
        alternatives_considered: null,
        selection_rank: null,
        follow_up_actions: null,
        error_type: null,
        created_at: at,
        embedding: null,
      });
      await store.db
        .insertInto('skill_invocation')
        .values([row('a', 'failing tests in auth', 1), row('b', 'format the code', 2), row('c', 'flaky tests', 3)])
        .execute();
      const columns = sql.join(['id'].map((column) => sql.ref(`i.${column}`)));
      const found = await driver.search.find({ words: ['test'], limit: 10, skill: undefined, columns });
      expect(found.map((r) => r.id)).toEqual(['c', 'a']);
      expect(await driver.search.refresh()).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('closes: queries after close fail', async () => {
    const { store, driver } = await open();
    await store.close();
    await expect(sql`select 1`.execute(driver.db)).rejects.toThrow();
  });

  if (factory.name === 'sqlite') {
    it('prepares a repeated read once, and the cached statement follows a schema change', async () => {
      const { store, driver } = await open();
      const prepare = vi.spyOn(Database.prototype, 'prepare');
      try {
        const read = () => settings(driver.db, 'cache.').execute();
        await driver.db.insertInto('store_settings').values({ key: 'cache.a', value: '1', updated_at: 0 }).execute();
        prepare.mockClear();
        for (let i = 0; i < 20; i++) expect(await read()).toEqual([{ key: 'cache.a', value: '1' }]);
        expect(prepare).toHaveBeenCalledTimes(1);

        // A table changed after its statement was cached: SQLite re-prepares it, the new column is read.
        await sql`create table cache_probe (a integer)`.execute(driver.db);
        await sql`insert into cache_probe (a) values (1)`.execute(driver.db);
        const probe = () => sql<Record<string, number>>`select * from cache_probe`.execute(driver.db);
        expect((await probe()).rows).toEqual([{ a: 1 }]);
        await sql`alter table cache_probe add column b integer not null default 7`.execute(driver.db);
        expect((await probe()).rows).toEqual([{ a: 1, b: 7 }]);
      } finally {
        prepare.mockRestore();
        await store.close();
      }
    });

    it('a read-only driver reads and refuses every write before it starts', async () => {
      const { store, reopen } = await open();
      await store.db.insertInto('store_settings').values({ key: 'ro.a', value: '1', updated_at: 0 }).execute();
      await store.close();
      const readonly = await reopen({ readonly: true });
      const driver = internals(readonly).driver;
      try {
        expect(driver.readonly).toBe(true);
        expect(await settings(readonly.db, 'ro.').execute()).toEqual([{ key: 'ro.a', value: '1' }]);
        await expect(driver.writeTransaction(async () => 1)).rejects.toBeInstanceOf(StoreReadOnlyError);
        await expect(driver.maintenanceTransaction(async () => 1)).rejects.toBeInstanceOf(StoreReadOnlyError);
        expect(await driver.search.refresh()).toBe(0);
      } finally {
        await readonly.close();
      }
    });
  }
});
