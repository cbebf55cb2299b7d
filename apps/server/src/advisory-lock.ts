import type { Store } from '@skills/storage';
import { sql } from 'kysely';

/**
 * `work()` under a PostgreSQL session advisory lock named `name` (scoped to the store's schema),
 * so one of several server instances runs a job; `{ ran: false, reason: 'locked' }` when another
 * instance holds it. On SQLite (one process) `work()` simply runs.
 * @example await withAdvisoryLock(store, 'postgres', 'skills-retention-job', () => prune(now))
 */
export async function withAdvisoryLock<T>(
  store: Store,
  dialect: 'sqlite' | 'postgres',
  name: string,
  work: () => Promise<T>,
): Promise<{ ran: true; result: T } | { ran: false; reason: 'locked' }> {
  if (dialect !== 'postgres') return { ran: true, result: await work() };
  return store.db.connection().execute(async (connection) => {
    const { rows } = await sql<{
      locked: boolean;
    }>`select pg_try_advisory_lock(hashtext(${name} || ':' || current_schema())) as locked`.execute(connection);
    if (!rows[0]?.locked) return { ran: false, reason: 'locked' } as const;
    try {
      return { ran: true, result: await work() } as const;
    } finally {
      await sql`select pg_advisory_unlock(hashtext(${name} || ':' || current_schema()))`.execute(connection);
    }
  });
}
