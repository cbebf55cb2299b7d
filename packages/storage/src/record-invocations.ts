import { findDifferingDuplicates } from './differing-duplicates.js';
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
  type SkillState,
} from './rollups/statements.js';
import type { WriteTx } from './driver/types.js';
import type { SkillMetricsTable, SkillTimeSeriesTable } from './schema.js';
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
  const countedSessions = await sessionsAlreadyCounted(tx, rows);
  const flags = await tx.insertIgnore(insertInvocations, rows, ['id']);
  const fresh = rows.filter((_, i) => flags[i]);
  const differing = fresh.length === all.length ? [] : await findDifferingDuplicates(tx, all, rows, flags);
  if (fresh.length === 0) return { fresh, users: [], differing };
  const users = await foldIntoRollups(tx, fresh, countedSessions, now, pseudonymise);
  return { fresh, users, differing };
}

/**
 * Add stored rows to every rollup: the recorder's new rows, or `rebuildRollups`' pages of all of
 * them. `countedSessions`: the skill-hour sessions already counted in `unique_sessions`. Returns
 * the pseudonyms of the users whose interactions changed.
 */
export async function foldIntoRollups(
  tx: WriteTx,
  fresh: InvocationRow[],
  countedSessions: Set<string>,
  now: number,
  pseudonymise: Pseudonymise | undefined,
): Promise<string[]> {
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
  const skills = await writeSkillMetrics(tx, deltas, now);
  await writeMetricsCache(tx, skills, deltas, now);
  return pseudonymise ? writeUserInteractions(tx, fresh, pseudonymise) : [];
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

/** A skill's new lifetime totals, and its cached window as the batch found it (if any). */
interface SkillUpdate {
  metrics: SkillMetricsTable;
  cached: { windowEnd: number; hourlyWindow: string | null } | undefined;
}

async function writeSkillMetrics(tx: WriteTx, deltas: BatchDeltas, now: number): Promise<SkillUpdate[]> {
  const existing = await tx.lookup<{ skill_name: string }, SkillState>(
    findSkillMetrics,
    [...deltas.skills.keys()].map((skill_name) => ({ skill_name })),
  );
  const bySkill = new Map(existing.map((row) => [row.skill_name, row]));
  const updates = [...deltas.skills.values()].map((delta): SkillUpdate => {
    const old = bySkill.get(delta.skill);
    const total = (old?.total_invocations ?? 0) + delta.total;
    const completed = (old?.completed_invocations ?? 0) + delta.completed;
    const durationSum = (old?.total_duration_seconds ?? 0) + delta.durationSum;
    const timed = (old?.timed_completions ?? 0) + delta.timedCompletions;
    const metrics: SkillMetricsTable = {
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
    const cached =
      old?.cache_window_end == null ? undefined : { windowEnd: old.cache_window_end, hourlyWindow: old.cache_hourly_window };
    return { metrics, cached };
  });
  await tx.write(upsertSkillMetrics, updates.map((update) => update.metrics));
  return updates;
}

const WINDOW_HOURS = 24;

/** `[count, completed]` per hour of a 24-hour window, oldest first. */
type HourlyWindow = [number, number][];

function parseWindow(json: string | null): HourlyWindow | undefined {
  if (json === null) return undefined;
  try {
    const window: unknown = JSON.parse(json);
    const valid =
      Array.isArray(window) &&
      window.length === WINDOW_HOURS &&
      window.every((pair) => Array.isArray(pair) && pair.length === 2 && Number.isSafeInteger(pair[0]) && Number.isSafeInteger(pair[1]));
    return valid ? (window as HourlyWindow) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Each touched skill's 1 h / 24 h counts over the window ending at its latest hour. The cache row
 * keeps the window's hourly counts: they were exact when written (every batch that changes an
 * hour of the skill rewrites them in its transaction) and no stored hour of the skill lies after
 * the window (its end is the skill's latest invocation), so the new window is the old one slid
 * forward, plus this batch's hours inside it. Only a skill without a usable window (new, or
 * stored before schema 0008) has its hourly rows read.
 */
async function writeMetricsCache(tx: WriteTx, updates: SkillUpdate[], deltas: BatchDeltas, now: number): Promise<void> {
  const batchHours = new Map<string, BucketDelta[]>();
  for (const hour of deltas.hours.values()) {
    const list = batchHours.get(hour.skill);
    if (list) list.push(hour);
    else batchHours.set(hour.skill, [hour]);
  }
  const windows = new Map<string, { end: number; hours: HourlyWindow }>();
  const unknown: { skill_name: string; from: number; to: number }[] = [];
  for (const { metrics, cached } of updates) {
    const end = metrics.last_invoked - (metrics.last_invoked % HOUR_MS);
    const hours = slideWindow(cached, end);
    if (!hours) {
      // The stored hours, this batch's included, are the whole answer.
      unknown.push({ skill_name: metrics.skill_name, from: end - (WINDOW_HOURS - 1) * HOUR_MS, to: end });
      windows.set(metrics.skill_name, { end, hours: emptyWindow() });
      continue;
    }
    for (const hour of batchHours.get(metrics.skill_name) ?? []) addToWindow(hours, end, hour.start, hour.count, hour.completed);
    windows.set(metrics.skill_name, { end, hours });
  }
  for (const hour of await readHourRanges(tx, unknown)) {
    const window = windows.get(hour.skill_name)!;
    addToWindow(window.hours, window.end, hour.hour_start, hour.invocation_count, hour.completed_count);
  }
  await tx.write(
    upsertMetricsCache,
    updates.map(({ metrics }): MetricsCacheRow => {
      const { end, hours } = windows.get(metrics.skill_name)!;
      let count = 0;
      let completed = 0;
      for (const [c, done] of hours) {
        count += c;
        completed += done;
      }
      return {
        skill_name: metrics.skill_name,
        last_invocation_at: metrics.last_invoked,
        window_end: end,
        invocation_count_1h: hours[WINDOW_HOURS - 1]![0],
        invocation_count_24h: count,
        completed_count_24h: completed,
        avg_completion_rate_24h: count > 0 ? completed / count : null,
        updated_at: now,
        hourly_window: JSON.stringify(hours),
      };
    }),
  );
}

/** The cached window moved forward to end at `end`, or undefined when there is none to trust. */
function slideWindow(cached: SkillUpdate['cached'], end: number): HourlyWindow | undefined {
  if (!cached || cached.windowEnd > end) return undefined;
  const old = parseWindow(cached.hourlyWindow);
  if (!old) return undefined;
  const shift = (end - cached.windowEnd) / HOUR_MS;
  const hours = emptyWindow();
  for (let i = shift; i < WINDOW_HOURS; i++) hours[i - shift] = old[i]!;
  return hours;
}

const emptyWindow = (): HourlyWindow => Array.from({ length: WINDOW_HOURS }, () => [0, 0]);

function addToWindow(window: HourlyWindow, end: number, hour: number, count: number, completed: number): void {
  // No hour of the skill lies after `end`; one before the window is left out.
  const slot = WINDOW_HOURS - 1 - (end - hour) / HOUR_MS;
  if (slot < 0) return;
  window[slot] = [window[slot]![0] + count, window[slot]![1] + completed];
}

/** The stored hourly counts of some skills, each within its own range (one range per skill). */
async function readHourRanges(tx: WriteTx, ranges: { skill_name: string; from: number; to: number }[]) {
  if (ranges.length === 0) return [];
  // Ranges of one batch nearly coincide, so one query over all of them is cheapest; a range far
  // from the others is read on its own.
  const anchor = Math.max(...ranges.map((r) => r.to));
  const near = ranges.filter((r) => anchor - r.to <= 48 * HOUR_MS);
  const far = ranges.filter((r) => anchor - r.to > 48 * HOUR_MS);
  const byName = new Map(ranges.map((r) => [r.skill_name, r]));
  return [
    ...(await tx.select(findHourRange(tx.db, near.map((r) => r.skill_name), Math.min(...near.map((r) => r.from)), anchor))),
    ...(await Promise.all(far.map((r) => tx.select(findHourRange(tx.db, [r.skill_name], r.from, r.to))))).flat(),
  ].filter((hour) => {
    const range = byName.get(hour.skill_name)!;
    return hour.hour_start >= range.from && hour.hour_start <= range.to;
  });
}

function summarise(rows: InvocationRow[], duplicates: number, users: string[]): RecordedEvent {
  return recordedEvent(rows.map(toRecordedInvocation), duplicates, users, 'local');
}
