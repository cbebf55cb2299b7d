import { PostgresAdapter, SqliteAdapter, sql, type CreateTableBuilder, type Kysely, type RawBuilder } from 'kysely';
import { UnsupportedDialectError } from './errors.js';

/** The two databases the schema supports. */
export type SchemaDialect = 'sqlite' | 'postgres';

/**
 * Which database a Kysely instance (or transaction) talks to. Migrations ask only where the SQL
 * must differ: full-text search, JSON functions, the current time and binary column types.
 */
export function dialectOf(db: Kysely<any>): SchemaDialect {
  const dialect = detectDialect(db);
  if (dialect === null) throw new UnsupportedDialectError(db.getExecutor().adapter.constructor.name);
  return dialect;
}

/** Like dialectOf, but null for a database these migrations do not support. */
export function detectDialect(db: Kysely<any>): SchemaDialect | null {
  const adapter = db.getExecutor().adapter;
  if (adapter instanceof SqliteAdapter) return 'sqlite';
  if (adapter instanceof PostgresAdapter) return 'postgres';
  // A second copy of kysely in node_modules (another version pulled in by the caller) defeats
  // instanceof, so fall back to the class names along the adapter's prototype chain.
  for (let proto = Object.getPrototypeOf(adapter); proto; proto = Object.getPrototypeOf(proto)) {
    const name = (proto.constructor as { name?: string } | undefined)?.name;
    if (name === 'SqliteAdapter') return 'sqlite';
    if (name === 'PostgresAdapter') return 'postgres';
  }
  return null;
}

/** The current time as integer epoch milliseconds, as an SQL expression. */
export function nowMs(dialect: SchemaDialect): RawBuilder<number> {
  return dialect === 'sqlite'
    ? sql<number>`(CAST(strftime('%s', 'now') AS INTEGER) * 1000)`
    : sql<number>`(EXTRACT(EPOCH FROM now()) * 1000)::bigint`;
}

/**
 * On SQLite a table keyed by text columns is otherwise stored twice (the rowid table and its
 * key's index); WITHOUT ROWID stores it once, clustered on the key: half the space and one B-tree
 * write per upsert. PostgreSQL has no such option and needs none.
 */
export function clusteredOnSqlite(db: Kysely<any>) {
  return <T extends string, C extends string>(table: CreateTableBuilder<T, C>): CreateTableBuilder<T, C> =>
    dialectOf(db) === 'sqlite' ? table.modifyEnd(sql`without rowid`) : table;
}
