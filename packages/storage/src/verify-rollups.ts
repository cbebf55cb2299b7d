import type { Kysely } from 'kysely';
import { readPrunedBefore } from './prune.js';
import { ROLLUPS } from './rollups/index.js';
import type { RollupTable } from './rollups/rollup.js';
import type { SkillsDatabase } from './schema.js';
import { internals, type Store } from './store.js';
import type { Pseudonymise } from './user-pseudonyms.js';

/** One rollup row that disagrees with a recomputation from `skill_invocation`. */
export interface RollupMismatch {
  /** A rollup's table: `skill_metrics`, `session_skills`, `skill_time_series`, `mv_daily_skills`, `skill_metrics_cache` or `skill_user_interactions`. */
  table: RollupTable;
  key: string;
  column: string;
  stored: number | null;
  expected: number | null;
}

const TOLERANCE = 1e-6;

/**
 * Recompute every rollup (the list in rollups/index.ts) with plain GROUP BY queries over
 * `skill_invocation` and compare them with the stored ones: lifetime, session, hourly and daily
 * counts, the 24-hour cache, and `skill_user_interactions` when the store keeps it. An empty list
 * means the store is consistent (after a crash, a kill -9 in the middle of an import, or a
 * restore). Reads every invocation: O(n). Every read
 * runs in one read transaction (PostgreSQL: REPEATABLE READ), so batches recorded meanwhile are
 * either wholly in what it compares or wholly out, and never show as mismatches.
 *
 * A pruned store (see `pruneInvocations`) is checked by what it still holds: from the cut on,
 * every rollup exactly against the raw invocations; before it, each day against the sum of its
 * hours; the lifetime totals against the raw invocations plus the hours before the cut (first and
 * last use to the hour where only hours remain); a session's (or user's) row that began before
 * the cut must count at least its remaining invocations and end at the last of them; a 24-hour
 * window reaching before the cut is summed from the hours there.
 * @example const problems = await verifyRollups(store); if (problems.length) console.table(problems);
 */
export async function verifyRollups(store: Store, limit = 100): Promise<RollupMismatch[]> {
  return store.db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute((trx) => compareRollups(trx, internals(store).pseudonymise, limit));
}

async function compareRollups(
  db: Kysely<SkillsDatabase>,
  pseudonymise: Pseudonymise | undefined,
  limit: number,
): Promise<RollupMismatch[]> {
  const mismatches: RollupMismatch[] = [];
  const cut = await readPrunedBefore(db);
  const compare = (
    table: RollupMismatch['table'],
    expected: Map<string, Record<string, number | null>>,
    stored: Map<string, Record<string, number | null>>,
    // A row that began before the cut: its count must cover the remaining invocations, no more is known.
    partial?: (key: string) => boolean,
  ) => {
    for (const key of new Set([...expected.keys(), ...stored.keys()])) {
      const want = expected.get(key);
      const have = stored.get(key);
      if (partial?.(key) && have) {
        for (const column of Object.keys(have)) {
          const a = have[column] ?? null;
          const b = want?.[column] ?? null;
          const ok = column === 'first_used' || b === null || (column === 'last_used' ? b < (cut ?? 0) || a === b : a !== null && a >= b);
          if (!ok && mismatches.length < limit) mismatches.push({ table, key, column, stored: a, expected: b });
        }
        continue;
      }
      for (const column of Object.keys(want ?? have ?? {})) {
        const a = have?.[column] ?? null;
        const b = want?.[column] ?? null;
        const equal = a === null || b === null ? a === b : Math.abs(a - b) <= TOLERANCE * Math.max(1, Math.abs(b));
        if (!equal && mismatches.length < limit) mismatches.push({ table, key, column, stored: a, expected: b });
      }
    }
  };
  const context = { cut, pseudonymise };
  for (const rollup of ROLLUPS) {
    const check = await rollup.recompute(db, context);
    if (check) compare(rollup.table, check.expected, check.stored, check.partial);
  }
  return mismatches;
}
