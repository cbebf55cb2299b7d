import type { Compilable, Kysely } from 'kysely';
import { StorageError } from './errors.js';
import type { InvocationRow } from './invocation.js';
import { aggregateBatch, DAY_MS, HOUR_MS, type SkillDelta } from './rollups/aggregate.js';
import { serializeHistogram } from './rollups/duration-histogram.js';
import { upsertHours, upsertMetricsCache, upsertSkillMetrics, type MetricsCacheRow } from './rollups/statements.js';
import type { SkillsDatabase } from './schema.js';
import { readPrunedBefore } from './prune.js';
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
  for (const key of Object.keys(aggregates.userSkills ?? {})) {
    if (key.startsWith(`${user}\u0000`)) {
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
    if (pseudonymise) await trx.deleteFrom('skill_user_interactions').where('user_id', '=', pseudonymise(user)).execute();

    const erased = aggregateBatch(rows.map(normalise));
    await recomputeHours(trx, [...erased.hours.values()].map((h) => ({ skill: h.skill, start: h.start })));
    await recomputeDays(trx, [...erased.days.values()].map((d) => ({ skill: d.skill, start: d.start })));
    await recomputeSessions(trx, [...erased.sessionSkills.values()]);
    await recomputeSkills(trx, [...erased.skills.values()], now);
    return rows.length;
  });
}

function checkUserId(userId: string): string {
  if (typeof userId !== 'string' || userId.trim() === '') throw new StorageError('userId: expected a non-empty string');
  // Stored user ids are trimmed on the way in.
  return userId.trim();
}

/** Drivers may return BIGINTs as strings and BLOBs as Uint8Array: the aggregation wants numbers. */
function normalise(row: InvocationRow): InvocationRow {
  return {
    ...row,
    invoked_at: Number(row.invoked_at),
    completed: Number(row.completed),
    duration_seconds: row.duration_seconds === null ? null : Number(row.duration_seconds),
  };
}

type Trx = Kysely<SkillsDatabase>;

/** The recorder's own upsert statements, run once on this transaction. */
async function run(trx: Trx, statement: Compilable): Promise<void> {
  await trx.executeQuery(statement.compile());
}

const AGGREGATED_COLUMNS = [
  'id',
  'skill_name',
  'invoked_at',
  'session_id',
  'user_id',
  'completed',
  'duration_seconds',
  'workflow_path',
  'workflow_phase',
  'error_type',
  'follow_up_actions',
] as const;

/** Each (skill, hour) from the invocations left in it. */
async function recomputeHours(trx: Trx, hours: { skill: string; start: number }[]): Promise<void> {
  for (const { skill, start } of hours) {
    const left = (await trx
      .selectFrom('skill_invocation')
      .select([...AGGREGATED_COLUMNS])
      .where('skill_name', '=', skill)
      .where('invoked_at', '>=', start)
      .where('invoked_at', '<', start + HOUR_MS)
      .execute()) as unknown as InvocationRow[];
    const hour = aggregateBatch(left.map(normalise)).hours.values().next().value;
    if (!hour) {
      await trx.deleteFrom('skill_time_series').where('skill_name', '=', skill).where('hour_start', '=', start).execute();
      continue;
    }
    await run(trx, upsertHours(trx, [
      {
        skill_name: skill,
        hour_start: start,
        invocation_count: hour.count,
        completed_count: hour.completed,
        completion_rate: hour.completed / hour.count,
        duration_sum: hour.durationSum,
        duration_count: hour.durationCount,
        avg_duration_seconds: hour.durationCount > 0 ? hour.durationSum / hour.durationCount : null,
        unique_sessions: hour.sessions.size,
        duration_histogram: serializeHistogram(hour.histogram),
      },
    ]));
  }
}

/** Each (skill, day) as the sum of its hours (already recomputed). */
async function recomputeDays(trx: Trx, days: { skill: string; start: number }[]): Promise<void> {
  for (const { skill, start } of days) {
    const sums = await trx
      .selectFrom('skill_time_series')
      .select((eb) => [
        eb.fn.sum<number>('invocation_count').as('count'),
        eb.fn.sum<number>('completed_count').as('completed'),
        eb.fn.sum<number>('duration_sum').as('duration_sum'),
        eb.fn.sum<number>('duration_count').as('duration_count'),
      ])
      .where('skill_name', '=', skill)
      .where('hour_start', '>=', start)
      .where('hour_start', '<', start + DAY_MS)
      .executeTakeFirstOrThrow();
    await trx.deleteFrom('mv_daily_skills').where('skill_name', '=', skill).where('date', '=', start).execute();
    const count = Number(sums.count ?? 0);
    if (count === 0) continue;
    const completed = Number(sums.completed);
    const durationSum = Number(sums.duration_sum);
    const durationCount = Number(sums.duration_count);
    await trx
      .insertInto('mv_daily_skills')
      .values({
        date: start,
        skill_name: skill,
        invocations: count,
        completions: completed,
        abandonments: count - completed,
        duration_sum: durationSum,
        duration_count: durationCount,
        avg_duration_seconds: durationCount > 0 ? durationSum / durationCount : null,
      })
      .execute();
  }
}

/** Each (session, skill) from the invocations left in it. */
async function recomputeSessions(trx: Trx, pairs: { session_id: string; skill_name: string }[]): Promise<void> {
  for (const { session_id, skill_name } of pairs) {
    const left = await trx
      .selectFrom('skill_invocation')
      .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.min('invoked_at').as('first'), eb.fn.max('invoked_at').as('last')])
      .where('session_id', '=', session_id)
      .where('skill_name', '=', skill_name)
      .executeTakeFirstOrThrow();
    if (Number(left.count) === 0) {
      await trx.deleteFrom('session_skills').where('session_id', '=', session_id).where('skill_name', '=', skill_name).execute();
      continue;
    }
    await trx
      .updateTable('session_skills')
      .set({ invocation_count: Number(left.count), first_used: Number(left.first), last_used: Number(left.last) })
      .where('session_id', '=', session_id)
      .where('skill_name', '=', skill_name)
      .execute();
  }
}

/** A tally (JSON object of counts) less the erased rows' counts; entries that reach 0 go. */
function subtractTally(json: string, erased: Map<string, number>): string {
  const tally = new Map<string, number>(Object.entries(JSON.parse(json || '{}') as Record<string, number>));
  for (const [key, count] of erased) {
    const left = (tally.get(key) ?? 0) - count;
    if (left > 0) tally.set(key, left);
    else tally.delete(key);
  }
  const keys = [...tally.keys()].sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${tally.get(key)}`).join(',')}}`;
}

const WINDOW_HOURS = 24;

/** Lifetime totals from the skill's hours, first/last from its invocations, tallies less the erased rows; then its 24-hour cache. */
async function recomputeSkills(trx: Trx, erased: SkillDelta[], now: number): Promise<void> {
  const cut = await readPrunedBefore(trx);
  for (const delta of erased) {
    const skill = delta.skill;
    const totals = await trx
      .selectFrom('skill_time_series')
      .select((eb) => [
        eb.fn.sum<number>('invocation_count').as('count'),
        eb.fn.sum<number>('completed_count').as('completed'),
        eb.fn.sum<number>('duration_sum').as('duration_sum'),
        eb.fn.sum<number>('duration_count').as('duration_count'),
      ])
      .where('skill_name', '=', skill)
      .executeTakeFirstOrThrow();
    const total = Number(totals.count ?? 0);
    if (total === 0) {
      await trx.deleteFrom('skill_metrics_cache').where('skill_name', '=', skill).execute();
      await trx.deleteFrom('skill_metrics').where('skill_name', '=', skill).execute();
      continue;
    }
    const span = await trx
      .selectFrom('skill_invocation')
      .select((eb) => [eb.fn.min('invoked_at').as('first'), eb.fn.max('invoked_at').as('last')])
      .where('skill_name', '=', skill)
      .executeTakeFirstOrThrow();
    const old = await trx.selectFrom('skill_metrics').selectAll().where('skill_name', '=', skill).executeTakeFirstOrThrow();
    const completed = Number(totals.completed);
    const durationSum = Number(totals.duration_sum);
    const timed = Number(totals.duration_count);
    const { first, last } = await firstAndLastUse(trx, skill, old, span, cut);
    await run(trx, upsertSkillMetrics(trx, [
      {
        skill_name: skill,
        total_invocations: total,
        completed_invocations: completed,
        abandoned_invocations: total - completed,
        total_duration_seconds: durationSum,
        timed_completions: timed,
        avg_duration_seconds: timed > 0 ? durationSum / timed : null,
        completion_rate: completed / total,
        first_invoked: first,
        last_invoked: last,
        workflow_paths: subtractTally(old.workflow_paths, delta.workflowPaths),
        common_errors: subtractTally(old.common_errors, delta.errors),
        follow_up_actions: subtractTally(old.follow_up_actions, delta.followUps),
        workflow_phases: subtractTally(old.workflow_phases, delta.workflowPhases),
        updated_at: now,
      },
    ]));
    await run(trx, upsertMetricsCache(trx, [await metricsCache(trx, skill, last, now)]));
  }
}

/**
 * First and last use of a skill after an erasure. Raw invocations give them, except on a pruned
 * store (`cut`: nothing raw before it, and the erased rows were all after it): a first use before
 * the cut stays what it was, and when no raw invocation of the skill is left the last use is in the
 * pruned range, known to the hour only (the start of its latest remaining hour, as verifyRollups
 * checks it).
 */
async function firstAndLastUse(
  trx: Trx,
  skill: string,
  old: { first_invoked: number; last_invoked: number },
  span: { first: unknown; last: unknown },
  cut: number | null,
): Promise<{ first: number; last: number }> {
  const rawFirst = span.first === null || span.first === undefined ? undefined : Number(span.first);
  const rawLast = span.last === null || span.last === undefined ? undefined : Number(span.last);
  const oldFirst = Number(old.first_invoked);
  const first = cut !== null && oldFirst < cut ? oldFirst : rawFirst;
  let last = rawLast;
  if (last === undefined) {
    const latest = await trx.selectFrom('skill_time_series').select((eb) => eb.fn.max('hour_start').as('hour')).where('skill_name', '=', skill).executeTakeFirst();
    last = Number(old.last_invoked) < (cut ?? -Infinity) ? Number(old.last_invoked) : Number(latest?.hour ?? oldFirst);
  }
  return { first: first ?? last, last };
}

/** The skill's 24-hour window ending at the hour of its latest invocation, from its hourly rows. */
async function metricsCache(trx: Trx, skill: string, last: number, now: number): Promise<MetricsCacheRow> {
  const end = last - (last % HOUR_MS);
  const hours = await trx
    .selectFrom('skill_time_series')
    .select(['hour_start', 'invocation_count', 'completed_count'])
    .where('skill_name', '=', skill)
    .where('hour_start', '>=', end - (WINDOW_HOURS - 1) * HOUR_MS)
    .where('hour_start', '<=', end)
    .execute();
  const window: [number, number][] = Array.from({ length: WINDOW_HOURS }, () => [0, 0]);
  for (const hour of hours) window[WINDOW_HOURS - 1 - (end - Number(hour.hour_start)) / HOUR_MS] = [hour.invocation_count, hour.completed_count];
  const count = window.reduce((sum, [c]) => sum + c, 0);
  const completed = window.reduce((sum, [, done]) => sum + done, 0);
  return {
    skill_name: skill,
    last_invocation_at: last,
    window_end: end,
    invocation_count_1h: window[WINDOW_HOURS - 1]![0],
    invocation_count_24h: count,
    completed_count_24h: completed,
    avg_completion_rate_24h: count > 0 ? completed / count : null,
    updated_at: now,
    hourly_window: JSON.stringify(window),
  };
}
