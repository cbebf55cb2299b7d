import { sql, type Kysely } from 'kysely';
import { DAY_MS, HOUR_MS } from './rollups/aggregate.js';
import { readPrunedBefore } from './prune.js';
import { internals, type Store } from './store.js';
import { recomputeUserInteractions, type Pseudonymise } from './user-pseudonyms.js';
import type { SkillsDatabase, SkillUserInteractionsTable } from './schema.js';

/** One rollup row that disagrees with a recomputation from `skill_invocation`. */
export interface RollupMismatch {
  table: 'skill_metrics' | 'session_skills' | 'skill_time_series' | 'mv_daily_skills' | 'skill_user_interactions';
  key: string;
  column: string;
  stored: number | null;
  expected: number | null;
}

const TOLERANCE = 1e-6;

/**
 * Recompute the count rollups with plain GROUP BY queries over `skill_invocation` and compare
 * them with the stored ones (and `skill_user_interactions` when the store keeps it). An empty list means the store is consistent (after a crash, a
 * kill -9 in the middle of an import, or a restore). Reads every invocation: O(n). Every read
 * runs in one read transaction (PostgreSQL: REPEATABLE READ), so batches recorded meanwhile are
 * either wholly in what it compares or wholly out, and never show as mismatches.
 *
 * A pruned store (see `pruneInvocations`) is checked by what it still holds: from the cut on,
 * every rollup exactly against the raw invocations; before it, each day against the sum of its
 * hours; the lifetime totals against the raw invocations plus the hours before the cut (first and
 * last use to the hour where only hours remain); a session's (or user's) row that began before
 * the cut must count at least its remaining invocations and end at the last of them.
 * @example const problems = await verifyRollups(store); if (problems.length) console.table(problems);
 */
export async function verifyRollups(store: Store, limit = 100): Promise<RollupMismatch[]> {
  return store.db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute((trx) => compareRollups(trx, internals(store).pseudonymise, limit));
}

async function compareRollups(db: Kysely<SkillsDatabase>, pseudonymise: Pseudonymise | undefined, limit: number): Promise<RollupMismatch[]> {
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
  const keyed = <R>(rows: R[], key: (row: R) => string, values: (row: R) => Record<string, number | null>) =>
    new Map(rows.map((row) => [key(row), values(row)]));
  const num = (value: unknown) => (value === null || value === undefined ? null : Number(value));
  const completedDuration = sql<number>`sum(case when completed = 1 and duration_seconds is not null then duration_seconds end)`;
  const timed = sql<number>`sum(case when completed = 1 and duration_seconds is not null then 1 else 0 end)`;

  let metricsQuery = db
    .selectFrom('skill_invocation')
    .select((eb) => ['skill_name', eb.fn.countAll<number>().as('total'), eb.fn.sum<number>('completed').as('completed'), completedDuration.as('duration'), timed.as('timed'), eb.fn.min('invoked_at').as('first'), eb.fn.max('invoked_at').as('last')])
    .groupBy('skill_name');
  if (cut !== null) metricsQuery = metricsQuery.where('invoked_at', '>=', cut);
  const metrics = await metricsQuery.execute();
  const storedMetrics = await db.selectFrom('skill_metrics').selectAll().execute();
  const expectedMetrics = keyed(metrics, (r) => r.skill_name, (r) => ({ total_invocations: num(r.total), completed_invocations: num(r.completed), total_duration_seconds: num(r.duration) ?? 0, timed_completions: num(r.timed), first_invoked: num(r.first), last_invoked: num(r.last) }));
  const storedMetricRows = keyed(storedMetrics, (r) => r.skill_name, (r) => ({ total_invocations: r.total_invocations, completed_invocations: r.completed_invocations, total_duration_seconds: r.total_duration_seconds, timed_completions: r.timed_completions, first_invoked: r.first_invoked, last_invoked: r.last_invoked }));
  if (cut !== null) {
    // Before the cut only the hours remain: add them, and know first and last use to the hour.
    const pruned = await db
      .selectFrom('skill_time_series')
      .select((eb) => ['skill_name', eb.fn.sum<number>('invocation_count').as('total'), eb.fn.sum<number>('completed_count').as('completed'), eb.fn.sum<number>('duration_sum').as('duration'), eb.fn.sum<number>('duration_count').as('timed'), eb.fn.min('hour_start').as('first'), eb.fn.max('hour_start').as('last')])
      .where('hour_start', '<', cut)
      .groupBy('skill_name')
      .execute();
    const hourOf = (ms: number | null) => (ms === null ? null : ms - (((ms % HOUR_MS) + HOUR_MS) % HOUR_MS));
    for (const p of pruned) {
      const raw = expectedMetrics.get(p.skill_name);
      expectedMetrics.set(p.skill_name, {
        total_invocations: (num(raw?.total_invocations) ?? 0) + (num(p.total) ?? 0),
        completed_invocations: (num(raw?.completed_invocations) ?? 0) + (num(p.completed) ?? 0),
        total_duration_seconds: (num(raw?.total_duration_seconds) ?? 0) + (num(p.duration) ?? 0),
        timed_completions: (num(raw?.timed_completions) ?? 0) + (num(p.timed) ?? 0),
        first_invoked: num(p.first),
        last_invoked: raw ? raw.last_invoked ?? null : num(p.last),
      });
      const have = storedMetricRows.get(p.skill_name);
      if (have) {
        have.first_invoked = hourOf(have.first_invoked ?? null);
        if (!raw) have.last_invoked = hourOf(have.last_invoked ?? null);
      }
    }
  }
  compare('skill_metrics', expectedMetrics, storedMetricRows);

  const sessions = await db
    .selectFrom('skill_invocation')
    .select((eb) => ['session_id', 'skill_name', eb.fn.countAll<number>().as('count'), eb.fn.min('invoked_at').as('first'), eb.fn.max('invoked_at').as('last')])
    .groupBy(['session_id', 'skill_name'])
    .execute();
  const storedSessions = await db.selectFrom('session_skills').selectAll().execute();
  const sessionsBeforeCut = new Set(cut === null ? [] : storedSessions.filter((r) => r.first_used < cut).map((r) => `${r.session_id}/${r.skill_name}`));
  compare(
    'session_skills',
    keyed(sessions, (r) => `${r.session_id}/${r.skill_name}`, (r) => ({ invocation_count: num(r.count), first_used: num(r.first), last_used: num(r.last) })),
    keyed(storedSessions, (r) => `${r.session_id}/${r.skill_name}`, (r) => ({ invocation_count: r.invocation_count, first_used: r.first_used, last_used: r.last_used })),
    (key) => sessionsBeforeCut.has(key),
  );

  const hourStart = sql<number>`invoked_at - invoked_at % ${sql.lit(HOUR_MS)}`;
  let hoursQuery = db
    .selectFrom('skill_invocation')
    .select((eb) => ['skill_name', hourStart.as('hour_start'), eb.fn.countAll<number>().as('count'), eb.fn.sum<number>('completed').as('completed'), timed.as('timed'), eb.fn.count<number>('session_id').distinct().as('sessions')])
    .groupBy(['skill_name', hourStart]);
  if (cut !== null) hoursQuery = hoursQuery.where('invoked_at', '>=', cut);
  const hours = await hoursQuery.execute();
  let storedHoursQuery = db.selectFrom('skill_time_series').selectAll();
  if (cut !== null) storedHoursQuery = storedHoursQuery.where('hour_start', '>=', cut);
  const storedHours = await storedHoursQuery.execute();
  compare(
    'skill_time_series',
    keyed(hours, (r) => `${r.skill_name}@${num(r.hour_start)}`, (r) => ({ invocation_count: num(r.count), completed_count: num(r.completed), duration_count: num(r.timed), unique_sessions: num(r.sessions) })),
    keyed(storedHours, (r) => `${r.skill_name}@${r.hour_start}`, (r) => ({ invocation_count: r.invocation_count, completed_count: r.completed_count, duration_count: r.duration_count, unique_sessions: r.unique_sessions })),
  );

  const dayStart = sql<number>`invoked_at - invoked_at % ${sql.lit(DAY_MS)}`;
  let daysQuery = db
    .selectFrom('skill_invocation')
    .select((eb) => ['skill_name', dayStart.as('date'), eb.fn.countAll<number>().as('count'), eb.fn.sum<number>('completed').as('completed'), timed.as('timed')])
    .groupBy(['skill_name', dayStart]);
  if (cut !== null) daysQuery = daysQuery.where('invoked_at', '>=', cut);
  const days = await daysQuery.execute();
  if (cut !== null) {
    // Days before the cut: each against the sum of its hours (the raw invocations are gone).
    const hourDay = sql<number>`hour_start - hour_start % ${sql.lit(DAY_MS)}`;
    const prunedDays = await db
      .selectFrom('skill_time_series')
      .select((eb) => ['skill_name', hourDay.as('date'), eb.fn.sum<number>('invocation_count').as('count'), eb.fn.sum<number>('completed_count').as('completed'), eb.fn.sum<number>('duration_count').as('timed')])
      .where('hour_start', '<', cut)
      .groupBy(['skill_name', hourDay])
      .execute();
    days.push(...prunedDays);
  }
  const storedDays = await db.selectFrom('mv_daily_skills').selectAll().execute();
  compare(
    'mv_daily_skills',
    keyed(days, (r) => `${r.skill_name}@${num(r.date)}`, (r) => ({ invocations: num(r.count), completions: num(r.completed), duration_count: num(r.timed) })),
    keyed(storedDays, (r) => `${r.skill_name}@${r.date}`, (r) => ({ invocations: r.invocations, completions: r.completions, duration_count: r.duration_count })),
  );

  if (pseudonymise) {
    const expected = await recomputeUserInteractions(db, pseudonymise);
    const stored = await db.selectFrom('skill_user_interactions').selectAll().execute();
    const key = (r: SkillUserInteractionsTable) => `${r.user_id}/${r.skill_name}`;
    const counts = (r: SkillUserInteractionsTable) => ({ invocation_count: r.invocation_count, completed_count: r.completed_count, first_used: r.first_used, last_used: r.last_used });
    const beforeCut = new Set(cut === null ? [] : stored.filter((r) => r.first_used < cut).map(key));
    compare('skill_user_interactions', keyed(expected, key, counts), keyed(stored, key, counts), (k) => beforeCut.has(k));
  }
  return mismatches;
}
