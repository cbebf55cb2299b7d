import pg from 'pg';
import { sql } from 'kysely';
import { StoreOpenError } from '../../errors.js';
import { redactUrl, type StoreDialect } from '../dialect.js';
import type { StoreDriver } from '../store-driver.js';
import { createPostgresDriver, quoteIdent } from './postgres-driver.js';

/** PostgreSQL (pg): `postgres://…` or `postgresql://…`, optionally in a schema of its own (`schema`). */
export const postgresDialect: StoreDialect<{ dialect: 'postgres'; url: string }> = {
  name: 'postgres',
  urlForm: 'postgres://',
  parseUrl(url) {
    return /^postgres(ql)?:\/\//i.test(url) ? { dialect: 'postgres', url } : undefined;
  },
  async openDriver({ url }, options) {
    if (options.schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(options.schema)) {
      throw new StoreOpenError(`invalid schema name "${options.schema}": expected letters, digits and _`);
    }
    const driver: StoreDriver = createPostgresDriver(url, { schema: options.schema, poolSize: options.poolSize ?? 10 });
    try {
      if (options.schema) {
        await sql`create schema if not exists ${sql.raw(quoteIdent(options.schema))}`.execute(driver.db);
      } else {
        await sql`select 1`.execute(driver.db);
      }
    } catch (error) {
      await driver.close();
      throw new StoreOpenError(`cannot connect to PostgreSQL at ${redactUrl(url)}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    return driver;
  },
  // Each test store in a throwaway schema of the test database.
  testFactory({ postgresUrl: url }, open) {
    if (!url) return undefined;
    const schemas: string[] = [];
    return {
      name: 'postgres',
      async create(options) {
        const schema = `t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 10)}`;
        schemas.push(schema);
        return {
          store: await open(url, { ...options, schema, poolSize: 4 }),
          reopen: (more) => open(url, { ...more, schema, poolSize: 4 }),
          url,
        };
      },
      async cleanup() {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          for (const schema of schemas.splice(0)) await client.query(`drop schema if exists "${schema}" cascade`);
        } finally {
          await client.end();
        }
      },
    };
  },
};
