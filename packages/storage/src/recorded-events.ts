import { setImmediate as nextMacrotask } from 'node:timers/promises';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { ulid } from 'ulid';
import { createPostgresDriver } from './dialect/postgres/postgres-driver.js';
import type { StoreDriver, WriteTx } from './dialect/store-driver.js';
import { StoreOpenError } from './errors.js';
import type { InvocationRow } from './invocation.js';
import { INVOCATION_COLUMNS, toInvocation, type Invocation } from './queries/invocation-view.js';
import { insertInvocations } from './insert-invocations.js';
import type { SkillsDatabase } from './schema.js';
import type { RecordedEvent, Store } from './store.js';
import type { Pseudonymise } from './user-pseudonyms.js';

/**
 * Recorded events across processes. In-process, `store.onRecorded` hears each batch the store
 * itself commits. On PostgreSQL every recording transaction also sends `pg_notify` on a channel
 * named after the schema, carrying only the batch's ids (split so each payload stays under
 * PostgreSQL's 8,000-byte limit); a listener in another process reads the rows back. Notifications
 * are delivered on commit, in commit order, so a listener hears every batch committed while it
 * listens, once. SQLite has no such channel: there, events stay in-process.
 */

/** An invocation as carried by a recorded event: as `listInvocations` shows it, without the embedding. */
export type RecordedInvocation = Omit<Invocation, 'embedding'>;

/** Where the PostgreSQL store lives, for the listening connection. */
export interface RemoteLocation {
  url: string;
  schema: string | undefined;
}

/** Byte budget of one payload: PostgreSQL refuses 8,000 bytes or more. */
const MAX_PAYLOAD_BYTES = 7_900;
const CHANNEL_SQL = sql<string>`'skills_recorded_' || md5(current_schema())`;

export function toRecordedInvocation(row: InvocationRow): RecordedInvocation {
  const { embedding: _embedding, ...rest } = row;
  return toInvocation(rest);
}

/**
 * The ids of a committed batch as notification payloads, each under the byte limit:
 * `{"o":origin,"b":batch,"p":part,"n":parts,"d":duplicates,"ids":[…]}`.
 */
export function batchPayloads(origin: string, ids: readonly string[], duplicates: number): string[] {
  const batch = ulid();
  const head = (part: number, parts: number) => `{"o":"${origin}","b":"${batch}","p":${part},"n":${parts},"d":${duplicates},"ids":[`;
  // Ids are ASCII without quotes or backslashes (the schema allows [\w.:-]); a generous head size
  // leaves room for any part number.
  const budget = MAX_PAYLOAD_BYTES - head(999_999, 999_999).length - 2;
  const groups: string[][] = [];
  let group: string[] = [];
  let size = 0;
  for (const id of ids) {
    const cost = id.length + 3;
    if (group.length > 0 && size + cost > budget) {
      groups.push(group);
      group = [];
      size = 0;
    }
    group.push(id);
    size += cost;
  }
  if (group.length > 0) groups.push(group);
  return groups.map((part, i) => `${head(i, groups.length)}${part.map((id) => JSON.stringify(id)).join(',')}]}`);
}

/**
 * Wraps a PostgreSQL driver so that each recording transaction, after its work and before its
 * commit, notifies the ids it inserted. Other drivers are returned unchanged.
 */
export function notifyingDriver(driver: StoreDriver, origin: string): StoreDriver {
  if (driver.kind !== 'postgres') return driver;
  return {
    ...driver,
    writeTransaction(work) {
      return driver.writeTransaction(async (tx) => {
        const inserted: string[] = [];
        let offered = 0;
        const watched: WriteTx = {
          ...tx,
          db: tx.db,
          async insertIgnore(statement, rows, keyColumns) {
            const flags = await tx.insertIgnore(statement, rows, keyColumns);
            if (statement === (insertInvocations as unknown)) {
              offered += rows.length;
              rows.forEach((row, i) => {
                if (flags[i]) inserted.push((row as unknown as InvocationRow).id);
              });
            }
            return flags;
          },
        };
        const result = await work(watched);
        const payloads = batchPayloads(origin, inserted, offered - inserted.length);
        // One round trip whatever the number of parts.
        if (payloads.length > 0) {
          await tx.select(
            tx.db
              .selectFrom(sql<{ payload: string }>`unnest(${payloads}::text[])`.as('part'))
              .select(sql<unknown>`pg_notify(${CHANNEL_SQL}, part)`.as('sent')),
          );
        }
        return result;
      });
    },
  };
}

/** What the listening connection hands to its subscribers, in commit order. */
type Notice = { kind: 'batch'; own: boolean; event: RecordedEvent } | { kind: 'marker'; token: string };

interface Part {
  parts: number;
  duplicates: number;
  ids: string[][];
  received: number;
}

/**
 * One LISTEN connection per store, shared by its watchers, opened on first use and closed with the
 * last watcher (or the store). A lost connection is reported and reopened; batches committed while
 * it was down are not heard.
 */
export class RemoteFeed {
  private client: pg.Client | undefined;
  private connecting: Promise<void> | undefined;
  private readonly subscribers = new Set<(notice: Notice) => void>();
  private readonly errorHandlers = new Set<(error: unknown) => void>();
  private readonly pending = new Map<string, Part>();
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly location: RemoteLocation,
    private readonly db: Kysely<SkillsDatabase>,
    private readonly origin: string,
    private readonly pseudonymise: Pseudonymise | undefined,
    private readonly onListenerError: (error: unknown) => void,
  ) {}

  /** Resolves once the connection listens; the returned function unsubscribes. */
  async subscribe(listener: (notice: Notice) => void, onError?: (error: unknown) => void): Promise<() => Promise<void>> {
    this.subscribers.add(listener);
    if (onError) this.errorHandlers.add(onError);
    try {
      await this.connect();
    } catch (error) {
      this.subscribers.delete(listener);
      if (onError) this.errorHandlers.delete(onError);
      throw error;
    }
    return async () => {
      this.subscribers.delete(listener);
      if (onError) this.errorHandlers.delete(onError);
      if (this.subscribers.size === 0) await this.disconnect();
    };
  }

  /**
   * Runs `read` on a snapshot taken holding the writers' lock, and notifies a marker at that
   * point, behind every batch the snapshot holds and ahead of every batch it does not. The lock is
   * held only while the snapshot is exported and imported, not during the read.
   */
  async marker<T>(driver: StoreDriver, token: string, read: (db: Kysely<SkillsDatabase>) => Promise<T>): Promise<T> {
    let exported!: (id: string) => void;
    let failed!: (error: unknown) => void;
    const snapshotId = new Promise<string>((resolve, reject) => {
      exported = resolve;
      failed = reject;
    });
    let imported!: () => void;
    const importDone = new Promise<void>((resolve) => (imported = resolve));
    const locked = driver
      .maintenanceTransaction(async (trx) => {
        const payload = JSON.stringify({ o: this.origin, m: token });
        await sql`select pg_notify(${CHANNEL_SQL}, ${payload})`.execute(trx);
        const row = await sql<{ id: string }>`select pg_export_snapshot() as id`.execute(trx);
        exported(row.rows[0]!.id);
        await importDone;
      })
      .catch((error: unknown) => {
        failed(error);
        throw error;
      });
    // Awaited below once the snapshot is imported; a failure before that surfaces through snapshotId.
    locked.catch(() => {});
    // A connection of its own for the read, so a pool of one (held by the lock) cannot deadlock.
    const reader = createPostgresDriver(this.location.url, { schema: this.location.schema, poolSize: 1 });
    try {
      const id = await snapshotId;
      return await reader.db
        .transaction()
        .setIsolationLevel('repeatable read')
        .execute(async (trx) => {
          try {
            await sql`set transaction snapshot ${sql.lit(id)}`.execute(trx);
          } finally {
            imported();
          }
          await locked;
          return read(trx);
        });
    } finally {
      imported();
      await reader.close();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.subscribers.clear();
    await this.disconnect();
  }

  private connect(): Promise<void> {
    if (this.closed) return Promise.reject(new StoreOpenError('the store is closed'));
    this.connecting ??= this.open().catch((error: unknown) => {
      this.connecting = undefined;
      throw new StoreOpenError(`cannot listen for recorded batches: ${(error as Error).message}`, { cause: error });
    });
    return this.connecting;
  }

  private async open(): Promise<void> {
    const { url, schema } = this.location;
    const client = new pg.Client({
      connectionString: url,
      ...(schema ? { options: `-c search_path="${schema.replaceAll('"', '""')}"` } : {}),
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('the PostgreSQL LISTEN connection ended')));
    client.on('notification', (message) => {
      if (message.payload !== undefined) this.receive(message.payload);
    });
    await client.connect();
    const channel = (await client.query<{ channel: string }>(`select 'skills_recorded_' || md5(current_schema()) as channel`)).rows[0]!
      .channel;
    await client.query(`listen "${channel}"`);
    this.client = client;
  }

  private lost(client: pg.Client, error: unknown): void {
    if (this.client !== client || this.closed) return;
    this.client = undefined;
    this.connecting = undefined;
    this.pending.clear();
    client.removeAllListeners('end');
    client.end().catch(() => {});
    for (const handler of this.errorHandlers) handler(error);
    if (this.subscribers.size === 0) return;
    const retry = (delay: number) => {
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        if (this.closed || this.subscribers.size === 0) return;
        this.connect().catch((failure: unknown) => {
          for (const handler of this.errorHandlers) handler(failure);
          retry(Math.min(delay * 2, 5_000));
        });
      }, delay);
      this.retryTimer.unref();
    };
    retry(100);
  }

  private async disconnect(): Promise<void> {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    this.connecting = undefined;
    if (!client) return;
    client.removeAllListeners('end');
    await client.end().catch(() => {});
  }

  private receive(payload: string): void {
    let message: { o?: unknown; b?: unknown; p?: unknown; n?: unknown; d?: unknown; ids?: unknown; m?: unknown };
    try {
      message = JSON.parse(payload) as typeof message;
    } catch {
      return;
    }
    if (typeof message.m === 'string') {
      const token = message.m;
      this.enqueue(async () => this.deliver({ kind: 'marker', token }));
      return;
    }
    if (typeof message.b !== 'string' || !Array.isArray(message.ids) || typeof message.n !== 'number' || typeof message.p !== 'number')
      return;
    const key = `${String(message.o)}:${message.b}`;
    const part = this.pending.get(key) ?? { parts: message.n, duplicates: Number(message.d) || 0, ids: [], received: 0 };
    part.ids[message.p] = message.ids.filter((id): id is string => typeof id === 'string');
    part.received += 1;
    this.pending.set(key, part);
    if (part.received < part.parts) return;
    this.pending.delete(key);
    const own = message.o === this.origin;
    const ids = part.ids.flat();
    // Reading in the chain keeps events in commit order, whatever the read times.
    this.enqueue(async () => {
      const event = await this.readBatch(ids, part.duplicates);
      if (event) this.deliver({ kind: 'batch', own, event });
    });
  }

  private enqueue(work: () => Promise<void>): void {
    this.chain = this.chain.then(work).catch((error: unknown) => {
      for (const handler of this.errorHandlers) handler(error);
    });
  }

  private deliver(notice: Notice): void {
    for (const subscriber of this.subscribers) {
      try {
        subscriber(notice);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  private async readBatch(ids: string[], duplicates: number): Promise<RecordedEvent | undefined> {
    const byId = new Map<string, RecordedInvocation>();
    for (let i = 0; i < ids.length; i += 1000) {
      const rows = await this.db
        .selectFrom('skill_invocation')
        .select(INVOCATION_COLUMNS)
        .where('id', 'in', ids.slice(i, i + 1000))
        .execute();
      for (const row of rows) byId.set(row.id, toInvocation(row));
    }
    const invocations = ids.map((id) => byId.get(id)).filter((row): row is RecordedInvocation => row !== undefined);
    if (invocations.length === 0) return undefined;
    const users = this.pseudonymise
      ? [...new Set(invocations.flatMap((row) => (row.user_id === null ? [] : [this.pseudonymise!(row.user_id)])))]
      : [];
    return recordedEvent(invocations, duplicates, users, 'remote');
  }
}

/** The event of a batch, from the invocations it inserted. */
export function recordedEvent(
  invocations: RecordedInvocation[],
  duplicates: number,
  users: string[],
  source: 'local' | 'remote',
): RecordedEvent {
  const skills = new Map<string, { skill_name: string; count: number; completed: number }>();
  let first = Infinity;
  let last = -Infinity;
  for (const row of invocations) {
    const entry = skills.get(row.skill_name) ?? { skill_name: row.skill_name, count: 0, completed: 0 };
    entry.count += 1;
    entry.completed += row.completed ? 1 : 0;
    skills.set(row.skill_name, entry);
    if (row.invoked_at < first) first = row.invoked_at;
    if (row.invoked_at > last) last = row.invoked_at;
  }
  return {
    inserted: invocations.length,
    duplicates,
    firstInvokedAt: first,
    lastInvokedAt: last,
    skills: [...skills.values()],
    users,
    invocations,
    source,
  };
}

export interface WatchRecordedOptions {
  /** Called when the listening connection fails or a batch cannot be read back (PostgreSQL). */
  onError?: (error: unknown) => void;
}

/**
 * Hear every batch recorded in the store's database: this store's batches in-process, as
 * `onRecorded`, and on PostgreSQL also those committed by any other store or process on the same
 * schema (from `pg_notify`, rows read back; `source: 'remote'`). On SQLite only this process's
 * batches are heard. Resolves once listening; the returned function stops.
 *
 * @example
 * const stop = await watchRecorded(store, (event) => console.log(event.source, event.inserted));
 * // …
 * await stop();
 */
export async function watchRecorded(
  store: Store,
  listener: (event: RecordedEvent) => void,
  options: WatchRecordedOptions = {},
): Promise<() => Promise<void>> {
  const stopLocal = store.onRecorded(listener);
  const feed = internalsFeed(store);
  if (!feed) {
    return async () => {
      stopLocal();
    };
  }
  try {
    const stopRemote = await feed.subscribe((notice) => {
      if (notice.kind === 'batch' && !notice.own) listener(notice.event);
    }, options.onError);
    return async () => {
      stopLocal();
      await stopRemote();
    };
  } catch (error) {
    stopLocal();
    throw error;
  }
}

/**
 * Read something from the store and then hear every batch committed after that read — none of
 * those the read saw, none missed, each once — so a total kept from a snapshot plus events stays
 * exact. The read runs holding the writers' lock. PostgreSQL: batches of every process on the
 * schema, in commit order. SQLite: batches recorded in this process only.
 *
 * @example
 * const { snapshot, stop } = await snapshotThenWatch(
 *   store,
 *   (db) => db.selectFrom('skill_metrics').select(['skill_name', 'total_invocations']).execute(),
 *   (event) => { for (const s of event.skills) totals.set(s.skill_name, (totals.get(s.skill_name) ?? 0) + s.count); },
 * );
 */
export async function snapshotThenWatch<T>(
  store: Store,
  read: (db: Kysely<SkillsDatabase>) => Promise<T>,
  listener: (event: RecordedEvent) => void,
  options: WatchRecordedOptions = {},
): Promise<{ snapshot: T; stop: () => Promise<void> }> {
  const { driver } = storeDriver(store);
  const feed = internalsFeed(store);
  // Events after the read wait until the caller has the snapshot in hand (its continuation runs
  // before the next macrotask).
  let held: RecordedEvent[] | undefined = [];
  const deliver = (event: RecordedEvent) => {
    if (held) held.push(event);
    else listener(event);
  };
  const release = () =>
    setImmediate(() => {
      const events = held ?? [];
      held = undefined;
      for (const event of events) listener(event);
    });

  if (!feed) {
    // One process: batches commit one at a time under the file lock that the read holds too.
    let before = true;
    const stop = store.onRecorded((event) => {
      if (!before) deliver(event);
    });
    try {
      const snapshot = await driver.maintenanceTransaction(async (trx) => {
        // Let batches committed before the lock finish telling their listeners first.
        await nextMacrotask();
        before = false;
        return read(trx);
      });
      release();
      return { snapshot, stop: async () => void stop() };
    } catch (error) {
      stop();
      throw error;
    }
  }

  // PostgreSQL: every batch, this store's too, from the notifications, which arrive in commit
  // order; those before the marker committed before the read, which therefore saw them.
  const token = ulid();
  let seenMarker = false;
  const stop = await feed.subscribe((notice) => {
    if (notice.kind === 'marker') seenMarker ||= notice.token === token;
    else if (seenMarker) deliver(notice.event);
  }, options.onError);
  try {
    const snapshot = await feed.marker(driver, token, read);
    release();
    return { snapshot, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

// Filled in by store.ts, which owns the store's internals.
let internalsFeed: (store: Store) => RemoteFeed | undefined = () => undefined;
let storeDriver: (store: Store) => { driver: StoreDriver } = () => {
  throw new TypeError('not a store opened by openStore()');
};

export function bindStoreInternals(
  feedOf: (store: Store) => RemoteFeed | undefined,
  driverOf: (store: Store) => { driver: StoreDriver },
): void {
  internalsFeed = feedOf;
  storeDriver = driverOf;
}
