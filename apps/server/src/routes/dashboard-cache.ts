import type { Store } from '@skills/storage';
import { onAnomalies } from '@skills/timeseries';

/** How long an answer is kept at most: other instances' batches (PostgreSQL) are not heard here. */
const TTL_MS = 15_000;
const MAX_ENTRIES = 64;

interface Entry {
  /** [from, until) of the invocations the answer depends on: a batch inside it drops the answer. */
  from: number;
  until: number;
  at: number;
  value: Promise<unknown>;
}

interface Cache {
  entries: Map<string, Entry>;
}

const caches = new WeakMap<Store, Cache>();

function cacheOf(store: Store): Cache {
  const cache = caches.get(store);
  if (cache !== undefined) return cache;
  const created: Cache = { entries: new Map() };
  // A batch drops only the answers whose span it falls in: a view of last January stays cached
  // while today's invocations arrive; a new anomaly drops everything (the totals count them).
  store.onRecorded((event) => {
    if (event.inserted === 0) return;
    for (const [key, entry] of created.entries) {
      if (event.lastInvokedAt >= entry.from && event.firstInvokedAt < entry.until) created.entries.delete(key);
    }
  });
  onAnomalies(store, () => created.entries.clear());
  caches.set(store, created);
  return created;
}

/**
 * The dashboard's heavier answers (totals, skills table), kept until a batch recorded in this
 * process falls in the span they read, an anomaly is recorded, or 15 s pass; so reloading a view,
 * or a second person opening it, costs no second scan.
 */
export function cachedRead<T>(
  store: Store,
  key: string,
  span: { from: number; until: number },
  now: number,
  compute: () => Promise<T>,
): Promise<T> {
  const cache = cacheOf(store);
  const hit = cache.entries.get(key);
  if (hit !== undefined && now - hit.at <= TTL_MS && now >= hit.at) return hit.value as Promise<T>;
  const value = compute();
  cache.entries.set(key, { ...span, at: now, value });
  value.catch(() => cache.entries.delete(key));
  while (cache.entries.size > MAX_ENTRIES) cache.entries.delete(cache.entries.keys().next().value!);
  return value;
}
