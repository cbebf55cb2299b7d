import { sql, type Kysely } from 'kysely';
import { DAY_MS, HOUR_MS } from './rollups/aggregate.js';
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
  const compare = (
    table: RollupMismatch['table'],
    expected: Map<string, Record<string, number | null>>,
    stored: Map<string, Record<string, number | null>>,
  ) => {
    for (const key of new Set([...expected.keys(), ...stored.keys()])) {
      const want = expected.get(key);
      const have = stored.get(key);
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

  const metrics = await db
    .selectFrom('skill_invocation')
    .select((eb) => ['skill_name', eb.fn.countAll<number>().as('total'), eb.fn.sum<number>('completed').as('completed'), completedDuration.as('duration'), timed.as('timed'), eb.fn.min('invoked_at').as('first'), eb.fn.max('invoked_at').as('last')])
    .groupBy('skill_name')
    .execute();
  const storedMetrics = await db.selectFrom('skill_metrics').selectAll().execute();
  compare(
    'skill_metrics',
    keyed(metrics, (r) => r.skill_name, (r) => ({ total_invocations: num(r.total), completed_invocations: num(r.completed), total_duration_seconds: num(r.duration) ?? 0, timed_completions: num(r.timed), first_invoked: num(r.first), last_invoked: num(r.last) })),
    keyed(storedMetrics, (r) => r.skill_name, (r) => ({ total_invocations: r.total_invocations, completed_invocations: r.completed_invocations, total_duration_seconds: r.total_duration_seconds, timed_completions: r.timed_completions, first_invoked: r.first_invoked, last_invoked: r.last_invoked })),
  );

  const sessions = await db
    .selectFrom('skill_invocation')
    .select((eb) => ['session_id', 'skill_name', eb.fn.countAll<number>().as('count'), eb.fn.min('invoked_at').as('first'), eb.fn.max('invoked_at').as('last')])
    .groupBy(['session_id', 'skill_name'])
    .execute();
  const storedSessions = await db.selectFrom('session_skills').selectAll().execute();
  compare(
    'session_skills',
    keyed(sessions, (r) => `${r.session_id}/${r.skill_name}`, (r) => ({ invocation_count: num(r.count), first_used: num(r.first), last_used: num(r.last) })),
    keyed(storedSessions, (r) => `${r.session_id}/${r.skill_name}`, (r) => ({ invocation_count: r.invocation_count, first_used: r.first_used, last_used: r.last_used })),
  );

  const hourStart = sql<number>`invoked_at - invoked_at % ${sql.lit(HOUR_MS)}`;
  const hours = await db
    .selectFrom('skill_invocation')
    .select((eb) => ['skill_name', hourStart.as('hour_start'), eb.fn.countAll<number>().as('count'), eb.fn.sum<number>('completed').as('completed'), timed.as('timed'), eb.fn.count<number>('session_id').distinct().as('sessions')])
    .groupBy(['skill_name', hourStart])
    .execute();
  const storedHours = await db.selectFrom('skill_time_series').selectAll().execute();
  compare(
    'skill_time_series',
    keyed(hours, (r) => `${r.skill_name}@${num(r.hour_start)}`, (r) => ({ invocation_count: num(r.count), completed_count: num(r.completed), duration_count: num(r.timed), unique_sessions: num(r.sessions) })),
    keyed(storedHours, (r) => `${r.skill_name}@${r.hour_start}`, (r) => ({ invocation_count: r.invocation_count, completed_count: r.completed_count, duration_count: r.duration_count, unique_sessions: r.unique_sessions })),
  );

  const dayStart = sql<number>`invoked_at - invoked_at % ${sql.lit(DAY_MS)}`;
  const days = await db
    .selectFrom('skill_invocation')
    .select((eb) => ['skill_name', dayStart.as('date'), eb.fn.countAll<number>().as('count'), eb.fn.sum<number>('completed').as('completed'), timed.as('timed')])
    .groupBy(['skill_name', dayStart])
    .execute();
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
    compare('skill_user_interactions', keyed(expected, key, counts), keyed(stored, key, counts));
  }
  return mismatches;
}
