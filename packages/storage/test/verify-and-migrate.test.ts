import { afterAll, describe, expect, it } from 'vitest';
import {
  DataLossError,
  migrateStore,
  pruneInvocations,
  readSkillPhaseTotals,
  recordInvocations,
  rollbackStore,
  storeMigrationStatus,
  storeRollbackLosses,
  topSkills,
  verifyRollups,
} from '../src/index.js';
import { DAY, HOUR, T0, storeFactories } from './helpers.js';

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
          id: `b${b}-${i}`,
          skill_name: `skill-${i % 7}`,
          session_id: `s${(b * 7 + i) % 23}`,
          invoked_at: T0 + (b * 200 + i) * 30_000,
          completed: i % 3 !== 0,
          duration_seconds: i % 5,
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

  it('checks skill_phase_totals too: a drifted bucket and a lost group are reported', async () => {
    const { store } = await factory.create();
    try {
      // a/build/completed: 2 s, in bucket 3 (1 < 2 ≤ 2); a/no phase/abandoned: 45 s, in bucket 7 (30 < 45 ≤ 60);
      // b/test/completed: no duration.
      await recordInvocations(store, [
        { skill_name: 'a', session_id: 's1', invoked_at: T0, completed: true, duration_seconds: 2, workflow_phase: 'build' },
        { skill_name: 'a', session_id: 's2', invoked_at: T0 + HOUR, completed: false, duration_seconds: 45 },
        { skill_name: 'b', session_id: 's1', invoked_at: T0 + 5, completed: true, workflow_phase: 'test' },
      ]);
      expect(await verifyRollups(store)).toEqual([]);
      await store.db
        .updateTable('skill_phase_totals')
        .set({ bucket_3: 2, duration_sum: 3 })
        .where('skill_name', '=', 'a')
        .where('workflow_phase', '=', 'build')
        .execute();
      await store.db.deleteFrom('skill_phase_totals').where('skill_name', '=', 'b').execute();
      const lost = (column: string, expected: number) => ({
        table: 'skill_phase_totals',
        key: 'b\u0000test\u00001',
        column,
        stored: null,
        expected,
      });
      expect(await verifyRollups(store)).toEqual([
        { table: 'skill_phase_totals', key: 'a\u0000build\u00001', column: 'duration_sum', stored: 3, expected: 2 },
        { table: 'skill_phase_totals', key: 'a\u0000build\u00001', column: 'bucket_3', stored: 2, expected: 1 },
        lost('invocation_count', 1),
        lost('timed_count', 0),
        lost('duration_sum', 0),
        ...['bucket_0', 'bucket_1', 'bucket_2', 'bucket_3', 'bucket_4', 'bucket_5', 'bucket_6', 'bucket_7', 'bucket_8'].map((column) =>
          lost(column, 0),
        ),
      ]);
    } finally {
      await store.close();
    }
  });

  it('keeps skill_phase_totals through a prune (all-time totals, as skill_metrics) and checks they cover what remains', async () => {
    const { store } = await factory.create();
    try {
      await recordInvocations(store, [
        { skill_name: 'a', session_id: 's1', invoked_at: T0, completed: true, duration_seconds: 0.1 },
        { skill_name: 'a', session_id: 's2', invoked_at: T0 + 3 * DAY, completed: true, duration_seconds: 400 },
      ]);
      await pruneInvocations(store, { before: T0 + DAY, now: T0 + 4 * DAY });
      // Both invocations still counted: 0.1 s in bucket 0 (≤ 0.1), 400 s above the last bound (+Inf).
      expect(await readSkillPhaseTotals(store.db)).toEqual([
        {
          skill_name: 'a',
          workflow_phase: null,
          completed: true,
          count: 2,
          durationSum: 400.1,
          durationBuckets: [1, 0, 0, 0, 0, 0, 0, 0, 0, 1],
        },
      ]);
      expect(await verifyRollups(store)).toEqual([]);
      // Fewer than the one invocation that remains: reported.
      await store.db.updateTable('skill_phase_totals').set({ invocation_count: 0 }).execute();
      expect(await verifyRollups(store)).toEqual([
        { table: 'skill_phase_totals', key: 'a\u0000\u00001', column: 'invocation_count', stored: 0, expected: 1 },
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
      await store.db
        .updateTable('skill_metrics_cache')
        .set({ invocation_count_1h: 0, invocation_count_24h: 7 })
        .where('skill_name', '=', 'a')
        .execute();
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
        '0011_skill_phase_totals',
        '0012_read_paths',
      ]);
      expect(await rollbackStore(store, 6)).toEqual([
        '0012_read_paths',
        '0011_skill_phase_totals',
        '0010_ci_integrations',
        '0009_integrations',
        '0008_lean_ingest',
        '0007_collab',
      ]);
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
        ['0011_skill_phase_totals', false],
        ['0012_read_paths', false],
      ]);
      expect(await migrateStore(store)).toEqual([
        '0007_collab',
        '0008_lean_ingest',
        '0009_integrations',
        '0010_ci_integrations',
        '0011_skill_phase_totals',
        '0012_read_paths',
      ]);
      expect(await migrateStore(store)).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('0011 backfills skill_phase_totals from the invocations as recording writes it (the same bucket bounds)', async () => {
    const { store } = await factory.create();
    try {
      // Durations on and around the bounds: 0 and 0.1 in bucket 0, 0.5 in 1, 300 in 8, 300.5 above; one without.
      await recordInvocations(
        store,
        [0, 0.1, 0.5, 300, 300.5, null].map((duration_seconds, i) => ({
          skill_name: i % 2 ? 'a' : 'b',
          session_id: 's1',
          invoked_at: T0 + i,
          completed: i !== 4,
          duration_seconds,
          workflow_phase: i < 3 ? 'plan' : null,
        })),
      );
      const recorded = await readSkillPhaseTotals(store.db);
      const order = (rows: typeof recorded) => [...rows].sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
      expect(await rollbackStore(store, 2)).toEqual(['0012_read_paths', '0011_skill_phase_totals']);
      expect(await migrateStore(store)).toEqual(['0011_skill_phase_totals', '0012_read_paths']);
      expect(order(await readSkillPhaseTotals(store.db))).toEqual(order(recorded));
      expect(await verifyRollups(store)).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('nine steps down and up again: the hourly rollups come back, rebuilt from the invocations', async () => {
    const { store, reopen } = await factory.create();
    const items = Array.from({ length: 40 }, (_, i) => ({
      skill_name: i % 2 ? 'a' : 'b',
      session_id: `s${i % 3}`,
      invoked_at: T0 + i * 600_000,
      completed: i % 3 !== 0,
      duration_seconds: 1 + i,
    }));
    await recordInvocations(store, items);
    const before = await topSkills(store, { since: T0, until: T0 + 7 * HOUR });
    try {
      expect(await rollbackStore(store, 9)).toEqual([
        '0012_read_paths',
        '0011_skill_phase_totals',
        '0010_ci_integrations',
        '0009_integrations',
        '0008_lean_ingest',
        '0007_collab',
        '0006_predictor',
        '0005_abtest',
        '0004_analytics',
      ]);
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
      expect(await storeRollbackLosses(store, 6)).toEqual([
        {
          migration: '0007_collab',
          what: 'table skill_user_opt_outs (the list of forgotten users (they would come back on the next open with a secret))',
          rows: 1,
          kind: 'data',
        },
      ]);
      await expect(rollbackStore(store, 6)).rejects.toThrow(DataLossError);
      expect((await storeMigrationStatus(store)).every((m) => m.appliedAt !== null)).toBe(true);
      expect(await rollbackStore(store, 6, { allowDataLoss: ['0007_collab'] })).toEqual([
        '0012_read_paths',
        '0011_skill_phase_totals',
        '0010_ci_integrations',
        '0009_integrations',
        '0008_lean_ingest',
        '0007_collab',
      ]);
    } finally {
      await store.close();
    }
  });
});
