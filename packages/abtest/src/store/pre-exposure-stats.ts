import { writeTransaction, type Store } from '@skills/storage';
import { sql } from 'kysely';

/**
 * Fills the CUPED covariate of every user of the experiment that lacks it: ONE grouped pass over
 * skill_invocation joined to the experiment's user rows on user_id, counting only invocations
 * before each user's assigned_at. There is no index on skill_invocation.user_id, so the join is
 * written with the invocations first (SQLite keeps FROM order for CROSS JOIN and probes the user
 * rows' primary key; PostgreSQL hash-joins). Users without history get zeros and every filled row
 * gets `pre_computed_at`, so later analyses never rescan. Returns the number of users filled.
 */
export async function fillPreExposureStats(store: Store, experimentId: string, now = Date.now()): Promise<number> {
  return writeTransaction(store, async (trx) => {
    const pending = await trx
      .selectFrom('ab_test_user_stats')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('test_id', '=', experimentId)
      .where('pre_computed_at', 'is', null)
      .executeTakeFirstOrThrow();
    if (Number(pending.n) === 0) return 0;
    await sql`
      UPDATE ab_test_user_stats
      SET pre_invocations = s.n, pre_completions = s.c, pre_duration_count = s.dc,
          pre_log_duration_sum = s.ls, pre_computed_at = ${now},
          pre_rate = CAST(s.c AS DOUBLE PRECISION) / s.n,
          pre_mean_log_duration = CASE WHEN s.dc > 0 THEN s.ls / s.dc END
      FROM (
        SELECT u.user_id AS user_id, COUNT(*) AS n, SUM(i.completed) AS c,
               SUM(CASE WHEN i.duration_seconds > 0 THEN 1 ELSE 0 END) AS dc,
               SUM(CASE WHEN i.duration_seconds > 0 THEN ln(i.duration_seconds) ELSE 0 END) AS ls
        FROM skill_invocation i CROSS JOIN ab_test_user_stats u
        WHERE u.test_id = ${experimentId} AND u.pre_computed_at IS NULL
          AND u.user_id = i.user_id AND i.invoked_at < u.assigned_at
        GROUP BY u.user_id
      ) s
      WHERE ab_test_user_stats.test_id = ${experimentId}
        AND ab_test_user_stats.user_id = s.user_id
        AND ab_test_user_stats.pre_computed_at IS NULL`.execute(trx);
    await trx
      .updateTable('ab_test_user_stats')
      .set({ pre_invocations: 0, pre_completions: 0, pre_duration_count: 0, pre_log_duration_sum: 0, pre_computed_at: now })
      .where('test_id', '=', experimentId)
      .where('pre_computed_at', 'is', null)
      .execute();
    return Number(pending.n);
  });
}
