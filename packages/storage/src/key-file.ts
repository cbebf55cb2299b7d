import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { StoreOpenError } from './errors.js';
import { MIN_SECRET_BYTES } from './user-pseudonyms.js';

/**
 * The key file of a SQLite store is `<db file>.secret`: the user-pseudonym secret of that store,
 * kept beside it (mode 0600) so every program that opens the file pseudonymises alike.
 */
export function keyFilePath(file: string): string {
  return `${file}.secret`;
}

/** A key file could not be read (`too-short`) or created (`cannot-create`). */
export class KeyFileError extends StoreOpenError {
  override name = 'KeyFileError';
  constructor(
    readonly keyFile: string,
    readonly reason: 'too-short' | 'cannot-create',
    message: string,
  ) {
    super(message);
  }
}

export interface KeyFileSecret {
  secret: string;
  keyFile: string;
  /** The file was created by this call. */
  created: boolean;
  /**
   * The file's permission bits let its group or other users read it (e.g. 0644 after a copy):
   * anyone who can read it can recompute every user's pseudonym. `chmod 600` it.
   */
  readableByOthers: boolean;
  /** The file's permission bits, e.g. 0o600. */
  mode: number;
}

/**
 * Read the key file, or with `create` make it (32 random bytes as hex, mode 0600) when missing.
 * Creation is atomic: the secret goes to a private temporary file that is then hard-linked into
 * place, so concurrent processes either create the file whole or find it whole.
 * @returns undefined when the file is missing and `create` is not set.
 * @example readKeyFile('./skills.db.secret', { create: true }).secret // '9f2c…'
 */
export function readKeyFile(keyFile: string, options: { create: true }): KeyFileSecret;
export function readKeyFile(keyFile: string, options?: { create?: boolean }): KeyFileSecret | undefined;
export function readKeyFile(keyFile: string, options: { create?: boolean } = {}): KeyFileSecret | undefined {
  if (existsSync(keyFile)) return existing(keyFile);
  if (!options.create) return undefined;
  const secret = randomBytes(32).toString('hex');
  const temporary = `${keyFile}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    // As the SQLite driver does for the database itself.
    mkdirSync(dirname(keyFile), { recursive: true });
    writeFileSync(temporary, secret, { mode: 0o600, flag: 'wx' });
    try {
      linkSync(temporary, keyFile);
    } catch (error) {
      if (errorCode(error) === 'EEXIST') return existing(keyFile);
      if (errorCode(error) !== 'EPERM' && errorCode(error) !== 'ENOTSUP' && errorCode(error) !== 'ENOSYS') throw error;
      // No hard links on this file system: exclusive create instead.
      try {
        writeFileSync(keyFile, secret, { mode: 0o600, flag: 'wx' });
      } catch (inner) {
        if (errorCode(inner) === 'EEXIST') return existing(keyFile);
        throw inner;
      }
    }
    return { secret, keyFile, created: true, ...modeOf(keyFile) };
  } catch (error) {
    if (error instanceof KeyFileError) throw error;
    throw new KeyFileError(keyFile, 'cannot-create', `cannot create the key file ${keyFile} (${errorReason(error)})`);
  } finally {
    rmSync(temporary, { force: true });
  }
}

function existing(keyFile: string): KeyFileSecret {
  return { secret: readExisting(keyFile), keyFile, created: false, ...modeOf(keyFile) };
}

function modeOf(keyFile: string): { mode: number; readableByOthers: boolean } {
  const mode = statSync(keyFile).mode & 0o777;
  return { mode, readableByOthers: (mode & 0o044) !== 0 };
}

function readExisting(keyFile: string): string {
  const secret = readFileSync(keyFile, 'utf8').trim();
  const bytes = Buffer.byteLength(secret, 'utf8');
  if (bytes < MIN_SECRET_BYTES) {
    throw new KeyFileError(
      keyFile,
      'too-short',
      `key file ${keyFile}: expected a secret of at least ${MIN_SECRET_BYTES} bytes (got ${bytes})`,
    );
  }
  return secret;
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
