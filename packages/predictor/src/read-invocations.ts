import type { Store } from '@skills/storage';

/** The columns a training pass reads. */
export interface TrainingRow {
  id: string;
  skill_name: string;
  invoked_at: number;
  session_id: string;
  user_id: string | null;
  workflow_phase: string | null;
  completed: number;
  user_query: string | null;
}

/** How many invocations fall in [since, until). */
export async function countInvocations(store: Store, since: number, until: number): Promise<number> {
  const row = await store.db
    .selectFrom('skill_invocation')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('invoked_at', '>=', since)
    .where('invoked_at', '<', until)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/**
 * Pages through [since, until) in (invoked_at, id) order with a keyset cursor on the invoked_at
 * index, so memory holds one page and rows arriving meanwhile never shift a page.
 */
export async function* readInvocationsInOrder(
  store: Store,
  since: number,
  until: number,
  pageSize = 10_000,
): AsyncGenerator<TrainingRow[]> {
  let after: { at: number; id: string } | null = null;
  for (;;) {
    const cursor: { at: number; id: string } | null = after;
    let query = store.db
      .selectFrom('skill_invocation')
      .select(['id', 'skill_name', 'invoked_at', 'session_id', 'user_id', 'workflow_phase', 'completed', 'user_query'])
      .where('invoked_at', '<', until)
      .orderBy('invoked_at')
      .orderBy('id')
      .limit(pageSize);
    query = cursor
      ? query.where((eb) => eb.or([eb('invoked_at', '>', cursor.at), eb.and([eb('invoked_at', '=', cursor.at), eb('id', '>', cursor.id)])]))
      : query.where('invoked_at', '>=', since);
    const page = (await query.execute()) as TrainingRow[];
    if (page.length === 0) return;
    yield page;
    if (page.length < pageSize) return;
    const last = page[page.length - 1]!;
    after = { at: Number(last.invoked_at), id: last.id };
  }
}
