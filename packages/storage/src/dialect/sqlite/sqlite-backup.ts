import { copyFileSync, existsSync, renameSync, rmSync, statSync, chmodSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { StorageError } from '../../errors.js';
import { keyFilePath } from '../../key-file.js';
import { parseStoreUrl, redactUrl } from '../../store-location.js';

/** A backup that was not made; nothing was written at the destination. */
export class BackupError extends StorageError {
  override name = 'BackupError';
  constructor(
    message: string,
    readonly reason: 'exists' | 'postgres' | 'memory' | 'missing' | 'same-file',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface BackupOptions {
  /** Replace an existing file at the destination (default: refuse). */
  force?: boolean;
  /** Pages copied so far of the total (a page is 4 KiB). */
  onProgress?(progress: { copiedPages: number; totalPages: number }): void;
}

export interface BackupResult {
  destination: string;
  bytes: number;
  /** The store's key file (`<db>.secret`), copied beside the backup, when the store has one. */
  keyFile: string | null;
  elapsedMs: number;
}

/**
 * Back up a SQLite store with SQLite's online backup (better-sqlite3's `db.backup`): a consistent
 * copy of one moment while servers keep writing — batches committed before it are in, later ones
 * out, none half. Written to a temporary file beside the destination and renamed into place, so
 * a failed backup leaves no partial file; the store's key file is copied to `<destination>.secret`
 * (mode 0600) so the restored store opens with its user-pseudonym secret. A destination that
 * exists is refused unless `force`. PostgreSQL: BackupError pointing at `pg_dump`.
 * Restore: stop the server, copy the backup (and its `.secret`) over the store file, start it.
 * @example await backupStore('./skills.db', '/backups/skills-2026-12-02.db')
 */
export async function backupStore(url: string, destination: string, options: BackupOptions = {}): Promise<BackupResult> {
  const started = performance.now();
  const location = parseStoreUrl(url);
  if (location.dialect === 'postgres') {
    const shown = redactUrl(location.url);
    throw new BackupError(
      `${shown} is PostgreSQL: back it up with pg_dump (pg_dump --format=custom --file=${destination} '${shown}'; restore with pg_restore --clean --dbname='${shown}' ${destination})`,
      'postgres',
    );
  }
  if (location.file === ':memory:') throw new BackupError('an in-memory store has no file to back up', 'memory');
  const source = resolve(location.file);
  const target = resolve(destination);
  if (!existsSync(source) || statSync(source).size === 0)
    throw new BackupError(`no store at ${location.file}: nothing to back up`, 'missing');
  if (source === target) throw new BackupError(`the backup ${destination} would overwrite the store itself`, 'same-file');
  if (existsSync(target) && !options.force) {
    throw new BackupError(`${destination} exists: refusing to overwrite it (use --force to replace it)`, 'exists');
  }
  const temporary = join(dirname(target), `.${basename(target)}.${process.pid}.partial`);
  const handle = new Database(source, { readonly: true, fileMustExist: true });
  try {
    handle.pragma('busy_timeout = 5000');
    await handle.backup(temporary, {
      progress({ totalPages, remainingPages }) {
        options.onProgress?.({ copiedPages: totalPages - remainingPages, totalPages });
        // After the first small step, everything in one step (however large the store has grown
        // meanwhile): one read of one snapshot, which a writer on another connection cannot
        // restart (and in WAL mode never waits for). Step by step, a busy store restarts forever.
        return 0x7fffffff;
      },
    });
    chmodSync(temporary, 0o600);
    renameSync(temporary, target);
    // A replaced store's old WAL must not be replayed onto the new file.
    for (const suffix of ['-wal', '-shm']) rmSync(`${target}${suffix}`, { force: true });
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  } finally {
    handle.close();
  }
  let keyFile: string | null = null;
  const key = keyFilePath(source);
  if (existsSync(key)) {
    keyFile = keyFilePath(target);
    copyFileSync(key, keyFile);
    chmodSync(keyFile, 0o600);
  }
  return { destination: target, bytes: statSync(target).size, keyFile, elapsedMs: performance.now() - started };
}
