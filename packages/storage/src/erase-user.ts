import { StorageError } from './errors.js';
import type { InvocationRow } from './invocation.js';
import { eraseFromRollups } from './rollups/index.js';
import { compositeKey, normalise } from './rollups/rollup.js';
import { internals, type Store } from './store.js';
import { PSEUDONYM_CHECK_KEY, secretMissing } from './user-pseudonyms.js';

/** What `forgetUserRecords` removed. */
export interface ForgottenRecords {
  /** Rows of `ab_test_assignments`, `ab_test_outcomes` and `ab_test_user_stats` that named the user. */
  experimentAssignments: number;
  experimentOutcomes: number;
  experimentUserStats: number;
  /** Saved predictor models that held the user's per-user tallies or usage cluster (now removed). */
  predictorModels: number;
  /** The user's invocations still stored (with their raw id) in `skill_invocation`. */
  invocationsKept: number;
}

/**
 * Remove a user from every table that keeps the raw user id, except the invocations themselves:
 * the A/B-test tables (assignments, outcomes, per-user sums: the experiments' analyses then leave
 * them out), and in saved predictor models the per-user tallies (`users` and `userSkills` of
 * `predictor_models.aggregates`) and the user's usage cluster (`context.clusters` of
 * `predictor_models.model`): a prediction for the user then uses the skill's rate and no cluster. Says how many of the user's invocations remain in `skill_invocation` — the recorded log,
 * with the raw id, which a later training reads again — and `eraseUserInvocations` deletes them.
 * Idempotent; one transaction. The collaborative tables are `forgetUserInteractions`'s.
 * @example await forgetUserRecords(store, 'ann') // { experimentAssignments: 2, …, invocationsKept: 140 }
 */
export async function forgetUserRecords(store: Store, userId: string): Promise<ForgottenRecords> {
  const user = checkUserId(userId);
  return internals(store).driver.maintenanceTransaction(async (trx) => {
    const deleted = async (table: 'ab_test_assignments' | 'ab_test_outcomes' | 'ab_test_user_stats') =>
      Number((await trx.deleteFrom(table).where('user_id', '=', user).executeTakeFirst()).numDeletedRows);
    const experimentOutcomes = await deleted('ab_test_outcomes');
    const experimentUserStats = await deleted('ab_test_user_stats');
    const experimentAssignments = await deleted('ab_test_assignments');
    let predictorModels = 0;
    for (const saved of await trx.selectFrom('predictor_models').select(['version', 'aggregates', 'model']).execute()) {
      const aggregates = aggregatesWithoutUser(saved.aggregates, user);
      const model = modelWithoutUser(saved.model, user);
      if (aggregates === undefined && model === undefined) continue;
      await trx
        .updateTable('predictor_models')
        .set({ aggregates: aggregates ?? saved.aggregates, model: model ?? saved.model })
        .where('version', '=', saved.version)
        .execute();
      predictorModels += 1;
    }
    const kept = await trx
      .selectFrom('skill_invocation')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', user)
      .executeTakeFirstOrThrow();
    return { experimentAssignments, experimentOutcomes, experimentUserStats, predictorModels, invocationsKept: Number(kept.n) };
  });
}

/**
 * A predictor's aggregates JSON without the user's tallies (`users[user]`, `userSkills["user\0skill"]`),
 * or undefined when it holds none.
 */
function aggregatesWithoutUser(json: string, user: string): string | undefined {
  const aggregates = JSON.parse(json) as { users?: Record<string, unknown>; userSkills?: Record<string, unknown> };
  let changed = false;
  if (aggregates.users && Object.hasOwn(aggregates.users, user)) {
    delete aggregates.users[user];
    changed = true;
  }
  // The predictor keys a user's skill tallies compositeKey(user, skill).
  const prefix = compositeKey(user, '');
  for (const key of Object.keys(aggregates.userSkills ?? {})) {
    if (key.startsWith(prefix)) {
      delete aggregates.userSkills![key];
      changed = true;
    }
  }
  return changed ? JSON.stringify(aggregates) : undefined;
}

/** A predictor's model JSON without the user's usage cluster (`context.clusters[user]`), or undefined when it has none. */
function modelWithoutUser(json: string, user: string): string | undefined {
  const model = JSON.parse(json) as { context?: { clusters?: Record<string, unknown> } | null };
  const clusters = model.context?.clusters;
  if (!clusters || !Object.hasOwn(clusters, user)) return undefined;
  delete clusters[user];
  return JSON.stringify(model);
}

/**
 * Delete every invocation of a user and adjust every rollup exactly, in one transaction: each
 * hour, day, session and skill the user touched is recomputed from the invocations that remain
 * (a skill, hour, day or session left empty loses its row), the 24-hour cache of those skills is
 * rebuilt from their hours, the full-text index drops the rows, and the user's
 * `skill_user_interactions` rows go too. Reads every invocation once to find the user's (there is
 * no index on user_id): O(n). Returns the number of invocations deleted.
 * @throws UserPseudonymSecretError (`required`) when the store keeps interactions and was opened without the secret.
 * @example await eraseUserInvocations(store, 'ann') // 140
 */
export async function eraseUserInvocations(store: Store, userId: string, now = Date.now()): Promise<number> {
  const user = checkUserId(userId);
  const { driver, pseudonymise } = internals(store);
  return driver.maintenanceTransaction(async (trx) => {
    if (!pseudonymise) {
      const check = await trx.selectFrom('store_settings').select('value').where('key', '=', PSEUDONYM_CHECK_KEY).executeTakeFirst();
      if (check) throw secretMissing();
    }
    const rows = (await trx.selectFrom('skill_invocation').selectAll().where('user_id', '=', user).execute()) as unknown as InvocationRow[];
    if (rows.length === 0) return 0;
    await trx.deleteFrom('skill_invocation').where('user_id', '=', user).execute();
    // Each rollup recomputes the rows the erased invocations touched (see Rollup.erase).
    await eraseFromRollups(trx, rows.map(normalise), now, pseudonymise);
    return rows.length;
  });
}

function checkUserId(userId: string): string {
  if (typeof userId !== 'string' || userId.trim() === '') throw new StorageError('userId: expected a non-empty string');
  // Stored user ids are trimmed on the way in.
  return userId.trim();
}
