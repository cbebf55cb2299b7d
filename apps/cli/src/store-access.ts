import { randomBytes } from 'node:crypto';
import { existsSync, rmSync, statSync } from 'node:fs';
import {
  DEFAULT_STORE_URL,
  KeyFileError,
  MIN_SECRET_BYTES,
  openStore,
  parseStoreUrl,
  readKeyFile,
  sqliteFileOf,
  storeSecretHome,
  UserPseudonymSecretError,
  type OpenStoreOptions,
  type Store,
} from '@skills/storage';
import type { Command } from 'commander';
import type { CommandContext } from './cli-io.js';
import { CliError } from './errors.js';

export interface StoreAccess {
  /**
   * Create the store when it does not exist (commands that write), and say so on stderr, so a
   * mistyped `--db` never makes a store silently; read commands refuse instead.
   */
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
  return sqliteFileOf(parseStoreUrl(url));
}

/** The environment variable that holds the user-pseudonym secret. */
export const SECRET_ENV = 'SKILLS_PSEUDONYM_SECRET';

/** Where the user-pseudonym secret of a run came from. */
export interface PseudonymSecret {
  /** Undefined: open without a secret (PostgreSQL without SKILLS_PSEUDONYM_SECRET). */
  secret: string | undefined;
  source: 'env' | 'key-file' | 'memory' | 'none';
  /** SQLite file stores: `<db file>.secret`. */
  keyFile?: string;
  /** The key file was created by this run (removed again if the store then refuses it). */
  created?: boolean;
  /** The key file's mode lets group or others read it (a warning is printed). */
  readableByOthers?: boolean;
}

/**
 * The secret user ids are pseudonymised with: `SKILLS_PSEUDONYM_SECRET` when set; otherwise, for a
 * SQLite file, the key file `<db file>.secret` (created with 32 random bytes, mode 0600, when
 * missing); for `:memory:` a random secret of this process; for PostgreSQL none.
 */
export function resolvePseudonymSecret(url: string, env: CommandContext['io']['env']): PseudonymSecret {
  const home = storeSecretHome(url);
  const keyFile = home.kind === 'key-file' ? home.keyFile : undefined;
  const fromEnv = env[SECRET_ENV];
  if (fromEnv !== undefined && fromEnv !== '') {
    const bytes = Buffer.byteLength(fromEnv, 'utf8');
    if (bytes < MIN_SECRET_BYTES) {
      throw new CliError(`${SECRET_ENV}: expected at least ${MIN_SECRET_BYTES} bytes (got ${bytes})`);
    }
    return { secret: fromEnv, source: 'env', ...(keyFile === undefined ? {} : { keyFile }) };
  }
  if (home.kind === 'none') return { secret: undefined, source: 'none' };
  if (keyFile === undefined) return { secret: memorySecret(), source: 'memory' };
  try {
    const found = readKeyFile(keyFile, { create: true });
    return { secret: found.secret, source: 'key-file', keyFile, created: found.created, readableByOthers: found.readableByOthers };
  } catch (error) {
    if (!(error instanceof KeyFileError)) throw error;
    const hint = error.reason === 'too-short' ? `restore it or set ${SECRET_ENV}` : `set ${SECRET_ENV} instead`;
    throw new CliError(`${error.message}: ${hint}`);
  }
}

let processSecret: string | undefined;

/** `:memory:` stores live as long as the process: so does their secret. */
function memorySecret(): string {
  processSecret ??= randomBytes(32).toString('hex');
  return processSecret;
}

/** The store refused the secret: say which secret, and what to do, in the CLI's terms. */
function secretRefused(url: string, resolved: PseudonymSecret): CliError {
  const what = "does not match the secret this store's user pseudonyms were made with";
  if (resolved.source === 'env') {
    const fallback = resolved.keyFile === undefined ? '' : ` (unset it to use the key file ${resolved.keyFile})`;
    return new CliError(`${SECRET_ENV} ${what}${fallback}`);
  }
  if (resolved.created) {
    return new CliError(
      `${sqliteFile(url)} keeps user pseudonyms made with another secret and its key file ${resolved.keyFile} is missing: restore the key file or set ${SECRET_ENV}`,
    );
  }
  return new CliError(`key file ${resolved.keyFile} ${what}: restore the original key file or set ${SECRET_ENV}`);
}

/**
 * Open the store, run `work`, close it. Read commands do not create a store by accident (a typo
 * in `--db` would otherwise answer every question with an empty new file).
 *
 * The store is opened with the user-pseudonym secret (see `resolvePseudonymSecret`), so that
 * recording keeps the collaborative tables and `skills recommend` & co. can answer; `skills
 * migrate` opens without one, since the secret's check lives in a table a migration adds.
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
  // SQLite would take an empty file for a new database and migrate it: a read must not make a store.
  if (!access.create && file !== undefined && statSync(file).isFile() && statSync(file).size === 0) {
    throw new CliError(`${file} is an empty file, not a skills store (create one with: skills init --db ${quoteArg(url)})`);
  }
  const migrate = access.migrate ?? true;
  const resolved: PseudonymSecret = migrate ? resolvePseudonymSecret(url, context.io.env) : { secret: undefined, source: 'none' };
  if (resolved.readableByOthers && resolved.keyFile !== undefined) {
    context.io.stderr.write(
      `skills: warning: key file ${resolved.keyFile} is readable by other users: anyone who reads it can recompute user pseudonyms (fix: chmod 600 ${quoteArg(resolved.keyFile)})\n`,
    );
  }
  const options: OpenStoreOptions = {
    migrate,
    keyFile: false,
    ...(resolved.secret === undefined ? {} : { userPseudonymSecret: resolved.secret }),
  };
  let store: Store;
  const existed = file === undefined || existsSync(file);
  try {
    store = await openStore(url, options);
  } catch (error) {
    // A failed open leaves nothing behind: not the key file it made, not the store file it began.
    if (resolved.created && resolved.keyFile !== undefined) rmSync(resolved.keyFile, { force: true });
    if (!existed && file !== undefined) {
      for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${file}${suffix}`, { force: true });
    }
    if (isSecretMismatch(error)) throw secretRefused(url, resolved);
    throw error;
  }
  try {
    const result = await work(store, url);
    if (!existed && command.name() !== 'init') {
      context.io.stderr.write(
        `skills: created a new store at ${file} (there was none; mistyped --db? \`skills init\` makes stores on purpose)\n`,
      );
    }
    return result;
  } finally {
    await store.close();
  }
}

function isSecretMismatch(error: unknown): boolean {
  return error instanceof UserPseudonymSecretError && error.reason === 'different-secret';
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
