import { redactUrl, type StoreDialect } from './dialect/dialect.js';
import { DIALECTS } from './dialect/dialects.js';
import { StoreOpenError } from './errors.js';
import { keyFilePath } from './key-file.js';

export { redactUrl };

/** Where a store URL points: a SQLite file (or `:memory:`) or a PostgreSQL server. */
export type StoreLocation = { dialect: 'sqlite'; file: string } | { dialect: 'postgres'; url: string };

/**
 * Parse a store URL the way `openStore` does: a file path, `sqlite:PATH`, `:memory:` or an empty
 * `sqlite:` (SQLite), `postgres://…` / `postgresql://…` (PostgreSQL). Apps use it to find the file
 * behind a URL (its key file, its directory) without repeating the rules.
 * @throws StoreOpenError for an empty URL or another scheme (`mysql://…`).
 * @example parseStoreUrl('sqlite:./a.db') // { dialect: 'sqlite', file: './a.db' }
 */
export function parseStoreUrl(url: string): StoreLocation {
  return resolveStoreUrl(url).location;
}

/** The dialect that claims `url` (the first in DIALECTS), and where it points. */
export function resolveStoreUrl(url: string): { dialect: StoreDialect; location: StoreLocation } {
  if (typeof url !== 'string' || url.trim() === '') {
    throw new StoreOpenError('store URL is empty: expected a file path, sqlite:PATH, :memory: or postgres://…');
  }
  for (const dialect of DIALECTS) {
    const location = dialect.parseUrl(url);
    if (location !== undefined) return { dialect, location };
  }
  const forms = DIALECTS.flatMap((dialect) => (dialect.urlForm === undefined ? [] : [dialect.urlForm]));
  throw new StoreOpenError(`unsupported store URL scheme in "${redactUrl(url)}": expected ${forms.join(' or ')}`);
}

/** The SQLite file behind `location`, or undefined for PostgreSQL and `:memory:`. */
export function sqliteFileOf(location: StoreLocation): string | undefined {
  return location.dialect === 'sqlite' && location.file !== ':memory:' ? location.file : undefined;
}

/**
 * Where the user-pseudonym secret of the store at `url` lives when none is given: a SQLite file's
 * key file `<db file>.secret` (`key-file`); for `:memory:`, in the process (`process`: a random
 * secret lives as long as the store); on PostgreSQL nowhere (`none`: give it explicitly). The CLI
 * and the server resolve a store's secret from it, so both pseudonymise user ids alike.
 * @throws StoreOpenError as parseStoreUrl.
 * @example storeSecretHome('./skills.db') // { kind: 'key-file', keyFile: './skills.db.secret' }
 */
export function storeSecretHome(url: string): { kind: 'key-file'; keyFile: string } | { kind: 'process' } | { kind: 'none' } {
  const location = parseStoreUrl(url);
  if (location.dialect !== 'sqlite') return { kind: 'none' };
  const file = sqliteFileOf(location);
  return file === undefined ? { kind: 'process' } : { kind: 'key-file', keyFile: keyFilePath(file) };
}
