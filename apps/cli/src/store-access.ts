import { existsSync } from 'node:fs';
import { DEFAULT_STORE_URL, openStore, type OpenStoreOptions, type Store } from '@skills/storage';
import type { Command } from 'commander';
import type { CommandContext } from './cli-io.js';
import { CliError } from './errors.js';

export interface StoreAccess {
  /** Create the store when it does not exist (commands that write); read commands refuse instead. */
  create?: boolean;
  /** Migrate on open (default true); `skills migrate` opens without. */
  migrate?: boolean;
}

/** The store URL: `--db`, then `SKILLS_DB_URL`, then `./skills.db`. */
export function storeUrl(command: Command, context: CommandContext): string {
  const flag = command.optsWithGlobals<{ db?: string }>().db;
  const env = context.io.env.SKILLS_DB_URL;
  return flag ?? (env !== undefined && env !== '' ? env : DEFAULT_STORE_URL);
}

/** The file behind a SQLite URL, or undefined for PostgreSQL and `:memory:`. */
export function sqliteFile(url: string): string | undefined {
  if (/^postgres(ql)?:\/\//i.test(url)) return undefined;
  const path = url.replace(/^sqlite:(\/\/)?/i, '');
  return path === '' || path === ':memory:' ? undefined : path;
}

/**
 * Open the store, run `work`, close it. Read commands do not create a store by accident (a typo
 * in `--db` would otherwise answer every question with an empty new file).
 */
export async function withStore<T>(
  command: Command,
  context: CommandContext,
  work: (store: Store, url: string) => Promise<T>,
  access: StoreAccess = {},
): Promise<T> {
  const url = storeUrl(command, context);
  const file = sqliteFile(url);
  if (!access.create && file !== undefined && !existsSync(file)) {
    throw new CliError(`no store at ${file} (create one with: skills init --db ${quoteArg(url)})`);
  }
  const options: OpenStoreOptions = { migrate: access.migrate ?? true };
  const store = await openStore(url, options);
  try {
    return await work(store, url);
  } finally {
    await store.close();
  }
}

/** Whether the store holds at least one invocation. */
export async function hasInvocations(store: Store): Promise<boolean> {
  const row = await store.db.selectFrom('skill_invocation').select('id').limit(1).executeTakeFirst();
  return row !== undefined;
}

/** Number of stored invocations. */
export async function countInvocations(store: Store): Promise<number> {
  const row = await store.db
    .selectFrom('skill_invocation')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

function quoteArg(text: string): string {
  return /^[\w./:@%+=-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
