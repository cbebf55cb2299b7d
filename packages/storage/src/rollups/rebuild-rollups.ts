import type { Compilable, Kysely } from 'kysely';
import type { WriteTx } from '../dialect/store-driver.js';
import type { InvocationRow } from '../invocation.js';
import type { SkillsDatabase } from '../schema.js';
import { internals, type Store } from '../store.js';
import { foldIntoRollups, ROLLUPS, type RollupListTable } from './index.js';
import { FOLDED_COLUMNS, HOUR_MS, hourOf } from './rollup.js';
import { ValidationError } from '../errors.js';
import { readPrunedBefore } from '../prune.js';

export interface RebuildOptions {
  /** `updated_at` of the rebuilt rows (epoch ms); defaults to `Date.now()`. */
  now?: number;
  /** Invocations read per step (default 20,000); a step always ends at an hour boundary. */
  pageSize?: number;
  /**
   * A pruned store (see `pruneInvocations`) keeps the rollups of its pruned range only as rollups:
   * a rebuild from the remaining invocations would lose them, so it is refused unless this is set.
   */
  discardPrunedRollups?: boolean;
  /**
   * How the caller's users set `discardPrunedRollups`, named in the refusal (default
   * `discardPrunedRollups`; the CLI passes its flag, `--discard-pruned-rollups`).
   */
  discardOptionName?: string;
}

export interface RebuildResult {
  /** Invocations folded into the rollups. */
  invocations: number;
  /** Rows written per rollup table. */
  rows: Record<RebuiltTable, number>;
  /** Whether `skill_user_interactions` was rebuilt too (only with the store's user-pseudonym secret). */
  userInteractions: boolean;
}

/** The tables of `ROLLUPS` (rollups/index.ts); one added there is emptied, rebuilt and counted too. */
type RebuiltTable = RollupListTable;

/**
 * Recompute every rollup from `skill_invocation`, in one transaction that excludes recorders:
 * `skill_metrics`, `session_skills`, `skill_time_series` (with its histograms), `mv_daily_skills`,
 * `skill_metrics_cache`, and `skill_user_interactions` when the store was opened with its
 * user-pseudonym secret (forgotten users stay out). The result is what recording the same
 * invocations would have written; `verifyRollups` then finds nothing. For a store whose rollups
 * were lost (a `migrate down` and `up`, a restore of `skill_invocation` alone) or damaged. O(n).
 *
 * @example const { invocations } = await rebuildRollups(store); // 300000
 */
export async function rebuildRollups(store: Store, options: RebuildOptions = {}): Promise<RebuildResult> {
  const now = options.now ?? Date.now();
  const pageSize = Math.max(1, Math.floor(options.pageSize ?? 20_000));
  const { driver, pseudonymise } = internals(store);
  const cut = await readPrunedBefore(store.db);
  if (cut !== null && !options.discardPrunedRollups) {
    const option = options.discardOptionName ?? 'discardPrunedRollups';
    const how = option.startsWith('-') ? `pass ${option}` : `set ${option}`;
    throw new ValidationError([
      {
        index: -1,
        field: option,
        message: `raw invocations before ${new Date(cut).toISOString()} were pruned and only the rollups hold them: a rebuild would lose that history (${how} to rebuild anyway)`,
      },
    ]);
  }
  return driver.maintenanceTransaction(async (trx) => {
    for (const rollup of ROLLUPS) if (rollup.kept?.(pseudonymise) ?? true) await trx.deleteFrom(rollup.table).execute();
    const tx = writeTxOver(trx);
    let invocations = 0;
    let from = -Infinity;
    for (;;) {
      // A step covers whole hours, so no skill-hour's sessions are split between two steps.
      const first = await pageStart(trx, from);
      if (first === undefined) break;
      const start = from === -Infinity ? hourOf(first) : from;
      const last = await trx
        .selectFrom('skill_invocation')
        .select('invoked_at')
        .where('invoked_at', '>=', start)
        .orderBy('invoked_at')
        .offset(pageSize - 1)
        .limit(1)
        .executeTakeFirst();
      const end = last === undefined ? undefined : hourOf(Number(last.invoked_at)) + HOUR_MS;
      let page = trx
        .selectFrom('skill_invocation')
        .select([...FOLDED_COLUMNS])
        .where('invoked_at', '>=', start);
      if (end !== undefined) page = page.where('invoked_at', '<', end);
      const rows = (await page.execute()) as unknown as InvocationRow[];
      for (const row of rows) row.invoked_at = Number(row.invoked_at);
      if (rows.length > 0) await foldIntoRollups(tx, rows, undefined, now, pseudonymise);
      invocations += rows.length;
      if (end === undefined) break;
      from = end;
    }
    const counts = {} as Record<RebuiltTable, number>;
    for (const { table } of ROLLUPS) {
      const row = await trx
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      counts[table as RebuiltTable] = Number(row.n);
    }
    return { invocations, rows: counts, userInteractions: pseudonymise !== undefined };
  });
}

async function pageStart(trx: Kysely<SkillsDatabase>, from: number): Promise<number | undefined> {
  let query = trx.selectFrom('skill_invocation').select('invoked_at').orderBy('invoked_at').limit(1);
  if (from !== -Infinity) query = query.where('invoked_at', '>=', from);
  const row = await query.executeTakeFirst();
  return row === undefined ? undefined : Number(row.invoked_at);
}

// Well below SQLite's 32,766 and PostgreSQL's 65,535 bound parameters per statement.
const MAX_PARAMETERS = 30_000;

/** The recorder's write interface over a Kysely transaction: plain multi-row statements. */
function writeTxOver(trx: Kysely<SkillsDatabase>): WriteTx {
  const chunks = <T extends object>(items: T[]): T[][] => {
    const size = Math.max(1, Math.floor(MAX_PARAMETERS / Math.max(1, Object.keys(items[0]!).length * 2)));
    const out: T[][] = [];
    for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
    return out;
  };
  const run = async <Out>(query: Compilable<Out>) => (await trx.executeQuery(query.compile())).rows;
  return {
    db: trx,
    async insertIgnore() {
      throw new Error('rebuildRollups inserts no invocations');
    },
    async write(build, rows) {
      if (rows.length === 0) return;
      for (const chunk of chunks(rows)) await run(build(trx, chunk));
    },
    async select<Out>(query: Compilable<Out>) {
      return (await run(query)) as Out[];
    },
    async lookup<Key extends object, Out>(build: (db: Kysely<SkillsDatabase>, keys: Key[]) => Compilable, keys: Key[]) {
      if (keys.length === 0) return [];
      const out: Out[] = [];
      for (const chunk of chunks(keys)) out.push(...((await run(build(trx, chunk))) as Out[]));
      return out;
    },
  };
}
