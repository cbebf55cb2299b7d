import { createQueryId, Kysely, PostgresDialect, RawNode, sql, type Compilable } from 'kysely';
import { compileUnnest, type UnnestStatement } from './postgres-unnest.js';
import pg from 'pg';
import { postgresSearchIndex } from './postgres-search.js';
import type { SkillsDatabase } from '../../schema.js';
import type { InsertIgnoreStatement, KeysLookup, StoreDriver, WriteTx } from '../store-driver.js';

export interface PostgresDriverOptions {
  /** Use (and create) this schema instead of `public`; every connection gets it as search_path. */
  schema: string | undefined;
  poolSize: number;
}

/** PostgreSQL's limit on bind parameters per statement is 65,535; stay well under it. */
const MAX_PARAMETERS = 60_000;
const RAW_NODE = RawNode.createWithSql('');

/**
 * Arbitrary constant naming the advisory lock that serialises rollup maintenance; paired with the
 * schema's hash, so stores in different schemas of one database do not wait on each other.
 */
const RECORDER_LOCK = 727_274_001;

const INT8_OID = 20;
const NUMERIC_OID = 1700;

/**
 * PostgreSQL through pg. BIGINT and NUMERIC come back as numbers (epoch ms and counts stay far
 * below 2^53). Writers take a transaction-scoped advisory lock, so rollups merged in memory are
 * never lost to a concurrent batch from another process or server instance.
 */
export function createPostgresDriver(url: string, options: PostgresDriverOptions): StoreDriver {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize,
    ...(options.schema ? { options: `-c search_path=${quoteIdent(options.schema)}` } : {}),
    types: {
      getTypeParser: ((oid: number, format?: string) =>
        oid === INT8_OID || oid === NUMERIC_OID
          ? (value: string) => Number(value)
          : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
  const db = new Kysely<SkillsDatabase>({ dialect: new PostgresDialect({ pool }) });
  const unnestCache = new Map<unknown, UnnestStatement | null>();
  const unnestFor = (key: unknown, build: Parameters<typeof compileUnnest>[1], sample: object) => {
    if (!unnestCache.has(key)) unnestCache.set(key, compileUnnest(db, build, Object.keys(sample)) ?? null);
    return unnestCache.get(key) ?? undefined;
  };

  return {
    kind: 'postgres',
    readonly: false,
    db,
    search: postgresSearchIndex(db),
    remote: { url, schema: options.schema },
    async writeTransaction(work) {
      return db.transaction().execute(async (trx) => {
        await sql`select pg_advisory_xact_lock(${RECORDER_LOCK}::int4, hashtext(current_schema()))`.execute(trx);
        const run = (query: Compilable) => trx.executeQuery(query.compile());
        const chunks = <T extends object>(items: T[]): T[][] => {
          const size = Math.max(1, Math.floor(MAX_PARAMETERS / Math.max(1, Object.keys(items[0]!).length)));
          const out: T[][] = [];
          for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
          return out;
        };
        const tx: WriteTx = {
          db: trx,
          async insertIgnore<Row extends object>(
            build: InsertIgnoreStatement<Row>,
            rows: Row[],
            keyColumns: readonly (keyof Row & string)[],
          ) {
            if (rows.length === 0) return [];
            const inserted = new Set<string>();
            const withReturning = (into: typeof trx, some: Row[]) => build(into, some).returning(keyColumns as never);
            const unnest = unnestFor(build, withReturning as never, rows[0]!);
            const results = unnest
              ? [await trx.executeQuery({ sql: unnest.sql, parameters: unnest.bind(rows), query: RAW_NODE, queryId: createQueryId() })]
              : await Promise.all(chunks(rows).map((chunk) => run(withReturning(trx, chunk))));
            for (const result of results) {
              for (const returned of result.rows as Record<string, unknown>[]) {
                inserted.add(keyColumns.map((column) => String(returned[column])).join('\u0000'));
              }
            }
            return rows.map((row) =>
              inserted.has(keyColumns.map((column) => String((row as Record<string, unknown>)[column])).join('\u0000')),
            );
          },
          async write(build, rows) {
            if (rows.length === 0) return;
            const unnest = unnestFor(build, build as never, rows[0]!);
            if (unnest) {
              await trx.executeQuery({ sql: unnest.sql, parameters: unnest.bind(rows), query: RAW_NODE, queryId: createQueryId() });
              return;
            }
            for (const chunk of chunks(rows)) await run(build(trx, chunk));
          },
          async select<Out>(query: Compilable<Out>): Promise<Out[]> {
            return (await run(query)).rows as Out[];
          },
          async lookup<Key extends object, Out>(build: KeysLookup<Key>, keys: Key[]): Promise<Out[]> {
            if (keys.length === 0) return [];
            const out: Out[] = [];
            for (const chunk of chunks(keys)) out.push(...((await run(build(trx, chunk))).rows as Out[]));
            return out;
          },
        };
        return work(tx);
      });
    },
    maintenanceTransaction(work) {
      return db.transaction().execute(async (trx) => {
        await sql`select pg_advisory_xact_lock(${RECORDER_LOCK}::int4, hashtext(current_schema()))`.execute(trx);
        return work(trx);
      });
    },
    async close() {
      await db.destroy();
    },
  };
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
