import { ValidationError } from '../errors.js';
import type { Store } from '../store.js';
import { INVOCATION_COLUMNS, toInvocation, type Invocation } from './invocation-view.js';
import { checkLimit } from './time-window.js';

export interface ListInvocationsOptions {
  skill?: string;
  user?: string;
  session?: string;
  phase?: string;
  /** Inclusive lower bound of invoked_at (epoch ms). */
  since?: number;
  /** Exclusive upper bound of invoked_at (epoch ms). */
  until?: number;
  /** 1–10,000, default 100. */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
  /** Newest first (default) or oldest first. */
  order?: 'desc' | 'asc';
  /** Include the embedding vector (default false). */
  includeEmbedding?: boolean;
}

export interface InvocationPage {
  items: Invocation[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
}

/**
 * Invocations matching the filters, a page at a time (keyset paging on invoked_at, id: stable
 * while new rows arrive).
 * @example
 * let page = await listInvocations(store, { skill: 'pytest-run', limit: 50 });
 * while (page.nextCursor) page = await listInvocations(store, { skill: 'pytest-run', cursor: page.nextCursor });
 */
export async function listInvocations(store: Store, options: ListInvocationsOptions = {}): Promise<InvocationPage> {
  const limit = checkLimit(options.limit, 100, 10_000);
  const order = options.order ?? 'desc';
  if (order !== 'asc' && order !== 'desc') {
    throw new ValidationError([{ index: -1, field: 'order', message: 'expected "asc" or "desc"' }]);
  }
  const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor);

  let query = store.db
    .selectFrom('skill_invocation')
    .select(options.includeEmbedding ? [...INVOCATION_COLUMNS, 'embedding'] : INVOCATION_COLUMNS);
  if (options.skill !== undefined) query = query.where('skill_name', '=', options.skill);
  if (options.user !== undefined) query = query.where('user_id', '=', options.user);
  if (options.session !== undefined) query = query.where('session_id', '=', options.session);
  if (options.phase !== undefined) query = query.where('workflow_phase', '=', options.phase);
  if (options.since !== undefined) query = query.where('invoked_at', '>=', options.since);
  if (options.until !== undefined) query = query.where('invoked_at', '<', options.until);
  if (after) {
    const op = order === 'desc' ? '<' : '>';
    query = query.where((eb) =>
      eb.or([eb('invoked_at', op, after.invokedAt), eb.and([eb('invoked_at', '=', after.invokedAt), eb('id', op, after.id)])]),
    );
  }
  const rows = await query
    .orderBy('invoked_at', order)
    .orderBy('id', order)
    .limit(limit + 1)
    .execute();
  const items = rows.slice(0, limit).map(toInvocation);
  const last = items[items.length - 1];
  return {
    items,
    nextCursor: rows.length > limit && last ? encodeCursor(last.invoked_at, last.id) : null,
  };
}

function encodeCursor(invokedAt: number, id: string): string {
  return Buffer.from(`${invokedAt}:${id}`).toString('base64url');
}

function decodeCursor(cursor: string): { invokedAt: number; id: string } {
  const text = Buffer.from(cursor, 'base64url').toString();
  const match = /^(\d+):(.+)$/.exec(text);
  if (!match) throw new ValidationError([{ index: -1, field: 'cursor', message: 'not a cursor returned by listInvocations' }]);
  return { invokedAt: Number(match[1]), id: match[2]! };
}
