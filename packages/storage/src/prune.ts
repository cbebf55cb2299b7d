// The `store_settings` key of the latest prune's cut; @skills/migrations owns it (its rollback-loss
// report reads it too).
import { PRUNED_BEFORE_KEY } from '@skills/migrations';
import type { Kysely } from 'kysely';
import { ValidationError } from './errors.js';
import { DAY_MS } from './rollups/rollup.js';
import type { SkillsDatabase } from './schema.js';
import { internals, type Store } from './store.js';
import { startWalCheckpointer } from './wal-checkpointer.js';

export interface PruneOptions {
  /** Delete raw invocations with `invoked_at` before this (epoch ms), rounded down to a UTC midnight. */
  before: number;
  /** Count what would go, delete nothing. */
  dryRun?: boolean;
  /** Clock (epoch ms, default Date.now()); a cut after it is refused. */
  now?: number;
  /** Each batch aims at this duration (default 15 ms; at most 2,000 rows), so readers never wait long behind one. */
  targetBatchMs?: number;
  /** Rows of the first batch (default 250: its pages are not cached yet); later batches adapt to `targetBatchMs`. */
  batchSize?: number;
  /** After each batch: rows deleted so far, of the total to delete. */
  onProgress?(progress: { deleted: number; total: number }): void;
}

export interface PruneResult {
  /** The cut applied (a UTC midnight, epoch ms). */
  cut: number;
  /** Raw invocations deleted (with a dry run: that would be deleted). */
  deleted: number;
  /** Their search entries went with them (SQLite FTS5 rows; PostgreSQL's are columns of the row). */
  batches: number;
  /** The longest single batch (ms): how long a reader of this store in the same process (and its event loop) waited at most. */
  longestBatchMs: number;
  /**
   * SQLite: the longest WAL checkpoint (ms), run in a worker thread on its own connection while
   * the batches go on, so no reader of this process waited on it; 0 on PostgreSQL and `:memory:`.
   */
  longestCheckpointMs: number;
  /** The store's pruned range after the run: nothing raw before this. */
  prunedBefore: number | null;
  dryRun: boolean;
  elapsedMs: number;
}

/**
 * Delete raw invocations older than the cut, with their search entries (and their
 * `integration_runs` rows), in short batches that each commit on their own; rollups — hourly,
 * daily, per session, lifetime per skill, 24-hour cache, per-user interactions — and every
 * analytics table stay as they are, so every read of history still answers. The cut is
 * recorded in `store_settings` (see `prunedBefore`), so `verifyRollups` proves the rollups from
 * the cut on exactly and those before it against each other. A cut in the future is refused.
 * @example await pruneInvocations(store, { before: Date.now() - 90 * 86_400_000 }) // { deleted: 1204211, … }
 */
export async function pruneInvocations(store: Store, options: PruneOptions): Promise<PruneResult> {
  const started = performance.now();
  const now = options.now ?? Date.now();
  if (typeof options.before !== 'number' || !Number.isFinite(options.before) || options.before < 0) {
    throw new ValidationError([{ index: -1, field: 'before', message: 'expected epoch milliseconds (a number ≥ 0)' }]);
  }
  if (options.before > now) {
    throw new ValidationError([
      {
        index: -1,
        field: 'before',
        message: `a cut in the future is refused (${new Date(options.before).toISOString()} is after now, ${new Date(now).toISOString()})`,
      },
    ]);
  }
  const cut = options.before - (options.before % DAY_MS);
  const { driver } = internals(store);
  const total = await countBefore(store.db, cut);
  const previous = await prunedBefore(store);
  if (options.dryRun) {
    return {
      cut,
      deleted: total,
      batches: 0,
      longestBatchMs: 0,
      longestCheckpointMs: 0,
      prunedBefore: previous,
      dryRun: true,
      elapsedMs: performance.now() - started,
    };
  }
  const target = options.targetBatchMs ?? 15;
  let size = Math.max(1, Math.floor(options.batchSize ?? 250));
  let deleted = 0;
  let batches = 0;
  let longest = 0;
  const marker = Math.max(previous ?? 0, cut);
  // SQLite's WAL checkpoints go to a worker thread for the prune (see wal-checkpointer.ts): the
  // commit that ran one held this process's readers for 120-170 ms.
  const checkpointer = driver.kind === 'sqlite' ? await startWalCheckpointer(store.db) : undefined;
  await yieldToEventLoop();
  try {
    for (;;) {
      const began = performance.now();
      const cpuBefore = process.cpuUsage();
      const removed = await driver.maintenanceTransaction(async (trx) => {
        // The marker first, in the same transaction: no reader ever sees rows gone without it.
        if (batches === 0) await setPrunedBefore(trx, marker, now);
        const ids = (
          await trx.selectFrom('skill_invocation').select('id').where('invoked_at', '<', cut).orderBy('invoked_at').limit(size).execute()
        ).map((r) => r.id);
        if (ids.length === 0) return 0;
        await trx.deleteFrom('integration_runs').where('invocation_id', 'in', ids).execute();
        await trx.deleteFrom('skill_invocation').where('id', 'in', ids).execute();
        return ids.length;
      });
      const took = performance.now() - began;
      const cpu = process.cpuUsage(cpuBefore);
      if (removed === 0 && batches > 0) break;
      batches += 1;
      deleted += removed;
      longest = Math.max(longest, took);
      options.onProgress?.({ deleted, total });
      checkpointer?.request();
      if (removed < size) break;
      // Aim each batch at `target` ms of work: fewer rows at once when slow, more (by at most half)
      // when fast, so one fast batch cannot make the next one long. The work is the batch's time,
      // or the CPU it used when that is less: on a machine busy with other processes the wall
      // clock also counts the time this one waited for a core, and shrinking the batches for it
      // would only multiply their fixed costs.
      const work = Math.min(took, (cpu.user + cpu.system) / 1000);
      size = Math.max(100, Math.min(MAX_BATCH_ROWS, Math.floor(size * Math.min(1.5, Math.max(0.25, target / Math.max(work, 1))))));
      // Let this process's readers (and writers) in between batches.
      await yieldToEventLoop();
    }
  } finally {
    await checkpointer?.close();
  }
  return {
    cut,
    deleted,
    batches,
    longestBatchMs: longest,
    longestCheckpointMs: checkpointer?.longestMs() ?? 0,
    prunedBefore: marker,
    dryRun: false,
    elapsedMs: performance.now() - started,
  };
}

/** Rows of one batch at most (~15 ms of deletes with their index and search entries here). */
const MAX_BATCH_ROWS = 2_000;

const PERIOD_UNITS: Readonly<Record<string, number>> = { h: 3_600_000, d: DAY_MS, w: 7 * DAY_MS };

/**
 * A retention period as the CLI and the server take it: a whole number and a unit, `h` (hours),
 * `d` (days) or `w` (weeks). A number without a unit is refused (90 what?), so is zero.
 * @example parseRetentionPeriod('90d') // 7776000000
 */
export function parseRetentionPeriod(text: string, field = 'retention'): number {
  const match = /^\s*(\d+)\s*([a-z]*)\s*$/i.exec(text);
  const expected = 'expected a whole number and a unit: h, d or w (e.g. 90d, 12w, 48h)';
  if (!match) throw new ValidationError([{ index: -1, field, message: `${expected} (got "${text}")` }]);
  const unit = match[2]!.toLowerCase();
  if (unit === '') throw new ValidationError([{ index: -1, field, message: `a unit is required: ${expected} (got "${text}")` }]);
  const ms = PERIOD_UNITS[unit];
  if (ms === undefined) throw new ValidationError([{ index: -1, field, message: `unknown unit "${match[2]}": ${expected}` }]);
  const amount = Number(match[1]);
  if (amount <= 0) throw new ValidationError([{ index: -1, field, message: `must be more than 0 (got "${text}")` }]);
  return amount * ms;
}

/**
 * The store's pruned range: raw invocations before this time (epoch ms) were deleted by
 * `pruneInvocations`, and only rollups cover it. null when the store was never pruned.
 */
export async function prunedBefore(store: Store): Promise<number | null> {
  return readPrunedBefore(store.db);
}

/** `prunedBefore` over a query builder (a transaction's, for one snapshot). */
export async function readPrunedBefore(db: Kysely<SkillsDatabase>): Promise<number | null> {
  const row = await db.selectFrom('store_settings').select('value').where('key', '=', PRUNED_BEFORE_KEY).executeTakeFirst();
  if (!row) return null;
  const value = Number(row.value);
  return Number.isFinite(value) ? value : null;
}

async function setPrunedBefore(trx: Kysely<SkillsDatabase>, value: number, now: number): Promise<void> {
  await trx
    .insertInto('store_settings')
    .values({ key: PRUNED_BEFORE_KEY, value: String(value), updated_at: now })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: String(value), updated_at: now }))
    .execute();
}

/**
 * Raw invocations before `cut`, counted in slices of time with the event loop let in between, so
 * counting a million rows never holds this process's readers (one slice is a short index range).
 */
async function countBefore(db: Kysely<SkillsDatabase>, cut: number): Promise<number> {
  const first = await db
    .selectFrom('skill_invocation')
    .select((eb) => eb.fn.min('invoked_at').as('t'))
    .where('invoked_at', '<', cut)
    .executeTakeFirst();
  if (first?.t === null || first?.t === undefined) return 0;
  let total = 0;
  let span = DAY_MS;
  for (let from = Number(first.t); from < cut; ) {
    const until = Math.min(cut, from + span);
    const row = await db
      .selectFrom('skill_invocation')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('invoked_at', '>=', from)
      .where('invoked_at', '<', until)
      .executeTakeFirstOrThrow();
    const n = Number(row.n);
    total += n;
    from = until;
    // About 50,000 rows a slice: wider over sparse years, narrower over busy days.
    span = n < 25_000 ? span * 2 : n > 100_000 ? Math.max(60_000, Math.floor(span / 2)) : span;
    await yieldToEventLoop();
  }
  return total;
}

const yieldToEventLoop = () => new Promise((resolve) => setImmediate(resolve));
