import { createHmac } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { StorageError, UserPseudonymSecretError } from './errors.js';
import type { SkillsDatabase, SkillUserInteractionsTable } from './schema.js';
import { internals, type Store } from './store.js';

/** Turns a user id into the keyed pseudonym stored in the collaborative tables. */
export type Pseudonymise = (userId: string) => string;

/** The `store_settings` key holding the pseudonym of a fixed text: proof of which secret is in use. */
export const PSEUDONYM_CHECK_KEY = 'user_pseudonym_check';
const CHECK_TEXT = 'skills-analytics/user-pseudonym-check';
/** The shortest user-pseudonym secret accepted. */
export const MIN_SECRET_BYTES = 16;
const REBUILD_CHUNK = 2_000;

/**
 * HMAC-SHA-256 of the user id under the secret, base64url, cut to 128 bits (22 characters):
 * the same user always gets the same pseudonym, and without the secret it cannot be reversed
 * or recomputed from a guessed id.
 */
export function createPseudonymiser(secret: string | Uint8Array): Pseudonymise {
  const key = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
  if (key.length < MIN_SECRET_BYTES) {
    throw new UserPseudonymSecretError('too-short', `userPseudonymSecret: expected at least ${MIN_SECRET_BYTES} bytes (got ${key.length})`);
  }
  // Users recur batch after batch: remember recent pseudonyms rather than hash again (bounded).
  const recent = new Map<string, string>();
  return (userId) => {
    let pseudonym = recent.get(userId);
    if (pseudonym === undefined) {
      pseudonym = createHmac('sha256', key).update(userId, 'utf8').digest('base64url').slice(0, 22);
      if (recent.size >= PSEUDONYM_CACHE) recent.clear();
      recent.set(userId, pseudonym);
    }
    return pseudonym;
  };
}

const PSEUDONYM_CACHE = 100_000;

/**
 * The pseudonym under which `userId` appears in `skill_user_interactions`.
 * @throws UserPseudonymSecretError (`required`) when the store was opened without `userPseudonymSecret`.
 * @example await openStore(url, { userPseudonymSecret: secret }); userPseudonym(store, 'ann') // 'q3Xv…'
 */
export function userPseudonym(store: Store, userId: string): string {
  const pseudonymise = internals(store).pseudonymise;
  if (!pseudonymise) throw secretRequired('user pseudonyms');
  // Stored user ids are trimmed on the way in.
  return pseudonymise(userId.trim());
}

/** Whether this store keeps `skill_user_interactions` (it was opened with `userPseudonymSecret`). */
export function hasUserPseudonyms(store: Store): boolean {
  return internals(store).pseudonymise !== undefined;
}

/** `what` needs a store opened with the secret. */
export function secretRequired(what: string): UserPseudonymSecretError {
  return new UserPseudonymSecretError(
    'required',
    `${what} need the store to be opened with userPseudonymSecret (the secret user ids are pseudonymised with)`,
  );
}

/**
 * Called on open with a secret: on first use records the secret's check value and builds
 * `skill_user_interactions` from the stored invocations; afterwards refuses a different secret,
 * since its pseudonyms would not match the stored ones.
 */
export async function enableUserPseudonyms(
  db: Kysely<SkillsDatabase>,
  inTransaction: <T>(work: (trx: Kysely<SkillsDatabase>) => Promise<T>) => Promise<T>,
  pseudonymise: Pseudonymise,
  now: number,
): Promise<void> {
  const check = pseudonymise(CHECK_TEXT);
  const stored = await readCheck(db);
  if (stored === check) return;
  if (stored !== undefined) throw differentSecret();
  await inTransaction(async (trx) => {
    const again = await readCheck(trx);
    if (again === check) return;
    if (again !== undefined) throw differentSecret();
    await rebuildUserInteractions(trx, pseudonymise);
    await trx.insertInto('store_settings').values({ key: PSEUDONYM_CHECK_KEY, value: check, updated_at: now }).execute();
  });
}

/** The recorder, opened without a secret, must not write to a store that keeps interactions. */
export async function readCheck(db: Kysely<SkillsDatabase>): Promise<string | undefined> {
  const row = await db.selectFrom('store_settings').select('value').where('key', '=', PSEUDONYM_CHECK_KEY).executeTakeFirst();
  return row?.value;
}

export function secretMissing(): UserPseudonymSecretError {
  return new UserPseudonymSecretError(
    'required',
    'this store keeps pseudonymised user interactions: open it with the same userPseudonymSecret to record invocations',
  );
}

function differentSecret(): UserPseudonymSecretError {
  return new UserPseudonymSecretError(
    'different-secret',
    "userPseudonymSecret does not match the secret this store's user pseudonyms were made with",
  );
}

/**
 * `skill_user_interactions` as the stored invocations say it should be: one GROUP BY over
 * `skill_invocation`, user ids pseudonymised, opted-out users left out. Rebuilding the table and
 * `verifyRollups` both use it.
 */
export async function recomputeUserInteractions(
  db: Kysely<SkillsDatabase>,
  pseudonymise: Pseudonymise,
): Promise<SkillUserInteractionsTable[]> {
  const optedOut = new Set((await db.selectFrom('skill_user_opt_outs').select('user_id').execute()).map((r) => r.user_id));
  const grouped = await db
    .selectFrom('skill_invocation')
    .select((eb) => [
      'user_id',
      'skill_name',
      eb.fn.countAll<number>().as('invocation_count'),
      sql<number>`sum(completed)`.as('completed_count'),
      eb.fn.min('invoked_at').as('first_used'),
      eb.fn.max('invoked_at').as('last_used'),
    ])
    .where('user_id', 'is not', null)
    .groupBy(['user_id', 'skill_name'])
    .execute();
  const rows: SkillUserInteractionsTable[] = [];
  for (const row of grouped) {
    const user = pseudonymise(row.user_id!);
    if (optedOut.has(user)) continue;
    rows.push({
      user_id: user,
      skill_name: row.skill_name,
      invocation_count: Number(row.invocation_count),
      completed_count: Number(row.completed_count),
      first_used: Number(row.first_used),
      last_used: Number(row.last_used),
    });
  }
  return rows;
}

/** Replace `skill_user_interactions` with a recomputation from `skill_invocation`. */
async function rebuildUserInteractions(trx: Kysely<SkillsDatabase>, pseudonymise: Pseudonymise): Promise<void> {
  await trx.deleteFrom('skill_user_interactions').execute();
  const rows = await recomputeUserInteractions(trx, pseudonymise);
  for (let i = 0; i < rows.length; i += REBUILD_CHUNK) {
    await trx
      .insertInto('skill_user_interactions')
      .values(rows.slice(i, i + REBUILD_CHUNK))
      .execute();
  }
}

/**
 * Removes a user from `skill_user_interactions` and records their pseudonym as opted out, so
 * later batches and rebuilds leave them out too. Idempotent. Returns the interaction rows removed.
 * @throws UserPseudonymSecretError (`required`) when the store was opened without `userPseudonymSecret`.
 * @example await forgetUserInteractions(store, 'ann') // 14
 */
export async function forgetUserInteractions(store: Store, userId: string, now = Date.now()): Promise<number> {
  if (typeof userId !== 'string' || userId.trim() === '') throw new StorageError('userId: expected a non-empty string');
  const { driver, pseudonymise } = internals(store);
  if (!pseudonymise) throw secretRequired('forgetting a user');
  // Stored user ids are trimmed on the way in: so is the one to forget.
  const user = pseudonymise(userId.trim());
  return driver.maintenanceTransaction(async (trx) => {
    await trx
      .insertInto('skill_user_opt_outs')
      .values({ user_id: user, forgotten_at: now })
      .onConflict((oc) => oc.column('user_id').doNothing())
      .execute();
    const deleted = await trx.deleteFrom('skill_user_interactions').where('user_id', '=', user).executeTakeFirst();
    return Number(deleted.numDeletedRows);
  });
}
