import { afterAll, describe, expect, it } from 'vitest';
import { migrateStore, recordInvocations, rollbackStore, storeMigrationStatus, verifyRollups } from '../src/index.js';
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
      ]);
      expect(await rollbackStore(store, 2)).toEqual(['0008_lean_ingest', '0007_collab']);
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
      ]);
      expect(await migrateStore(store)).toEqual(['0007_collab', '0008_lean_ingest']);
      expect(await migrateStore(store)).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
