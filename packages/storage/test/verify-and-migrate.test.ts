import { afterAll, describe, expect, it } from 'vitest';
import {
  DataLossError,
  migrateStore,
  recordInvocations,
  rollbackStore,
  storeMigrationStatus,
  storeRollbackLosses,
  topSkills,
  verifyRollups,
} from '../src/index.js';
import { HOUR, T0, storeFactories } from './helpers.js';

describe.each(storeFactories)('verifyRollups [$name]', (factory) => {
  afterAll(() => factory.cleanup());

  it('finds nothing wrong in a store written by recordInvocations', async () => {
    const { store } = await factory.create();
    try {
      await recordInvocations(store, [
        { skill_name: 'a', session_id: 's1', invoked_at: T0, completed: true, duration_seconds: 2 },
        { skill_name: 'a', session_id: 's2', invoked_at: T0 + HOUR, completed: false },
        { skill_name: 'b', session_id: 's1', invoked_at: T0 + 5, completed: true, duration_seconds: null },
      ]);
      expect(await verifyRollups(store)).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('reads one snapshot: batches recorded by another connection meanwhile never show as mismatches', async () => {
    const { store, reopen } = await factory.create();
    const writer = await reopen();
    try {
      const batch = (b: number) =>
        Array.from({ length: 200 }, (_, i) => ({
          id: `b${b}-${i}`, skill_name: `skill-${i % 7}`, session_id: `s${(b * 7 + i) % 23}`, invoked_at: T0 + (b * 200 + i) * 30_000, completed: i % 3 !== 0, duration_seconds: i % 5,
        }));
      await recordInvocations(store, batch(0));
      let writing = true;
      let written = 1;
      const writes = (async () => {
        while (writing) await recordInvocations(writer, batch(written++));
      })();
      const results: number[] = [];
      try {
        for (let run = 0; run < 6; run++) results.push((await verifyRollups(store)).length);
      } finally {
        writing = false;
        await writes;
      }
      expect(written).toBeGreaterThan(2);
      expect(results).toEqual([0, 0, 0, 0, 0, 0]);
    } finally {
      await writer.close();
      await store.close();
    }
  });

  it('reports a rollup row that no longer matches the invocations, with stored and expected values', async () => {
    const { store } = await factory.create();
    try {
      await recordInvocations(store, [{ skill_name: 'a', session_id: 's1', invoked_at: T0, completed: true, duration_seconds: 2 }]);
      await store.db.updateTable('skill_metrics').set({ total_invocations: 5 }).execute();
      await store.db.deleteFrom('skill_time_series').execute();
      expect(await verifyRollups(store)).toEqual([
        { table: 'skill_metrics', key: 'a', column: 'total_invocations', stored: 5, expected: 1 },
        { table: 'skill_time_series', key: `a@${T0}`, column: 'invocation_count', stored: null, expected: 1 },
        { table: 'skill_time_series', key: `a@${T0}`, column: 'completed_count', stored: null, expected: 1 },
        { table: 'skill_time_series', key: `a@${T0}`, column: 'duration_count', stored: null, expected: 1 },
        { table: 'skill_time_series', key: `a@${T0}`, column: 'unique_sessions', stored: null, expected: 1 },
      ]);
    } finally {
      await store.close();
    }
  });

  it('checks the 24-hour cache too: a drifted count and a lost row are reported', async () => {
    const { store } = await factory.create();
    try {
      // Skill a: one completed invocation at T0 (a UTC midnight), one abandoned an hour later, so
      // its window ends at the hour T0 + HOUR: 1 invocation in that hour, 2 (1 completed) in 24 h.
      // Skill b: one invocation at T0 + 5 ms, window ending at T0.
      await recordInvocations(store, [
        { skill_name: 'a', session_id: 's1', invoked_at: T0, completed: true, duration_seconds: 2 },
        { skill_name: 'a', session_id: 's2', invoked_at: T0 + HOUR, completed: false },
        { skill_name: 'b', session_id: 's1', invoked_at: T0 + 5, completed: true },
      ]);
      expect(await verifyRollups(store)).toEqual([]);
      await store.db.updateTable('skill_metrics_cache').set({ invocation_count_1h: 0, invocation_count_24h: 7 }).where('skill_name', '=', 'a').execute();
      await store.db.deleteFrom('skill_metrics_cache').where('skill_name', '=', 'b').execute();
      expect(await verifyRollups(store)).toEqual([
        { table: 'skill_metrics_cache', key: 'a', column: 'invocation_count_1h', stored: 0, expected: 1 },
        { table: 'skill_metrics_cache', key: 'a', column: 'invocation_count_24h', stored: 7, expected: 2 },
        { table: 'skill_metrics_cache', key: 'b', column: 'last_invocation_at', stored: null, expected: T0 + 5 },
        { table: 'skill_metrics_cache', key: 'b', column: 'window_end', stored: null, expected: T0 },
        { table: 'skill_metrics_cache', key: 'b', column: 'invocation_count_1h', stored: null, expected: 1 },
        { table: 'skill_metrics_cache', key: 'b', column: 'invocation_count_24h', stored: null, expected: 1 },
        { table: 'skill_metrics_cache', key: 'b', column: 'completed_count_24h', stored: null, expected: 1 },
      ]);
    } finally {
      await store.close();
    }
  });
});

describe.each(storeFactories)('store migrations [$name]', (factory) => {
  afterAll(() => factory.cleanup());

  it('rolls back and re-applies the newest migrations, reporting status', async () => {
    const { store } = await factory.create({ migrate: false });
    try {
      expect(await migrateStore(store)).toEqual([
        '0001_initial',
        '0002_search',
        '0003_workflow_correlation',
        '0004_analytics',
        '0005_abtest',
        '0006_predictor',
        '0007_collab',
        '0008_lean_ingest',
        '0009_integrations',
        '0010_ci_integrations',
      ]);
      expect(await rollbackStore(store, 4)).toEqual(['0010_ci_integrations', '0009_integrations', '0008_lean_ingest', '0007_collab']);
      const status = await storeMigrationStatus(store);
      expect(status.map((m) => [m.name, m.appliedAt !== null])).toEqual([
        ['0001_initial', true],
        ['0002_search', true],
        ['0003_workflow_correlation', true],
        ['0004_analytics', true],
        ['0005_abtest', true],
        ['0006_predictor', true],
        ['0007_collab', false],
        ['0008_lean_ingest', false],
        ['0009_integrations', false],
        ['0010_ci_integrations', false],
      ]);
      expect(await migrateStore(store)).toEqual(['0007_collab', '0008_lean_ingest', '0009_integrations', '0010_ci_integrations']);
      expect(await migrateStore(store)).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('five steps down and up again: the hourly rollups come back, rebuilt from the invocations', async () => {
    const { store, reopen } = await factory.create();
    const items = Array.from({ length: 40 }, (_, i) => ({
      skill_name: i % 2 ? 'a' : 'b', session_id: `s${i % 3}`, invoked_at: T0 + i * 600_000, completed: i % 3 !== 0, duration_seconds: 1 + i,
    }));
    await recordInvocations(store, items);
    const before = await topSkills(store, { since: T0, until: T0 + 7 * HOUR });
    try {
      expect(await rollbackStore(store, 7)).toEqual(['0010_ci_integrations', '0009_integrations', '0008_lean_ingest', '0007_collab', '0006_predictor', '0005_abtest', '0004_analytics']);
    } finally {
      await store.close();
    }
    // Opening upgrades the store (as any command does) and refills what 0004 recreated.
    const again = await reopen();
    try {
      expect(await topSkills(again, { since: T0, until: T0 + 7 * HOUR })).toEqual(before);
      expect(await verifyRollups(again)).toEqual([]);
      expect((await again.db.selectFrom('skill_metrics_cache').selectAll().execute()).length).toBe(2);
    } finally {
      await again.close();
    }
  });

  it('refuses a rollback that drops forgotten users, and rolls back when told which migration may lose it', async () => {
    const { store } = await factory.create();
    try {
      await store.db.insertInto('skill_user_opt_outs').values({ user_id: 'pseudonym', forgotten_at: T0 }).execute();
      expect(await storeRollbackLosses(store, 4)).toEqual([
        { migration: '0007_collab', what: 'table skill_user_opt_outs (the list of forgotten users (they would come back on the next open with a secret))', rows: 1, kind: 'data' },
      ]);
      await expect(rollbackStore(store, 4)).rejects.toThrow(DataLossError);
      expect((await storeMigrationStatus(store)).every((m) => m.appliedAt !== null)).toBe(true);
      expect(await rollbackStore(store, 4, { allowDataLoss: ['0007_collab'] })).toEqual(['0010_ci_integrations', '0009_integrations', '0008_lean_ingest', '0007_collab']);
    } finally {
      await store.close();
    }
  });
});
