import type { KeysLookup, RowsStatement, WriteTx } from '../dialect/store-driver.js';
import type { SkillUserInteractionsTable } from '../schema.js';
import { recomputeUserInteractions, type Pseudonymise } from '../user-pseudonyms.js';
import { addExcluded, compositeKey, defineRollup, keyed, widenSpan } from './rollup.js';

/**
 * `skill_user_interactions`: per (pseudonymised user, skill), additive like `session_skills`;
 * kept only by a store opened with its user-pseudonym secret, and never for a user who opted out.
 * `apply` returns the pseudonyms of the users whose interactions changed (the recorded event names them).
 */
export const skillUserInteractions = defineRollup<SkillUserInteractionsTable[], string[]>()({
  table: 'skill_user_interactions',
  kept: (pseudonymise) => pseudonymise !== undefined,
  delta(rows, { pseudonymise }) {
    return pseudonymise ? userSkillDeltas(rows, pseudonymise) : [];
  },
  apply: writeUserInteractions,
  async erase(trx, erased) {
    const users = [...new Set(erased.map((pair) => pair.user_id))];
    if (users.length > 0) await trx.deleteFrom('skill_user_interactions').where('user_id', 'in', users).execute();
  },
  async recompute(db, { cut, pseudonymise }) {
    if (!pseudonymise) return undefined;
    const expected = await recomputeUserInteractions(db, pseudonymise);
    const stored = await db.selectFrom('skill_user_interactions').selectAll().execute();
    const key = (r: SkillUserInteractionsTable) => `${r.user_id}/${r.skill_name}`;
    const counts = (r: SkillUserInteractionsTable) => ({
      invocation_count: r.invocation_count,
      completed_count: r.completed_count,
      first_used: r.first_used,
      last_used: r.last_used,
    });
    const beforeCut = new Set(cut === null ? [] : stored.filter((r) => r.first_used < cut).map(key));
    return { expected: keyed(expected, key, counts), stored: keyed(stored, key, counts), partial: (k) => beforeCut.has(k) };
  },
});

/** Fold a batch's rows that name a user into per (pseudonym, skill) deltas. */
function userSkillDeltas(
  rows: readonly { user_id: string | null; skill_name: string; completed: number; invoked_at: number }[],
  pseudonymise: Pseudonymise,
): SkillUserInteractionsTable[] {
  const pseudonyms = new Map<string, string>();
  const pairs = new Map<string, SkillUserInteractionsTable>();
  for (const row of rows) {
    if (row.user_id === null) continue;
    let user = pseudonyms.get(row.user_id);
    if (user === undefined) {
      user = pseudonymise(row.user_id);
      pseudonyms.set(row.user_id, user);
    }
    const key = compositeKey(user, row.skill_name);
    const pair = pairs.get(key);
    if (!pair) {
      pairs.set(key, {
        user_id: user,
        skill_name: row.skill_name,
        invocation_count: 1,
        completed_count: row.completed,
        first_used: row.invoked_at,
        last_used: row.invoked_at,
      });
      continue;
    }
    pair.invocation_count += 1;
    pair.completed_count += row.completed;
    if (row.invoked_at < pair.first_used) pair.first_used = row.invoked_at;
    if (row.invoked_at > pair.last_used) pair.last_used = row.invoked_at;
  }
  return [...pairs.values()];
}

/** Additive upsert of the batch's (pseudonym, skill) pairs, leaving out users who opted out. */
async function writeUserInteractions(tx: WriteTx, pairs: SkillUserInteractionsTable[]): Promise<string[]> {
  if (pairs.length === 0) return [];
  const users = [...new Set(pairs.map((pair) => pair.user_id))];
  // Nobody has opted out in most stores: one cheap read saves a lookup per user.
  const anyOptOut = await tx.select(tx.db.selectFrom('skill_user_opt_outs').select('user_id').limit(1));
  const optedOut = new Set(
    anyOptOut.length === 0
      ? []
      : (
          await tx.lookup<{ user_id: string }, { user_id: string }>(
            findOptOuts,
            users.map((user_id) => ({ user_id })),
          )
        ).map((row) => row.user_id),
  );
  await tx.write(addUserInteractions, optedOut.size === 0 ? pairs : pairs.filter((pair) => !optedOut.has(pair.user_id)));
  return optedOut.size === 0 ? users : users.filter((user) => !optedOut.has(user));
}

/** Which of some pseudonyms opted out (asked to be forgotten). */
const findOptOuts: KeysLookup<{ user_id: string }> = (db, keys) =>
  db
    .selectFrom('skill_user_opt_outs')
    .select('user_id')
    .where(
      'user_id',
      'in',
      keys.map((key) => key.user_id),
    );

const addUserInteractions: RowsStatement<SkillUserInteractionsTable> = (db, rows) =>
  db
    .insertInto('skill_user_interactions')
    .values(rows)
    .onConflict((oc) =>
      oc.columns(['user_id', 'skill_name']).doUpdateSet({
        ...addExcluded('skill_user_interactions', ['invocation_count', 'completed_count']),
        ...widenSpan('skill_user_interactions'),
      }),
    );
