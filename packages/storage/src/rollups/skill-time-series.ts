import { sql, type Kysely } from 'kysely';
import type { KeysLookup, RowsStatement, WriteTx } from '../dialect/store-driver.js';
import type { InvocationRow } from '../invocation.js';
import type { SkillsDatabase, SkillTimeSeriesTable } from '../schema.js';
import { addToHistogram, bucketOf, parseHistogram, serializeHistogram, type DurationHistogram } from './duration-histogram.js';
import { compositeKey, defineRollup, FOLDED_COLUMNS, fromExcluded, HOUR_MS, increment, keyed, normalise, num, run } from './rollup.js';

/** What one batch adds to one skill-hour. */
export interface HourDelta {
  skill: string;
  start: number;
  count: number;
  completed: number;
  durationSum: number;
  durationCount: number;
  histogram: DurationHistogram;
  sessions: Set<string>;
}

/** Per `compositeKey(hour, skill)`. */
export type HourDeltas = Map<string, HourDelta>;

/** `compositeKey(hour, skill, session)` of the skill-hours in which stored invocations already counted a session. */
export type CountedSessions = Set<string>;

/** Hourly rows per skill, with a duration histogram and exact distinct sessions. */
export const skillTimeSeries = defineRollup<HourDeltas, void, CountedSessions>()({
  table: 'skill_time_series',
  prior: sessionsAlreadyCounted,
  delta: hourDeltas,
  async apply(tx, hours, _batch, counted) {
    const deltas = [...hours.values()];
    const existing = await existingHours(tx, deltas);
    const byKey = new Map(existing.map((row) => [compositeKey(row.hour_start, row.skill_name), row]));
    await tx.write(
      upsertHours,
      deltas.map((hour) => mergeHour(hour, byKey.get(compositeKey(hour.start, hour.skill)), counted)),
    );
  },
  async erase(trx, erased) {
    // Each erased skill-hour from the invocations left in it.
    for (const { skill, start } of erased.values()) {
      const left = (await trx
        .selectFrom('skill_invocation')
        .select([...FOLDED_COLUMNS])
        .where('skill_name', '=', skill)
        .where('invoked_at', '>=', start)
        .where('invoked_at', '<', start + HOUR_MS)
        .execute()) as unknown as InvocationRow[];
      const hour = hourDeltas(left.map(normalise)).values().next().value;
      if (hour) await run(trx, upsertHours(trx, [mergeHour(hour, undefined, undefined)]));
      else await trx.deleteFrom('skill_time_series').where('skill_name', '=', skill).where('hour_start', '=', start).execute();
    }
  },
  async recompute(db, { cut }) {
    const hourStart = sql<number>`invoked_at - invoked_at % ${sql.lit(HOUR_MS)}`;
    const timed = sql<number>`sum(case when completed = 1 and duration_seconds is not null then 1 else 0 end)`;
    let hoursQuery = db
      .selectFrom('skill_invocation')
      .select((eb) => [
        'skill_name',
        hourStart.as('hour_start'),
        eb.fn.countAll<number>().as('count'),
        eb.fn.sum<number>('completed').as('completed'),
        timed.as('timed'),
        eb.fn.count<number>('session_id').distinct().as('sessions'),
      ])
      .groupBy(['skill_name', hourStart]);
    if (cut !== null) hoursQuery = hoursQuery.where('invoked_at', '>=', cut);
    let storedQuery = db.selectFrom('skill_time_series').selectAll();
    if (cut !== null) storedQuery = storedQuery.where('hour_start', '>=', cut);
    return {
      expected: keyed(
        await hoursQuery.execute(),
        (r) => `${r.skill_name}@${num(r.hour_start)}`,
        (r) => ({
          invocation_count: num(r.count),
          completed_count: num(r.completed),
          duration_count: num(r.timed),
          unique_sessions: num(r.sessions),
        }),
      ),
      stored: keyed(
        await storedQuery.execute(),
        (r) => `${r.skill_name}@${r.hour_start}`,
        (r) => ({
          invocation_count: r.invocation_count,
          completed_count: r.completed_count,
          duration_count: r.duration_count,
          unique_sessions: r.unique_sessions,
        }),
      ),
    };
  },
});

function hourDeltas(rows: readonly InvocationRow[]): HourDeltas {
  const hours: HourDeltas = new Map();
  for (const row of rows) {
    const start = row.invoked_at - (row.invoked_at % HOUR_MS);
    const key = compositeKey(start, row.skill_name);
    let hour = hours.get(key);
    if (!hour) {
      hour = {
        skill: row.skill_name,
        start,
        count: 0,
        completed: 0,
        durationSum: 0,
        durationCount: 0,
        histogram: new Map(),
        sessions: new Set(),
      };
      hours.set(key, hour);
    }
    hour.count += 1;
    hour.completed += row.completed;
    if (row.completed === 1 && row.duration_seconds !== null) {
      hour.durationSum += row.duration_seconds;
      hour.durationCount += 1;
      increment(hour.histogram, bucketOf(row.duration_seconds));
    }
    hour.sessions.add(row.session_id);
  }
  return hours;
}

/** A skill-hour's row: the stored one (if any) plus the delta, counting only sessions not counted before. */
function mergeHour(hour: HourDelta, old: SkillTimeSeriesTable | undefined, counted: CountedSessions | undefined): SkillTimeSeriesTable {
  let newSessions = 0;
  for (const session of hour.sessions) {
    if (!counted?.has(compositeKey(hour.start, hour.skill, session))) newSessions += 1;
  }
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
    unique_sessions: (old?.unique_sessions ?? 0) + newSessions,
    duration_histogram: serializeHistogram(histogram),
  };
}

interface SessionHourKey {
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
const findSessionHours: KeysLookup<SessionHourKey> = (db, keys) =>
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

async function sessionsAlreadyCounted(tx: WriteTx, rows: readonly InvocationRow[]): Promise<CountedSessions> {
  const keys = new Map<string, SessionHourKey>();
  for (const row of rows) {
    const from = row.invoked_at - (row.invoked_at % HOUR_MS);
    keys.set(compositeKey(from, row.session_id), { session_id: row.session_id, from, to: from + HOUR_MS });
  }
  const found = await tx.lookup<SessionHourKey, { session_id: string; skill_name: string; invoked_at: number }>(findSessionHours, [
    ...keys.values(),
  ]);
  const counted: CountedSessions = new Set();
  for (const row of found) {
    const hour = Number(row.invoked_at) - (Number(row.invoked_at) % HOUR_MS);
    if (keys.has(compositeKey(hour, row.session_id))) counted.add(compositeKey(hour, row.skill_name, row.session_id));
  }
  return counted;
}

interface HourKey {
  skill_name: string;
  hour_start: number;
}

const findHours: KeysLookup<HourKey> = (db, keys) =>
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
const upsertHours: RowsStatement<SkillTimeSeriesTable> = (db, rows) =>
  db
    .insertInto('skill_time_series')
    .values(rows)
    .onConflict((oc) =>
      oc
        .columns(['skill_name', 'hour_start'])
        .doUpdateSet(
          fromExcluded([
            'invocation_count',
            'completed_count',
            'completion_rate',
            'duration_sum',
            'duration_count',
            'avg_duration_seconds',
            'unique_sessions',
            'duration_histogram',
          ]),
        ),
    );

/**
 * The stored hourly rows a batch touches: one range query when the batch spans at most two days
 * (live ingest, time-ordered imports), a lookup per key otherwise.
 */
async function existingHours(tx: WriteTx, hours: HourDelta[]): Promise<SkillTimeSeriesTable[]> {
  let from = Infinity;
  let to = -Infinity;
  for (const hour of hours) {
    if (hour.start < from) from = hour.start;
    if (hour.start > to) to = hour.start;
  }
  if (to - from > 48 * HOUR_MS) {
    return tx.lookup<HourKey, SkillTimeSeriesTable>(
      findHours,
      hours.map((hour) => ({ skill_name: hour.skill, hour_start: hour.start })),
    );
  }
  const skills = [...new Set(hours.map((hour) => hour.skill))];
  return tx.select(
    tx.db
      .selectFrom('skill_time_series')
      .selectAll()
      .where('skill_name', 'in', skills)
      .where('hour_start', '>=', from)
      .where('hour_start', '<=', to),
  );
}

/** The hourly counts of some skills between two hours (inclusive): one query. */
export const findHourRange = (db: Kysely<SkillsDatabase>, skills: string[], from: number, to: number) =>
  db
    .selectFrom('skill_time_series')
    .select(['skill_name', 'hour_start', 'invocation_count', 'completed_count'])
    .where('skill_name', 'in', skills)
    .where('hour_start', '>=', from)
    .where('hour_start', '<=', to);

/** Totals of a skill's stored hours, all of them or those in [from, to): what the day and lifetime rollups sum after an erasure. */
export async function sumHours(db: Kysely<SkillsDatabase>, skill: string, range?: { from: number; to: number }) {
  let query = db
    .selectFrom('skill_time_series')
    .select((eb) => [
      eb.fn.sum<number>('invocation_count').as('count'),
      eb.fn.sum<number>('completed_count').as('completed'),
      eb.fn.sum<number>('duration_sum').as('duration_sum'),
      eb.fn.sum<number>('duration_count').as('duration_count'),
    ])
    .where('skill_name', '=', skill);
  if (range) query = query.where('hour_start', '>=', range.from).where('hour_start', '<', range.to);
  const sums = await query.executeTakeFirstOrThrow();
  return {
    count: Number(sums.count ?? 0),
    completed: Number(sums.completed ?? 0),
    durationSum: Number(sums.duration_sum ?? 0),
    durationCount: Number(sums.duration_count ?? 0),
  };
}
