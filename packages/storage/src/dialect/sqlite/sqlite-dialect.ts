import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StoreOpenError } from '../../errors.js';
import type { StoreDialect } from '../dialect.js';
import { createSqliteDriver } from './sqlite-driver.js';

/**
 * SQLite (better-sqlite3): a file path, `sqlite:PATH`, `sqlite://PATH`, `:memory:` or an empty
 * `sqlite:` (in memory). Any URL without a `scheme://` is a file path.
 */
export const sqliteDialect: StoreDialect<{ dialect: 'sqlite'; file: string }> = {
  name: 'sqlite',
  urlForm: 'sqlite:',
  parseUrl(url) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !/^sqlite:/i.test(url)) return undefined;
    const file = url.replace(/^sqlite:(\/\/)?/i, '');
    return { dialect: 'sqlite', file: file === '' ? ':memory:' : file };
  },
  async openDriver(location, options) {
    try {
      return createSqliteDriver(location.file, {
        busyTimeoutMs: options.busyTimeoutMs ?? 5000,
        readonly: options.readonly ?? false,
      });
    } catch (error) {
      throw new StoreOpenError(`cannot open SQLite store at ${location.file}: ${(error as Error).message}`, { cause: error });
    }
  },
  testFactory(options, open) {
    const prefix = options.prefix ?? 'skills-test-';
    const dirs: string[] = [];
    return {
      name: 'sqlite',
      async create(more) {
        const dir = mkdtempSync(join(tmpdir(), prefix));
        dirs.push(dir);
        const url = join(dir, 'skills.db');
        return { store: await open(url, more), reopen: (again) => open(url, again), url };
      },
      async cleanup() {
        for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};
