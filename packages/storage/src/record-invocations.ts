import { findDifferingDuplicates } from './differing-duplicates.js';
import { ValidationError, type FieldIssue } from './errors.js';
import { parseInvocation, type InvocationInput, type InvocationRow } from './invocation.js';
import { insertInvocations } from './insert-invocations.js';
import { foldIntoRollups, readPriors } from './rollups/index.js';
import type { WriteTx } from './dialect/store-driver.js';
import { recordedEvent, toRecordedInvocation } from './recorded-events.js';
import { internals, type RecordedEvent, type Store } from './store.js';
import { PSEUDONYM_CHECK_KEY, secretMissing, type Pseudonymise } from './user-pseudonyms.js';

export interface RecordOptions {
  /** Write the valid items and report the invalid ones instead of rejecting the whole batch. */
  skipInvalid?: boolean;
  /** Clock for `created_at` / `updated_at` (epoch ms); defaults to `Date.now()`. */
  now?: number;
}

export interface RecordResult {
  /** Rows newly written. */
  inserted: number;
  /** Valid items whose id was already stored or repeated earlier in the batch. */
  duplicates: number;
  /**
   * Ids of the duplicates whose content (every column but `created_at`) differs from the row kept
   * under that id, in input order: two different events were given one id, and the later was dropped.
   */
  differing: string[];
  /** Ids of the valid items in input order (generated where the item had none). */
  ids: string[];
  /** Items left out with `skipInvalid`, each with every problem found. */
  rejected: { index: number; issues: FieldIssue[] }[];
}

/**
 * Validate and write a batch in one transaction. A repeated id is ignored, never counted twice;
 * `skill_metrics`, `session_skills`, `skill_time_series`, `mv_daily_skills` and
 * `skill_metrics_cache` are brought up to date in the same transaction, and so is
 * `skill_user_interactions` when the store was opened with `userPseudonymSecret`. On an invalid item
 * nothing is written (a `ValidationError` lists item index and field) unless `skipInvalid` is set.
 *
 * @example
 * await recordInvocations(store, [
 *   { skill_name: 'pytest-run', session_id: 's1', invoked_at: Date.now(), completed: true, duration_seconds: 4.2 },
 * ]);
 */
export async function recordInvocations(
  store: Store,
  items: readonly InvocationInput[],
  options: RecordOptions = {},
): Promise<RecordResult> {
  if (!Array.isArray(items)) {
    throw new ValidationError([{ index: -1, field: '', message: 'expected an array of invocations' }]);
  }
  const now = options.now ?? Date.now();
  const rows: InvocationRow[] = [];
  const rejected: RecordResult['rejected'] = [];
  items.forEach((item, index) => {
    const parsed = parseInvocation(item, index, now);
    if (parsed.ok) rows.push(parsed.row);
    else rejected.push({ index, issues: parsed.issues });
  });
  if (rejected.length > 0 && !options.skipInvalid) {
    throw new ValidationError(rejected.flatMap((entry) => entry.issues));
  }

  const unique = uniqueById(rows);
  const { driver, emit, pseudonymise } = internals(store);
  const written =
    unique.length === 0
      ? { fresh: [], users: [], differing: [] }
      : await driver.writeTransaction((tx) => writeBatch(tx, rows, unique, now, pseudonymise));
  const inserted = written.fresh;

  const result: RecordResult = {
    inserted: inserted.length,
    duplicates: rows.length - inserted.length,
    differing: written.differing,
    ids: rows.map((row) => row.id),
    rejected,
  };
  if (inserted.length > 0 && internals(store).hasListeners()) emit(summarise(inserted, result.duplicates, written.users));
  return result;
}

/** The one-item form of `recordInvocations`; returns the stored id. */
export async function recordInvocation(
  store: Store,
  item: InvocationInput,
  options: Omit<RecordOptions, 'skipInvalid'> = {},
): Promise<{ id: string; inserted: boolean }> {
  const result = await recordInvocations(store, [item], options);
  return { id: result.ids[0]!, inserted: result.inserted === 1 };
}

function uniqueById(rows: InvocationRow[]): InvocationRow[] {
  const seen = new Set<string>();
  return rows.filter((row) => !seen.has(row.id) && seen.add(row.id));
}

interface WrittenBatch {
  fresh: InvocationRow[];
  /** Pseudonyms of the users whose interactions changed. */
  users: string[];
  /** See `RecordResult.differing`. */
  differing: string[];
}

async function writeBatch(
  tx: WriteTx,
  all: InvocationRow[],
  rows: InvocationRow[],
  now: number,
  pseudonymise: Pseudonymise | undefined,
): Promise<WrittenBatch> {
  if (!pseudonymise) await refuseWithoutSecret(tx);
  // What the stored invocations already count (the skill-hours' sessions) is read before the insert.
  const priors = await readPriors(tx, rows);
  const flags = await tx.insertIgnore(insertInvocations, rows, ['id']);
  const fresh = rows.filter((_, i) => flags[i]);
  const differing = fresh.length === all.length ? [] : await findDifferingDuplicates(tx, all, rows, flags);
  if (fresh.length === 0) return { fresh, users: [], differing };
  const users = await foldIntoRollups(tx, fresh, priors, now, pseudonymise);
  return { fresh, users, differing };
}

/** A store that keeps interactions would silently miss this batch's users: refuse instead. */
async function refuseWithoutSecret(tx: WriteTx): Promise<void> {
  const check = await tx.select(tx.db.selectFrom('store_settings').select('value').where('key', '=', PSEUDONYM_CHECK_KEY));
  if (check.length > 0) throw secretMissing();
}

function summarise(rows: InvocationRow[], duplicates: number, users: string[]): RecordedEvent {
  return recordedEvent(rows.map(toRecordedInvocation), duplicates, users, 'local');
}
