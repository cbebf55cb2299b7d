import { StoreOpenError } from './errors.js';

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
  if (typeof url !== 'string' || url.trim() === '') {
    throw new StoreOpenError('store URL is empty: expected a file path, sqlite:PATH, :memory: or postgres://…');
  }
  if (/^postgres(ql)?:\/\//i.test(url)) return { dialect: 'postgres', url };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !/^sqlite:/i.test(url)) {
    throw new StoreOpenError(`unsupported store URL scheme in "${redactUrl(url)}": expected sqlite: or postgres://`);
  }
  const file = url.replace(/^sqlite:(\/\/)?/i, '');
  return { dialect: 'sqlite', file: file === '' ? ':memory:' : file };
}

/** The SQLite file behind `url`, or undefined for PostgreSQL and `:memory:`. */
export function sqliteFileOf(location: StoreLocation): string | undefined {
  return location.dialect === 'sqlite' && location.file !== ':memory:' ? location.file : undefined;
}

/** A URL fit for an error message: the password replaced. */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
}
