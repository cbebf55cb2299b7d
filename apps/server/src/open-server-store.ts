import { randomBytes } from 'node:crypto';
import {
  KeyFileError,
  MIN_SECRET_BYTES,
  openStore,
  parseStoreUrl,
  readKeyFile,
  storeSecretHome,
  UserPseudonymSecretError,
  type Store,
} from '@skills/storage';
import { ConfigError, type ServerConfig } from './config.js';

/** Where the user-pseudonym secret came from, for the start-up log. */
export type SecretSource = 'SKILLS_PSEUDONYM_SECRET' | 'secret file' | 'key file' | 'memory' | 'none';

export interface ServerStore {
  store: Store;
  dialect: 'sqlite' | 'postgres';
  secretSource: SecretSource;
}

/**
 * Open the configured store the way the `skills` CLI does, so both pseudonymise user ids alike:
 * `--pseudonym-secret-file` (or its variable), else `SKILLS_PSEUDONYM_SECRET`, else (SQLite file) the key file
 * `<db file>.secret`, created when missing; `:memory:` gets a random secret; PostgreSQL none.
 * A secret the store refuses is a `ConfigError` naming where it came from.
 */
export async function openServerStore(config: ServerConfig): Promise<ServerStore> {
  const { dialect } = parseStoreUrl(config.db);
  const { secret, source, origin } = resolveSecret(config);
  try {
    const store = await openStore(config.db, { keyFile: false, ...(secret === undefined ? {} : { userPseudonymSecret: secret }) });
    return { store, dialect, secretSource: source };
  } catch (error) {
    if (error instanceof UserPseudonymSecretError)
      throw new ConfigError(origin, `${error.message}: give the secret this store was made with`);
    throw error;
  }
}

function resolveSecret(config: ServerConfig): { secret: string | undefined; source: SecretSource; origin: string } {
  const home = storeSecretHome(config.db);
  const secretFile = config.pseudonymSecretFile;
  if (secretFile !== undefined)
    return {
      secret: readSecretFile(secretFile, false, '--pseudonym-secret-file'),
      source: 'secret file',
      origin: '--pseudonym-secret-file',
    };
  if (config.pseudonymSecret !== undefined) {
    const bytes = Buffer.byteLength(config.pseudonymSecret, 'utf8');
    if (bytes < MIN_SECRET_BYTES)
      throw new ConfigError('SKILLS_PSEUDONYM_SECRET', `expected at least ${MIN_SECRET_BYTES} bytes (got ${bytes})`);
    return { secret: config.pseudonymSecret, source: 'SKILLS_PSEUDONYM_SECRET', origin: 'SKILLS_PSEUDONYM_SECRET' };
  }
  if (home.kind === 'none') return { secret: undefined, source: 'none', origin: 'SKILLS_PSEUDONYM_SECRET' };
  if (home.kind === 'process') return { secret: randomBytes(32).toString('hex'), source: 'memory', origin: 'SKILLS_PSEUDONYM_SECRET' };
  const { keyFile } = home;
  return { secret: readSecretFile(keyFile, true, `key file ${keyFile}`), source: 'key file', origin: `key file ${keyFile}` };
}

function readSecretFile(path: string, create: boolean, source: string): string {
  try {
    const found = readKeyFile(path, { create });
    if (found === undefined) throw new ConfigError(source, `no such file: ${path}`);
    return found.secret;
  } catch (error) {
    if (error instanceof KeyFileError) throw new ConfigError(source, error.message);
    throw error;
  }
}
