import { sql, type Kysely } from 'kysely';
import type { InvocationRow } from '../invocation.js';
import type { InsertIgnoreStatement, KeysLookup, RowsStatement } from '../driver/types.js';
import type {
  SkillsDatabase,
  DailySkillsTable,
  SessionSkillsTable,
  SkillMetricsCacheTable,
  SkillMetricsTable,
  SkillTimeSeriesTable,
  SkillUserInteractionsTable,
} from '../schema.js';

/*
 * Every statement the recorder runs. Each places row fields as plain values, so the SQLite
 * driver can compile it once and bind rows to it, and PostgreSQL can run it over many rows.
 */

export const insertInvocations: InsertIgnoreStatement<InvocationRow> = (db, rows) =>
  db
    .insertInto('skill_invocation')
    .values(rows)
    .onConflict((oc) => oc.column('id').doNothing());

export interface SessionHourKey {
  session_id: string;
  /** Start and end (exclusive) of the hour. */
  from: number;
  to: number;
}

/**
 * Stored invocations of some sessions within a time range, found through the
 * (session_id, invoked_at) index. Run before a batch is inserted, it tells which sessions each
 * skill-hour has already counted, so `unique_sessions` stays exact without a table of its own.
 * For one key (how SQLite runs it) the bounds are the key's own; for many (PostgreSQL) they span
 * all keys and the caller keeps the rows it asked for.
 */
export const findSessionHours: KeysLookup<SessionHourKey> = (db, keys) =>
  db
    .selectFrom('skill_invocation')
    .select(['session_id', 'skill_name', 'invoked_at'])
    .where(
      'session_id',
      'in',
      keys.map((key) => key.session_id),
    )
    .where('invoked_at', '>=', keys.length === 1 ? keys[0]!.from : keys.reduce((min, key) => Math.min(min, key.from), Infinity))
    .where('invoked_at', '<', keys.length === 1 ? keys[0]!.to : keys.reduce((max, key) => Math.max(max, key.to), -Infinity));

export interface HourKey {
  skill_name: string;
  hour_start: number;
}

export const findHours: KeysLookup<HourKey> = (db, keys) =>
  db
    .selectFrom('skill_time_series')
    .selectAll()
    .where((eb) =>
      eb(
        eb.refTuple('skill_name', 'hour_start'),
        'in',
        keys.map((key) => eb.tuple(key.skill_name, key.hour_start)),
      ),
    );

/** Hourly rows are merged in memory (histogram, distinct sessions) and written whole. */
export const upsertHours: RowsStatement<SkillTimeSeriesTable> = (db, rows) =>
  db
    .insertInto('skill_time_series')
    .values(rows)
    .onConflict((oc) =>
      oc.columns(['skill_name', 'hour_start']).doUpdateSet((eb) => ({
        invocation_count: eb.ref('excluded.invocation_count'),
        completed_count: eb.ref('excluded.completed_count'),
        completion_rate: eb.ref('excluded.completion_rate'),
        duration_sum: eb.ref('excluded.duration_sum'),
        duration_count: eb.ref('excluded.duration_count'),
        avg_duration_seconds: eb.ref('excluded.avg_duration_seconds'),
        unique_sessions: eb.ref('excluded.unique_sessions'),
        duration_histogram: eb.ref('excluded.duration_histogram'),
      })),
    );

/** Daily rows are additive: the database adds the batch's delta to what it has. */
export const addDays: RowsStatement<DailySkillsTable> = (db, rows) =>
  db
    .insertInto('mv_daily_skills')
    .values(rows)
    .onConflict((oc) =>
      oc.columns(['date', 'skill_name']).doUpdateSet({
        invocations: sql`mv_daily_skills.invocations + excluded.invocations`,
        completions: sql`mv_daily_skills.completions + excluded.completions`,
        abandonments: sql`mv_daily_skills.abandonments + excluded.abandonments`,
        duration_sum: sql`mv_daily_skills.duration_sum + excluded.duration_sum`,
        duration_count: sql`mv_daily_skills.duration_count + excluded.duration_count`,
        avg_duration_seconds: sql`case when mv_daily_skills.duration_count + excluded.duration_count > 0
          then (mv_daily_skills.duration_sum + excluded.duration_sum)
             / (mv_daily_skills.duration_count + excluded.duration_count) end`,
      }),
    );

export const addSessionSkills: RowsStatement<SessionSkillsTable> = (db, rows) =>
  db
    .insertInto('session_skills')
    .values(rows)
    .onConflict((oc) =>
      oc.columns(['session_id', 'skill_name']).doUpdateSet({
        invocation_count: sql`session_skills.invocation_count + excluded.invocation_count`,
        first_used: sql`case when excluded.first_used < session_skills.first_used
          then excluded.first_used else session_skills.first_used end`,
        last_used: sql`case when excluded.last_used > session_skills.last_used
          then excluded.last_used else session_skills.last_used end`,
      }),
    );

export interface SkillKey {
  skill_name: string;
}

/** A skill's lifetime totals and, from the same read, where its cached 24-hour window stands. */
export type SkillState = SkillMetricsTable & { cache_window_end: number | null; cache_hourly_window: string | null };

export const findSkillMetrics: KeysLookup<SkillKey> = (db, keys) =>
  db
    .selectFrom('skill_metrics as m')
    .leftJoin('skill_metrics_cache as c', 'c.skill_name', 'm.skill_name')
    .selectAll('m')
    .select(['c.window_end as cache_window_end', 'c.hourly_window as cache_hourly_window'])
    .where(
      'm.skill_name',
      'in',
      keys.map((key) => key.skill_name),
    );

export const upsertSkillMetrics: RowsStatement<SkillMetricsTable> = (db, rows) =>
  db
    .insertInto('skill_metrics')
    .values(rows)
    .onConflict((oc) =>
      oc.column('skill_name').doUpdateSet((eb) => ({
        total_invocations: eb.ref('excluded.total_invocations'),
        completed_invocations: eb.ref('excluded.completed_invocations'),
        abandoned_invocations: eb.ref('excluded.abandoned_invocations'),
        total_duration_seconds: eb.ref('excluded.total_duration_seconds'),
        timed_completions: eb.ref('excluded.timed_completions'),
        avg_duration_seconds: eb.ref('excluded.avg_duration_seconds'),
        completion_rate: eb.ref('excluded.completion_rate'),
        first_invoked: eb.ref('excluded.first_invoked'),
        last_invoked: eb.ref('excluded.last_invoked'),
        workflow_paths: eb.ref('excluded.workflow_paths'),
        common_errors: eb.ref('excluded.common_errors'),
        follow_up_actions: eb.ref('excluded.follow_up_actions'),
        workflow_phases: eb.ref('excluded.workflow_phases'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    );

/** The hourly rows of some skills between two hours (inclusive): one query per batch. */
export const findHourRange = (db: Kysely<SkillsDatabase>, skills: string[], from: number, to: number) =>
  db
    .selectFrom('skill_time_series')
    .select(['skill_name', 'hour_start', 'invocation_count', 'completed_count'])
    .where('skill_name', 'in', skills)
    .where('hour_start', '>=', from)
    .where('hour_start', '<=', to);

export type MetricsCacheRow = Omit<SkillMetricsCacheTable, 'is_anomalous' | 'anomaly_score'>;

/** The anomaly columns belong to anomaly detection; the recorder leaves them as they are. */
export const upsertMetricsCache: RowsStatement<MetricsCacheRow> = (db, rows) =>
  db
    .insertInto('skill_metrics_cache')
    .values(rows)
    .onConflict((oc) =>
      oc.column('skill_name').doUpdateSet((eb) => ({
        last_invocation_at: eb.ref('excluded.last_invocation_at'),
        window_end: eb.ref('excluded.window_end'),
        invocation_count_1h: eb.ref('excluded.invocation_count_1h'),
        invocation_count_24h: eb.ref('excluded.invocation_count_24h'),
        completed_count_24h: eb.ref('excluded.completed_count_24h'),
        avg_completion_rate_24h: eb.ref('excluded.avg_completion_rate_24h'),
        updated_at: eb.ref('excluded.updated_at'),
        hourly_window: eb.ref('excluded.hourly_window'),
      })),
    );

/** Per (pseudonymised user, skill): additive, like session_skills. */
export const addUserInteractions: RowsStatement<SkillUserInteractionsTable> = (db, rows) =>
  db
    .insertInto('skill_user_interactions')
    .values(rows)
    .onConflict((oc) =>
      oc.columns(['user_id', 'skill_name']).doUpdateSet({
        invocation_count: sql`skill_user_interactions.invocation_count + excluded.invocation_count`,
        completed_count: sql`skill_user_interactions.completed_count + excluded.completed_count`,
        first_used: sql`case when excluded.first_used < skill_user_interactions.first_used
          then excluded.first_used else skill_user_interactions.first_used end`,
        last_used: sql`case when excluded.last_used > skill_user_interactions.last_used
          then excluded.last_used else skill_user_interactions.last_used end`,
      }),
    );

export interface UserKey {
  user_id: string;
}

/** Which of some pseudonyms opted out (asked to be forgotten). */
export const findOptOuts: KeysLookup<UserKey> = (db, keys) =>
  db
    .selectFrom('skill_user_opt_outs')
    .select('user_id')
    .where(
      'user_id',
      'in',
      keys.map((key) => key.user_id),
    );
