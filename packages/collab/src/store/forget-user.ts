import { forgetUserInteractions, type Store } from '@skills/storage';
import { clearCollabCache } from './collab-cache.js';

/**
 * Forgets a user in every collaborative table: their interactions are deleted, their pseudonym is
 * recorded as opted out so later invocations and rebuilds leave them out, and every cached
 * population and answer of the store is dropped, so they stop appearing as anyone's neighbour at
 * once. Their raw invocations stay in `skill_invocation` (the recorded log; metrics do not depend
 * on who ran a skill). Idempotent. Returns the interaction rows removed.
 *
 * @example await forgetUser(store, 'ann') // 14
 */
export async function forgetUser(store: Store, userId: string): Promise<number> {
  try {
    return await forgetUserInteractions(store, userId);
  } finally {
    clearCollabCache(store);
  }
}
