import { ValidationError, type FieldIssue } from './errors.js';
import { parseInvocation, type InvocationInput, type InvocationRow } from './invocation.js';
import { aggregateBatch, aggregateUserSkills, HOUR_MS, mergeTally, type BatchDeltas, type BucketDelta } from './rollups/aggregate.js';
import { addToHistogram, parseHistogram, serializeHistogram } from './rollups/duration-histogram.js';
import {
  addDays,
  addSessionSkills,
  addUserInteractions,
  findHourRange,
  findHours,
  findOptOuts,
  findSessionHours,
  findSkillMetrics,
  insertInvocations,
  upsertHours,
  upsertMetricsCache,
  upsertSkillMetrics,
  type MetricsCacheRow,
} from './rollups/statements.js';
import type { WriteTx } from './driver/types.js';
import type { SkillMetricsTable, SkillTimeSeriesTable } from './schema.js';
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
      ? { fresh: [], users: [] }
      : await driver.writeTransaction((tx) => writeBatch(tx, unique, now, pseudonymise));
  const inserted = written.fresh;

  const result: RecordResult = {
    inserted: inserted.length,
    duplicates: rows.length - inserted.length,
    ids: rows.map((row) => row.id),
    rejected,
  };
  if (inserted.length > 0) emit(summarise(inserted, result.duplicates, written.users));
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
}

async function writeBatch(
  tx: WriteTx,
  rows: InvocationRow[],
  now: number,
  pseudonymise: Pseudonymise | undefined,
): Promise<WrittenBatch> {
  if (!pseudonymise) await refuseWithoutSecret(tx);
  const countedSessions = await sessionsAlreadyCounted(tx, rows);
  const flags = await tx.insertIgnore(insertInvocations, rows, ['id']);
  const fresh = rows.filter((_, i) => flags[i]);
  if (fresh.length === 0) return { fresh, users: [] };
  const deltas = aggregateBatch(fresh);
  await writeHours(tx, deltas, countedSessions);
  await tx.write(addDays, [...deltas.days.values()].map((day) => ({
    date: day.start,
    skill_name: day.skill,
    invocations: day.count,
    completions: day.completed,
    abandonments: day.count - day.completed,
    duration_sum: day.durationSum,
    duration_count: day.durationCount,
    avg_duration_seconds: day.durationCount > 0 ? day.durationSum / day.durationCount : null,
  })));
  await tx.write(addSessionSkills, [...deltas.sessionSkills.values()]);
  const metrics = await writeSkillMetrics(tx, deltas, now);
  await writeMetricsCache(tx, metrics, now);
  const users = pseudonymise ? await writeUserInteractions(tx, fresh, pseudonymise) : [];
  return { fresh, users };
}

/** A store that keeps interactions would silently miss this batch's users: refuse instead. */
async function refuseWithoutSecret(tx: WriteTx): Promise<void> {
  const check = await tx.select(
    tx.db.selectFrom('store_settings').select('value').where('key', '=', PSEUDONYM_CHECK_KEY),
  );
  if (check.length > 0) throw secretMissing();
}

/** Additive upsert of the batch's (pseudonym, skill) pairs, leaving out users who opted out. */
async function writeUserInteractions(tx: WriteTx, rows: InvocationRow[], pseudonymise: Pseudonymise): Promise<string[]> {
  const pairs = aggregateUserSkills(rows, pseudonymise);
  if (pairs.length === 0) return [];
  const users = [...new Set(pairs.map((pair) => pair.user_id))];
  // Nobody has opted out in most stores: one cheap read saves a lookup per user.
  const anyOptOut = await tx.select(tx.db.selectFrom('skill_user_opt_outs').select('user_id').limit(1));
  const optedOut = new Set(
    anyOptOut.length === 0
      ? []
      : (await tx.lookup<{ user_id: string }, { user_id: string }>(findOptOuts, users.map((user_id) => ({ user_id })))).map(
          (row) => row.user_id,
        ),
  );
  await tx.write(addUserInteractions, optedOut.size === 0 ? pairs : pairs.filter((pair) => !optedOut.has(pair.user_id)));
  return optedOut.size === 0 ? users : users.filter((user) => !optedOut.has(user));
}

/** Keys `hour|skill|session` of the skill-hours in which stored invocations already counted a session. */
async function sessionsAlreadyCounted(tx: WriteTx, rows: InvocationRow[]): Promise<Set<string>> {
  const keys = new Map<string, { session_id: string; from: number; to: number }>();
  for (const row of rows) {
    const from = row.invoked_at - (row.invoked_at % HOUR_MS);
    keys.set(`${from}\u0000${row.session_id}`, { session_id: row.session_id, from, to: from + HOUR_MS });
  }
  const found = await tx.lookup<{ session_id: string; from: number; to: number }, { session_id: string; skill_name: string; invoked_at: number }>(
    findSessionHours,
    [...keys.values()],
  );
  const counted = new Set<string>();
  for (const row of found) {
    const hour = Number(row.invoked_at) - (Number(row.invoked_at) % HOUR_MS);
    if (keys.has(`${hour}\u0000${row.session_id}`)) counted.add(`${hour}\u0000${row.skill_name}\u0000${row.session_id}`);
  }
  return counted;
}

/**
 * The stored hourly rows a batch touches: one range query when the batch spans at most two days
 * (live ingest, time-ordered imports), a lookup per key otherwise.
 */
async function existingHours(tx: WriteTx, hours: BucketDelta[]): Promise<SkillTimeSeriesTable[]> {
  let from = Infinity;
  let to = -Infinity;
  for (const hour of hours) {
    if (hour.start < from) from = hour.start;
    if (hour.start > to) to = hour.start;
  }
  if (to - from > 48 * HOUR_MS) {
    return tx.lookup<{ skill_name: string; hour_start: number }, SkillTimeSeriesTable>(
      findHours,
      hours.map((hour) => ({ skill_name: hour.skill, hour_start: hour.start })),
    );
  }
  const skills = [...new Set(hours.map((hour) => hour.skill))];
  return tx.select(
    tx.db.selectFrom('skill_time_series').selectAll().where('skill_name', 'in', skills).where('hour_start', '>=', from).where('hour_start', '<=', to),
  );
}

/** Hourly rows: merge histograms and count sessions not seen before in that skill-hour. */
async function writeHours(tx: WriteTx, deltas: BatchDeltas, countedSessions: Set<string>): Promise<void> {
  const hours = [...deltas.hours.values()];
  const newSessions = new Map<string, number>();
  for (const hour of hours) {
    let count = 0;
    for (const session of hour.sessions) {
      if (!countedSessions.has(`${hour.start}\u0000${hour.skill}\u0000${session}`)) count += 1;
    }
    newSessions.set(`${hour.start}\u0000${hour.skill}`, count);
  }

  const existing = await existingHours(tx, hours);
  const byKey = new Map(existing.map((row) => [`${row.hour_start}\u0000${row.skill_name}`, row]));
  const merged: SkillTimeSeriesTable[] = hours.map((hour) => {
    const key = `${hour.start}\u0000${hour.skill}`;
    const old = byKey.get(key);
    const count = (old?.invocation_count ?? 0) + hour.count;
    const completed = (old?.completed_count ?? 0) + hour.completed;
    const durationSum = (old?.duration_sum ?? 0) + hour.durationSum;
    const durationCount = (old?.duration_count ?? 0) + hour.durationCount;
    const histogram = old ? parseHistogram(old.duration_histogram) : new Map<number, number>();
    addToHistogram(histogram, hour.histogram);
    return {
      skill_name: hour.skill,
      hour_start: hour.start,
      invocation_count: count,
      completed_count: completed,
      completion_rate: completed / count,
      duration_sum: durationSum,
      duration_count: durationCount,
      avg_duration_seconds: durationCount > 0 ? durationSum / durationCount : null,
      unique_sessions: (old?.unique_sessions ?? 0) + (newSessions.get(key) ?? 0),
      duration_histogram: serializeHistogram(histogram),
    };
  });
  await tx.write(upsertHours, merged);
}

async function writeSkillMetrics(tx: WriteTx, deltas: BatchDeltas, now: number): Promise<SkillMetricsTable[]> {
  const existing = await tx.lookup<{ skill_name: string }, SkillMetricsTable>(
    findSkillMetrics,
    [...deltas.skills.keys()].map((skill_name) => ({ skill_name })),
  );
  const bySkill = new Map(existing.map((row) => [row.skill_name, row]));
  const merged = [...deltas.skills.values()].map((delta): SkillMetricsTable => {
    const old = bySkill.get(delta.skill);
    const total = (old?.total_invocations ?? 0) + delta.total;
    const completed = (old?.completed_invocations ?? 0) + delta.completed;
    const durationSum = (old?.total_duration_seconds ?? 0) + delta.durationSum;
    const timed = (old?.timed_completions ?? 0) + delta.timedCompletions;
    return {
      skill_name: delta.skill,
      total_invocations: total,
      completed_invocations: completed,
      abandoned_invocations: total - completed,
      total_duration_seconds: durationSum,
      timed_completions: timed,
      avg_duration_seconds: timed > 0 ? durationSum / timed : null,
      completion_rate: completed / total,
      first_invoked: old ? Math.min(old.first_invoked, delta.first) : delta.first,
      last_invoked: old ? Math.max(old.last_invoked, delta.last) : delta.last,
      workflow_paths: mergeTally(old?.workflow_paths, delta.workflowPaths),
      common_errors: mergeTally(old?.common_errors, delta.errors),
      follow_up_actions: mergeTally(old?.follow_up_actions, delta.followUps),
      workflow_phases: mergeTally(old?.workflow_phases, delta.workflowPhases),
      updated_at: now,
    };
  });
  await tx.write(upsertSkillMetrics, merged);
  return merged;
}

/** Recompute each touched skill's 1 h / 24 h window from its hourly rows (at most 24 of them). */
async function writeMetricsCache(tx: WriteTx, metrics: SkillMetricsTable[], now: number): Promise<void> {
  const windows = metrics.map((row) => {
    const windowEnd = row.last_invoked - (row.last_invoked % HOUR_MS);
    return { skill_name: row.skill_name, from: windowEnd - 23 * HOUR_MS, to: windowEnd };
  });
  const windowBySkill = new Map(windows.map((w) => [w.skill_name, w]));
  // Windows of one batch nearly coincide, so one range query over all of them is cheapest;
  // a skill whose window lies far from the others is read on its own.
  const anchor = Math.max(...windows.map((w) => w.to));
  const near = windows.filter((w) => anchor - w.to <= 48 * HOUR_MS);
  const far = windows.filter((w) => anchor - w.to > 48 * HOUR_MS);
  const hours = [
    ...(await tx.select(findHourRange(tx.db, near.map((w) => w.skill_name), Math.min(...near.map((w) => w.from)), anchor))),
    ...(await Promise.all(far.map((w) => tx.select(findHourRange(tx.db, [w.skill_name], w.from, w.to))))).flat(),
  ].filter((hour) => {
    const window = windowBySkill.get(hour.skill_name)!;
    return hour.hour_start >= window.from && hour.hour_start <= window.to;
  });
  const cache = new Map<string, MetricsCacheRow>();
  metrics.forEach((row, i) => {
    cache.set(row.skill_name, {
      skill_name: row.skill_name,
      last_invocation_at: row.last_invoked,
      window_end: windows[i]!.to,
      invocation_count_1h: 0,
      invocation_count_24h: 0,
      completed_count_24h: 0,
      avg_completion_rate_24h: null,
      updated_at: now,
    });
  });
  for (const hour of hours) {
    const entry = cache.get(hour.skill_name)!;
    if (hour.hour_start === entry.window_end) entry.invocation_count_1h += hour.invocation_count;
    entry.invocation_count_24h += hour.invocation_count;
    entry.completed_count_24h += hour.completed_count;
  }
  for (const entry of cache.values()) {
    entry.avg_completion_rate_24h =
      entry.invocation_count_24h > 0 ? entry.completed_count_24h / entry.invocation_count_24h : null;
  }
  await tx.write(upsertMetricsCache, [...cache.values()]);
}

function summarise(rows: InvocationRow[], duplicates: number, users: string[]): RecordedEvent {
  const skills = new Map<string, { skill_name: string; count: number; completed: number }>();
  let first = Infinity;
  let last = -Infinity;
  for (const row of rows) {
    const entry = skills.get(row.skill_name) ?? { skill_name: row.skill_name, count: 0, completed: 0 };
    entry.count += 1;
    entry.completed += row.completed;
    skills.set(row.skill_name, entry);
    if (row.invoked_at < first) first = row.invoked_at;
    if (row.invoked_at > last) last = row.invoked_at;
  }
  return { inserted: rows.length, duplicates, firstInvokedAt: first, lastInvokedAt: last, skills: [...skills.values()], users };
}
