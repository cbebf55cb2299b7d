import type { AnyStoreDialect } from './dialect.js';
import { postgresDialect } from './postgres/postgres-dialect.js';
import { sqliteDialect } from './sqlite/sqlite-dialect.js';

/**
 * Every database a store can live in, in the order a URL is offered to them (the first whose
 * `parseUrl` claims it opens it) and tests run on them. SQLite takes any URL without a `scheme://`
 * as a file path, so a dialect whose URLs have no `//` goes before it.
 */
export const DIALECTS: readonly AnyStoreDialect[] = [sqliteDialect, postgresDialect];
