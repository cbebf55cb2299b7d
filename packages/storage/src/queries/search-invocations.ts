import { hasPendingSearchRows, indexPendingSearchRows } from '@skills/migrations';
import { sql } from 'kysely';
import { ValidationError } from '../errors.js';
import { internals, type Store } from '../store.js';
import { INVOCATION_COLUMNS, toInvocation, type Invocation } from './invocation-view.js';
import { checkLimit } from './time-window.js';

export interface SearchOptions {
  /** 1–1000, default 20. */
  limit?: number;
  skill?: string;
}

/**
 * Full-text search over user queries (every word must match; stemmed English), best match
 * first: FTS5 with BM25 on SQLite, tsvector with ts_rank on PostgreSQL.
 * @example await searchInvocations(store, 'failing tests auth')
 */
export async function searchInvocations(store: Store, text: string, options: SearchOptions = {}): Promise<Invocation[]> {
  const limit = checkLimit(options.limit, 20, 1000);
  const words = typeof text === 'string' ? (text.match(/[\p{L}\p{N}_]+/gu) ?? []) : [];
  if (words.length === 0) {
    throw new ValidationError([{ index: -1, field: 'text', message: 'expected at least one word to search for' }]);
  }
  const columns = sql.join(INVOCATION_COLUMNS.map((column) => sql.ref(`i.${column}`)));
  const skillFilter = options.skill === undefined ? sql`` : sql`and i.skill_name = ${options.skill}`;
  const { driver } = internals(store);

  if (driver.kind === 'sqlite') {
    await refreshSearchIndex(store);
    // Each word quoted, so FTS5 operators typed by a user are searched for, not executed.
    const match = words.map((word) => `"${word}"`).join(' ');
    const result = await sql<Parameters<typeof toInvocation>[0]>`
      select ${columns} from skill_invocation_fts f
      join skill_invocation i on i.rowid = f.rowid
      where skill_invocation_fts match ${match} ${skillFilter}
      order by bm25(skill_invocation_fts), i.invoked_at desc
      limit ${limit}`.execute(store.db);
    return result.rows.map(toInvocation);
  }
  const query = words.join(' ');
  const result = await sql<Parameters<typeof toInvocation>[0]>`
    select ${columns} from skill_invocation i
    where i.user_query_tsv @@ plainto_tsquery('english', ${query}) ${skillFilter}
    order by ts_rank(i.user_query_tsv, plainto_tsquery('english', ${query})) desc, i.invoked_at desc
    limit ${limit}`.execute(store.db);
  return result.rows.map(toInvocation);
}

/**
 * Bring the full-text index up to date. On SQLite rows are not indexed as they are inserted
 * (indexing each one would cost more than the insert): every row stored since the last call is
 * indexed here in one pass. `searchInvocations` calls this itself, so call it only to move the
 * cost off the first search after a large import.
 * Returns the number of rows indexed (always 0 on PostgreSQL, whose index is always current).
 * @example await refreshSearchIndex(store) // 20000
 */
export async function refreshSearchIndex(store: Store): Promise<number> {
  const { driver } = internals(store);
  if (driver.kind !== 'sqlite') return 0;
  if (!(await hasPendingSearchRows(store.db))) return 0;
  return driver.maintenanceTransaction((db) => indexPendingSearchRows(db));
}
