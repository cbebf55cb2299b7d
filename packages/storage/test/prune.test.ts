import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import {
  eraseUserInvocations,
  pruneInvocations,
  prunedBefore,
  DataLossError,
  rebuildRollups,
  recordInvocations,
  rollbackStore,
  searchInvocations,
  storeRollbackLosses,
  topSkills,
  ValidationError,
  verifyRollups,
  type Store,
} from '../src/index.js';
import { DAY, HOUR, T0, storeFactories } from './helpers.js';

const SECRET = 'a-secret-of-at-least-16-bytes';

/** 10 days, 6 invocations an hour, sessions that span midnight (so some straddle the cut). */
function tenDays() {
  return Array.from({ length: 10 * 24 * 6 }, (_, i) => ({
    id: `p${i}`,
    skill_name: `skill-${i % 3}`,
    session_id: `s${Math.floor(i / 20)}`,
    user_id: `u${i % 4}`,
    invoked_at: T0 + i * 10 * 60_000 + 7_000,
    completed: i % 5 !== 0,
    duration_seconds: i % 7 === 0 ? null : (i % 11) + 0.5,
    user_query: i < 24 * 6 ? `early zebra query ${i}` : `late query ${i}`,
  }));
}

async function rollups(store: Store) {
  const db = store.db;
  return {
    hours: await db.selectFrom('skill_time_series').selectAll().orderBy('skill_name').orderBy('hour_start').execute(),
    days: await db.selectFrom('mv_daily_skills').selectAll().orderBy('skill_name').orderBy('date').execute(),
    metrics: (await db.selectFrom('skill_metrics').selectAll().orderBy('skill_name').execute()).map(({ updated_at: _, ...rest }) => rest),
    sessions: await db.selectFrom('session_skills').selectAll().orderBy('session_id').orderBy('skill_name').execute(),
    users: await db.selectFrom('skill_user_interactions').selectAll().orderBy('user_id').orderBy('skill_name').execute(),
    cache: (await db.selectFrom('skill_metrics_cache').selectAll().orderBy('skill_name').execute()).map(
      ({ updated_at: _, ...rest }) => rest,
    ),
  };
}

const rawCount = async (store: Store) =>
  Number(
    (
      await store.db
        .selectFrom('skill_invocation')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe.each(storeFactories)('pruneInvocations [$name]', (factory) => {
  afterAll(() => factory.cleanup());
  const now = T0 + 20 * DAY;

  it('deletes raw invocations before the cut (a UTC midnight) in batches; every rollup stays; verify proves the rest', async () => {
    const { store } = await factory.create({ userPseudonymSecret: SECRET });
    try {
      const items = tenDays();
      for (let i = 0; i < items.length; i += 500) await recordInvocations(store, items.slice(i, i + 500), { now });
      const before = await rollups(store);
      const top = await topSkills(store, { since: T0, until: T0 + 10 * DAY });
      expect((await searchInvocations(store, 'zebra', { limit: 500 })).length).toBe(144);

      const result = await pruneInvocations(store, { before: T0 + 4 * DAY + 3 * HOUR, now, batchSize: 100 });
      expect(result).toMatchObject({ cut: T0 + 4 * DAY, deleted: 4 * 24 * 6, prunedBefore: T0 + 4 * DAY, dryRun: false });
      // A first batch of 100 rows, then batches sized by time (how long one takes is the bench's
      // business, not a test's: this machine's load would make any limit here flaky).
      expect(result.batches).toBeGreaterThan(1);
      expect(result.longestBatchMs).toBeGreaterThan(0);
      expect(await rawCount(store)).toBe(6 * 24 * 6);
      expect(await prunedBefore(store)).toBe(T0 + 4 * DAY);
      expect(await rollups(store)).toEqual(before);
      expect(await topSkills(store, { since: T0, until: T0 + 10 * DAY })).toEqual(top);
      expect(await searchInvocations(store, 'zebra', { limit: 500 })).toEqual([]);
      expect((await searchInvocations(store, 'late', { limit: 1000 })).length).toBe(6 * 24 * 6);
      expect(await verifyRollups(store)).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('counts the rollups of a pruned store as data a rollback past them would lose: refused unless allowed', async () => {
    const { store } = await factory.create();
    try {
      await recordInvocations(
        store,
        tenDays().map(({ user_id: _, ...rest }) => rest),
        { now },
      );
      const before = (await storeRollbackLosses(store, 9)).filter((loss) => loss.what.startsWith('table skill_time_series'));
      expect(before.map((loss) => loss.kind)).toEqual(['derived']);
      await pruneInvocations(store, { before: T0 + 4 * DAY, now });
      const losses = await storeRollbackLosses(store, 9);
      const hourly = losses.find((loss) => loss.what.startsWith('table skill_time_series'));
      expect(hourly).toEqual({
        migration: '0004_analytics',
        what: 'table skill_time_series (hourly rollups; the only record of the invocations before 2026-01-09T00:00:00.000Z, which were pruned)',
        rows: 10 * 24 * 3,
        kind: 'data',
      });
      expect(losses.filter((loss) => loss.kind === 'derived')).toEqual([]);
      await expect(rollbackStore(store, 9)).rejects.toBeInstanceOf(DataLossError);
      expect(await verifyRollups(store)).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('still finds a damaged rollup on either side of the cut', async () => {
    const { store } = await factory.create();
    try {
      await recordInvocations(
        store,
        tenDays().map(({ user_id: _, ...rest }) => rest),
        { now },
      );
      await pruneInvocations(store, { before: T0 + 4 * DAY, now });
      expect(await verifyRollups(store)).toEqual([]);
      // An hour before the cut: its day no longer sums, nor the skill's lifetime total.
      await store.db
        .updateTable('skill_time_series')
        .set((eb) => ({ invocation_count: eb('invocation_count', '+', 1) }))
        .where('skill_name', '=', 'skill-0')
        .where('hour_start', '=', T0 + 2 * DAY)
        .execute();
      // An hour after it: it no longer matches the raw invocations.
      await store.db
        .updateTable('skill_time_series')
        .set((eb) => ({ completed_count: eb('completed_count', '+', 1) }))
        .where('skill_name', '=', 'skill-1')
        .where('hour_start', '=', T0 + 6 * DAY)
        .execute();
      const found = (await verifyRollups(store)).map((m) => [m.table, m.key, m.column, m.stored, m.expected]);
      expect(found).toEqual(
        expect.arrayContaining([
          ['skill_metrics', 'skill-0', 'total_invocations', 480, 481],
          ['mv_daily_skills', `skill-0@${T0 + 2 * DAY}`, 'invocations', 48, 49],
          ['skill_time_series', `skill-1@${T0 + 6 * DAY}`, 'completed_count', 2, 1],
        ]),
      );
      expect(found).toHaveLength(3);
    } finally {
      await store.close();
    }
  });

  it('checks a 24-hour cache window that reaches before the cut against the hours there', async () => {
    const { store } = await factory.create();
    try {
      const cut = T0 + 4 * DAY;
      // x: one completed invocation 2 h before the cut, one abandoned 1 h after: its window ends at
      // the hour cut + 1 h and holds both (1 completed). y: one completed invocation only, before
      // the cut, so nothing raw is left of it: its window ends at its hour, T0 + 2 days.
      await recordInvocations(
        store,
        [
          { skill_name: 'x', session_id: 's1', invoked_at: cut - 2 * HOUR + 5, completed: true },
          { skill_name: 'x', session_id: 's1', invoked_at: cut + HOUR + 5, completed: false },
          { skill_name: 'y', session_id: 's2', invoked_at: T0 + 2 * DAY + 30 * 60_000, completed: true },
        ],
        { now },
      );
      await pruneInvocations(store, { before: cut, now });
      expect(await verifyRollups(store)).toEqual([]);
      await store.db.updateTable('skill_metrics_cache').set({ invocation_count_24h: 3 }).where('skill_name', '=', 'x').execute();
      await store.db
        .updateTable('skill_metrics_cache')
        .set({ completed_count_24h: 5, window_end: T0 + 2 * DAY + HOUR })
        .where('skill_name', '=', 'y')
        .execute();
      expect(await verifyRollups(store)).toEqual([
        { table: 'skill_metrics_cache', key: 'x', column: 'invocation_count_24h', stored: 3, expected: 2 },
        { table: 'skill_metrics_cache', key: 'y', column: 'window_end', stored: T0 + 2 * DAY + HOUR, expected: T0 + 2 * DAY },
        { table: 'skill_metrics_cache', key: 'y', column: 'completed_count_24h', stored: 5, expected: 1 },
      ]);
    } finally {
      await store.close();
    }
  });

  it('a late invocation before the cut, recorded after the prune, keeps the store consistent', async () => {
    const { store } = await factory.create({ userPseudonymSecret: SECRET });
    try {
      await recordInvocations(store, tenDays(), { now });
      await pruneInvocations(store, { before: T0 + 4 * DAY, now });
      await recordInvocations(
        store,
        [
          {
            id: 'late',
            skill_name: 'skill-0',
            session_id: 's3',
            user_id: 'u0',
            invoked_at: T0 + DAY + 5,
            completed: true,
            duration_seconds: 1,
          },
        ],
        { now },
      );
      expect(await verifyRollups(store)).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('a dry run counts and deletes nothing; a cut in the future is refused', async () => {
    const { store } = await factory.create();
    try {
      await recordInvocations(
        store,
        tenDays()
          .slice(0, 300)
          .map(({ user_id: _, ...rest }) => rest),
        { now },
      );
      expect(await pruneInvocations(store, { before: T0 + DAY, now, dryRun: true })).toMatchObject({
        cut: T0 + DAY,
        deleted: 144,
        dryRun: true,
        prunedBefore: null,
      });
      expect(await rawCount(store)).toBe(300);
      expect(await prunedBefore(store)).toBeNull();
      const error = await pruneInvocations(store, { before: now + 1, now }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as Error).message).toContain('before: a cut in the future is refused');
      expect(await rawCount(store)).toBe(300);
    } finally {
      await store.close();
    }
  });

  it('counts exactly over sparse years and busy days alike (the count goes in slices of time)', async () => {
    const { store } = await factory.create();
    try {
      const sparse = [0, 400 * DAY, 3000 * DAY].map((at, i) => ({
        id: `old${i}`,
        skill_name: 'old',
        session_id: 'so',
        invoked_at: at + 1,
        completed: true,
      }));
      await recordInvocations(store, [...sparse, ...tenDays().map(({ user_id: _, ...rest }) => rest)], { now });
      expect(await pruneInvocations(store, { before: T0 + 2 * DAY, now, dryRun: true })).toMatchObject({
        deleted: 3 + 2 * 24 * 6,
        dryRun: true,
      });
      expect(await pruneInvocations(store, { before: 1, now, dryRun: true })).toMatchObject({ deleted: 0 });
      const result = await pruneInvocations(store, { before: T0 + 2 * DAY, now });
      expect(result.deleted).toBe(3 + 2 * 24 * 6);
      expect(await rawCount(store)).toBe(8 * 24 * 6);
    } finally {
      await store.close();
    }
  });

  it('eraseUserInvocations after a prune keeps the pruned range in the lifetime totals and first use; verify passes', async () => {
    const { store } = await factory.create({ userPseudonymSecret: SECRET });
    try {
      // skill-only-late's invocations after the cut are all u9's: erasing u9 leaves it only its pruned hours.
      const items = [
        ...tenDays(),
        {
          id: 'late-early',
          skill_name: 'skill-only-late',
          session_id: 'sl',
          user_id: 'u8',
          invoked_at: T0 + DAY + 5_000,
          completed: true,
          duration_seconds: 2,
        },
        {
          id: 'late-1',
          skill_name: 'skill-only-late',
          session_id: 'sl2',
          user_id: 'u9',
          invoked_at: T0 + 6 * DAY + 5_000,
          completed: false,
          duration_seconds: null,
        },
      ];
      for (let i = 0; i < items.length; i += 500) await recordInvocations(store, items.slice(i, i + 500), { now });
      await pruneInvocations(store, { before: T0 + 4 * DAY, now });
      const metricsBefore = await store.db
        .selectFrom('skill_metrics')
        .selectAll()
        .where('skill_name', '=', 'skill-0')
        .executeTakeFirstOrThrow();
      const u1AfterCut = tenDays().filter((r) => r.user_id === 'u1' && r.skill_name === 'skill-0' && r.invoked_at >= T0 + 4 * DAY).length;

      expect(await eraseUserInvocations(store, 'u1', now)).toBe(
        tenDays().filter((r) => r.user_id === 'u1' && r.invoked_at >= T0 + 4 * DAY).length,
      );
      expect(await eraseUserInvocations(store, 'u9', now)).toBe(1);
      const skill0 = await store.db.selectFrom('skill_metrics').selectAll().where('skill_name', '=', 'skill-0').executeTakeFirstOrThrow();
      expect(skill0.total_invocations).toBe(metricsBefore.total_invocations - u1AfterCut);
      expect(skill0.first_invoked).toBe(metricsBefore.first_invoked);
      expect(skill0.first_invoked).toBe(T0 + 7_000);
      const onlyLate = await store.db
        .selectFrom('skill_metrics')
        .selectAll()
        .where('skill_name', '=', 'skill-only-late')
        .executeTakeFirstOrThrow();
      // Its last use is now the pruned one: known to the hour only (the raw row went with the prune).
      expect([onlyLate.total_invocations, onlyLate.completed_invocations, onlyLate.first_invoked, onlyLate.last_invoked]).toEqual([
        1,
        1,
        T0 + DAY + 5_000,
        T0 + DAY,
      ]);
      expect(await verifyRollups(store)).toEqual([]);
    } finally {
      await store.close();
    }
  });

  if (factory.name === 'sqlite') {
    it("runs SQLite's WAL checkpoints in a worker while it deletes (automatic checkpoint off), and puts the setting back", async () => {
      const { store } = await factory.create();
      try {
        await recordInvocations(
          store,
          tenDays().map(({ user_id: _, ...rest }) => rest),
          { now },
        );
        const autoCheckpoint = async () =>
          Number((await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(store.db)).rows[0]!.wal_autocheckpoint);
        expect(await autoCheckpoint()).toBe(16000);
        const during: Promise<number>[] = [];
        const result = await pruneInvocations(store, {
          before: T0 + 5 * DAY,
          now,
          batchSize: 100,
          onProgress: () => void during.push(autoCheckpoint()),
        });
        expect(result.batches).toBeGreaterThan(3);
        expect(new Set(await Promise.all(during))).toEqual(new Set([0]));
        expect(result.longestCheckpointMs).toBeGreaterThan(0);
        expect(await autoCheckpoint()).toBe(16000);
        expect(await rawCount(store)).toBe(5 * 24 * 6);
        expect(await verifyRollups(store)).toEqual([]);
      } finally {
        await store.close();
      }
    });
    it('lets a process that prunes and closes the store exit by itself (the built package, as the CLI runs it, under Node flags a worker refuses)', () => {
      const script = [
        "import { openStore, pruneInvocations, recordInvocations } from '@skills/storage';",
        'const store = await openStore(process.argv[1]);',
        "await recordInvocations(store, [{ skill_name: 'a', session_id: 's', invoked_at: 1000, completed: true }]);",
        'const result = await pruneInvocations(store, { before: Date.now() });',
        'await store.close();',
        'console.log(result.deleted, result.longestCheckpointMs > 0);',
      ].join('\n');
      const dir = mkdtempSync(join(tmpdir(), 'skills-prune-exit-'));
      try {
        const run = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script, join(dir, 'exit.db')], {
          cwd: fileURLToPath(new URL('..', import.meta.url)),
          encoding: 'utf8',
          timeout: 20_000,
        });
        expect({ status: run.status, stdout: run.stdout, stderr: run.stderr }).toEqual({ status: 0, stdout: '1 true\n', stderr: '' });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  } else {
    it('runs no checkpoint worker on PostgreSQL', async () => {
      const { store } = await factory.create();
      try {
        await recordInvocations(
          store,
          tenDays()
            .slice(0, 300)
            .map(({ user_id: _, ...rest }) => rest),
          { now },
        );
        expect(await pruneInvocations(store, { before: T0 + DAY, now })).toMatchObject({ deleted: 144, longestCheckpointMs: 0 });
      } finally {
        await store.close();
      }
    });
  }

  it('a rebuild after a prune is refused (it would lose the pruned history), unless told to discard it', async () => {
    const { store } = await factory.create();
    try {
      await recordInvocations(
        store,
        tenDays()
          .slice(0, 300)
          .map(({ user_id: _, ...rest }) => rest),
        { now },
      );
      await pruneInvocations(store, { before: T0 + DAY, now });
      await expect(rebuildRollups(store)).rejects.toThrow(/raw invocations before 2026-01-06T00:00:00.000Z were pruned/);
      await expect(rebuildRollups(store)).rejects.toThrow(
        'discardPrunedRollups: raw invocations before 2026-01-06T00:00:00.000Z were pruned and only the rollups hold them: a rebuild would lose that history (set discardPrunedRollups to rebuild anyway)',
      );
      // A command line names its own flag, in the field and the advice.
      const refused = await rebuildRollups(store, { discardOptionName: '--discard-pruned-rollups' }).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(ValidationError);
      expect((refused as ValidationError).issues).toEqual([
        {
          index: -1,
          field: '--discard-pruned-rollups',
          message:
            'raw invocations before 2026-01-06T00:00:00.000Z were pruned and only the rollups hold them: a rebuild would lose that history (pass --discard-pruned-rollups to rebuild anyway)',
        },
      ]);
      expect(
        Number(
          (
            await store.db
              .selectFrom('skill_metrics')
              .select('total_invocations')
              .where('skill_name', '=', 'skill-0')
              .executeTakeFirstOrThrow()
          ).total_invocations,
        ),
      ).toBe(100);
    } finally {
      await store.close();
    }
  });
});
