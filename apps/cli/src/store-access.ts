import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DEFAULT_STORE_URL, openStore, UserPseudonymSecretError, type OpenStoreOptions, type Store } from '@skills/storage';
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
  if (isPostgres(url)) return undefined;
  const path = url.replace(/^sqlite:(\/\/)?/i, '');
  return path === '' || path === ':memory:' ? undefined : path;
}

/** Whether `url` names a PostgreSQL store. */
function isPostgres(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/** The environment variable that holds the user-pseudonym secret. */
export const SECRET_ENV = 'SKILLS_PSEUDONYM_SECRET';
const MIN_SECRET_BYTES = 16;

/** Where the user-pseudonym secret of a run came from. */
export interface PseudonymSecret {
  /** Undefined: open without a secret (PostgreSQL without SKILLS_PSEUDONYM_SECRET). */
  secret: string | undefined;
  source: 'env' | 'key-file' | 'memory' | 'none';
  /** SQLite file stores: `<db file>.secret`. */
  keyFile?: string;
  /** The key file was created by this run (removed again if the store then refuses it). */
  created?: boolean;
}

/** The key file next to a SQLite database: `<db file>.secret`. */
export function keyFilePath(file: string): string {
  return `${file}.secret`;
}

/**
 * The secret user ids are pseudonymised with: `SKILLS_PSEUDONYM_SECRET` when set; otherwise, for a
 * SQLite file, the key file `<db file>.secret` (created with 32 random bytes, mode 0600, when
 * missing); for `:memory:` a random secret of this process; for PostgreSQL none.
 */
export function resolvePseudonymSecret(url: string, env: CommandContext['io']['env']): PseudonymSecret {
  const file = sqliteFile(url);
  const keyFile = file === undefined ? undefined : keyFilePath(file);
  const fromEnv = env[SECRET_ENV];
  if (fromEnv !== undefined && fromEnv !== '') {
    const bytes = Buffer.byteLength(fromEnv, 'utf8');
    if (bytes < MIN_SECRET_BYTES) {
      throw new CliError(`${SECRET_ENV}: expected at least ${MIN_SECRET_BYTES} bytes (got ${bytes})`);
    }
    return { secret: fromEnv, source: 'env', ...(keyFile === undefined ? {} : { keyFile }) };
  }
  if (isPostgres(url)) return { secret: undefined, source: 'none' };
  if (keyFile === undefined) return { secret: memorySecret(), source: 'memory' };
  if (existsSync(keyFile)) return { secret: readKeyFile(keyFile), source: 'key-file', keyFile };
  return createKeyFile(keyFile);
}

let processSecret: string | undefined;

/** `:memory:` stores live as long as the process: so does their secret. */
function memorySecret(): string {
  processSecret ??= randomBytes(32).toString('hex');
  return processSecret;
}

function readKeyFile(keyFile: string): string {
  const secret = readFileSync(keyFile, 'utf8').trim();
  const bytes = Buffer.byteLength(secret, 'utf8');
  if (bytes < MIN_SECRET_BYTES) {
    throw new CliError(
      `key file ${keyFile}: expected a secret of at least ${MIN_SECRET_BYTES} bytes (got ${bytes}): restore it or set ${SECRET_ENV}`,
    );
  }
  return secret;
}

/**
 * Create the key file atomically: the secret is written to a private temporary file which is then
 * hard-linked into place, so a concurrent run either creates the file whole or finds it whole.
 */
function createKeyFile(keyFile: string): PseudonymSecret {
  const secret = randomBytes(32).toString('hex');
  const temporary = `${keyFile}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    // As the SQLite driver does for the database itself.
    mkdirSync(dirname(keyFile), { recursive: true });
    writeFileSync(temporary, secret, { mode: 0o600, flag: 'wx' });
    try {
      linkSync(temporary, keyFile);
    } catch (error) {
      if (errorCode(error) === 'EEXIST') return { secret: readKeyFile(keyFile), source: 'key-file', keyFile };
      if (errorCode(error) !== 'EPERM' && errorCode(error) !== 'ENOTSUP' && errorCode(error) !== 'ENOSYS') throw error;
      // No hard links on this file system: exclusive create instead.
      try {
        writeFileSync(keyFile, secret, { mode: 0o600, flag: 'wx' });
      } catch (inner) {
        if (errorCode(inner) === 'EEXIST') return { secret: readKeyFile(keyFile), source: 'key-file', keyFile };
        throw inner;
      }
    }
    return { secret, source: 'key-file', keyFile, created: true };
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`cannot create the key file ${keyFile} (${errorReason(error)}): set ${SECRET_ENV} instead`);
  } finally {
    rmSync(temporary, { force: true });
  }
}

function errorReason(error: unknown): string {
  const code = errorCode(error);
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EROFS') return 'read-only file system';
  if (code === 'ENOENT') return 'no such directory';
  if (code === 'ENOTDIR') return 'not a directory';
  return error instanceof Error ? error.message : String(error);
}

function errorCode(error: unknown): string | undefined {
  return error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined;
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
  const migrate = access.migrate ?? true;
  const resolved: PseudonymSecret = migrate ? resolvePseudonymSecret(url, context.io.env) : { secret: undefined, source: 'none' };
  const options: OpenStoreOptions = { migrate, ...(resolved.secret === undefined ? {} : { userPseudonymSecret: resolved.secret }) };
  let store: Store;
  try {
    store = await openStore(url, options);
  } catch (error) {
    // A key file made for a store that then refused it (another secret, or no store after all) goes.
    if (resolved.created && resolved.keyFile !== undefined && (isSecretMismatch(error) || (file !== undefined && !existsSync(file)))) {
      rmSync(resolved.keyFile, { force: true });
    }
    if (isSecretMismatch(error)) throw secretRefused(url, resolved);
    throw error;
  }
  try {
    return await work(store, url);
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
