import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rebuildRollups, recordInvocations, verifyRollups, type InvocationInput, type Store } from '../src/index.js';
import { DAY, T0, storeFactories } from './helpers.js';

/** 600 invocations over 40 days (sparse: steps of a page then span far more than 48 hours). */
function workload(): InvocationInput[] {
  return Array.from({ length: 600 }, (_, i) => ({
    id: `i${i}`,
    skill_name: ['pytest-run', 'ruff-check', 'git-commit'][i % 3]!,
    session_id: `s${i % 17}`,
    user_id: `u${i % 5}`,
    invoked_at: T0 + Math.floor(i / 15) * DAY + (i % 15) * 7 * 60_000,
    completed: i % 4 !== 0,
    duration_seconds: i % 6 === 0 ? null : 0.5 + (i % 13),
    workflow_phase: i % 2 === 0 ? 'execution' : 'planning',
    workflow_path: `p${i % 3}`,
    error_type: i % 4 === 0 ? 'Timeout' : null,
  }));
}

const ROLLUP_TABLES = [
  'skill_metrics',
  'session_skills',
  'skill_time_series',
  'mv_daily_skills',
  'skill_metrics_cache',
  'skill_user_interactions',
  'skill_phase_totals',
] as const;

async function rollups(store: Store): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of ROLLUP_TABLES) {
    const rows = (await store.db.selectFrom(table).selectAll().execute()) as Record<string, unknown>[];
    out[table] = rows.map(({ updated_at: _u, ...rest }) => rest).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  }
  return out;
}

describe.each(storeFactories)('rebuildRollups [$name]', (factory) => {
  let store: Store;
  beforeEach(async () => {
    store = (await factory.create({ userPseudonymSecret: 'a secret of at least 16 bytes' })).store;
  });
  afterEach(async () => {
    await store.close();
    await factory.cleanup();
  });

  it('writes exactly what recording wrote, from nothing, in steps of whole hours', async () => {
    // Recorded in 7 batches out of order, so the stored rollups come from many partial merges.
    const items = workload();
    for (let b = 6; b >= 0; b--)
      await recordInvocations(
        store,
        items.filter((_, i) => i % 7 === b),
        { now: T0 },
      );
    const recorded = await rollups(store);
    for (const table of ROLLUP_TABLES) await store.db.deleteFrom(table).execute();
    expect((await verifyRollups(store)).length).toBeGreaterThan(0);

    const result = await rebuildRollups(store, { now: T0, pageSize: 50 });
    expect(result.invocations).toBe(600);
    expect(result.userInteractions).toBe(true);
    expect(result.rows).toEqual({
      skill_metrics: 3,
      session_skills: recorded.session_skills!.length,
      skill_time_series: recorded.skill_time_series!.length,
      mv_daily_skills: recorded.mv_daily_skills!.length,
      skill_metrics_cache: 3,
      skill_user_interactions: 15,
      skill_phase_totals: recorded.skill_phase_totals!.length,
    });
    expect(await rollups(store)).toEqual(recorded);
    expect(await verifyRollups(store)).toEqual([]);
  });

  it('replaces damaged rollups and leaves an empty store empty', async () => {
    expect((await rebuildRollups(store)).invocations).toBe(0);
    await recordInvocations(store, workload().slice(0, 30));
    await store.db.updateTable('skill_metrics').set({ total_invocations: 999 }).execute();
    await store.db.updateTable('skill_time_series').set({ duration_histogram: '{}' }).execute();
    expect((await rebuildRollups(store)).invocations).toBe(30);
    expect(await verifyRollups(store)).toEqual([]);
    const hist = await store.db.selectFrom('skill_time_series').select('duration_histogram').where('duration_count', '>', 0).execute();
    expect(hist.every((h) => h.duration_histogram !== '{}')).toBe(true);
  });
});
