import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { StorageError } from '../errors.js';

/** Why a file cannot be imported as an original session-buddy database. */
export type LegacyProblem = 'missing' | 'not-sqlite' | 'not-session-buddy' | 'locked' | 'unknown-version';

/** The file is not an original session-buddy skills database this importer reads; nothing was written. */
export class LegacyDatabaseError extends StorageError {
  override name = 'LegacyDatabaseError';
  constructor(
    readonly path: string,
    readonly problem: LegacyProblem,
    /** What was found instead (the first bytes, the tables, the versions). */
    readonly found: string,
    options?: { cause?: unknown },
  ) {
    super(`${path}: ${describe(problem)} (found ${found}): nothing was written`, options);
  }
}

function describe(problem: LegacyProblem): string {
  switch (problem) {
    case 'missing':
      return 'no such file';
    case 'not-sqlite':
      return 'not a SQLite database';
    case 'not-session-buddy':
      return 'not a session-buddy skills database (expected a skill_invocation table)';
    case 'locked':
      return 'the database is locked by another process (stop session-buddy, or copy the file and import the copy)';
    case 'unknown-version':
      return 'a session-buddy schema version this importer does not know (it reads V1-V4)';
  }
}

/** An original database opened read-only, with what its schema holds. */
export interface LegacyDatabase {
  readonly handle: Database.Database;
  /** 1-4: from `skill_migrations` and the columns and tables present. */
  readonly version: 1 | 2 | 3 | 4;
  /** The versions `skill_migrations` records (may be empty: V1 made by its script alone). */
  readonly recordedVersions: string[];
  /** Columns of `skill_invocation`. */
  readonly invocationColumns: ReadonlySet<string>;
  /** Every table of the file. */
  readonly tables: ReadonlySet<string>;
  /**
   * 12 hex digits naming this database's history: a hash of its V1 migration record and its first
   * invocation (neither changes as the original keeps writing), so a copy, a moved file and the
   * same file a month later derive the same ids.
   */
  readonly identity: string;
  close(): void;
}

const SQLITE_HEADER = 'SQLite format 3\u0000';
const V4_TABLES = ['ab_test_configs', 'ab_test_assignments', 'ab_test_outcomes', 'skill_categories', 'skill_user_interactions'];

/**
 * Open an original session-buddy skills database read-only (SQLite's read-only mode: the file's
 * bytes are never changed) and detect its version. Throws LegacyDatabaseError naming what it found
 * when the file is missing, is not SQLite, has no `skill_invocation`, is locked, or records a
 * version other than V1-V4.
 * @example const legacy = openLegacyDatabase('.session-buddy/skills.db'); legacy.version // 4
 */
export function openLegacyDatabase(path: string, options: { busyTimeoutMs?: number } = {}): LegacyDatabase {
  checkHeader(path);
  let handle: Database.Database;
  try {
    handle = new Database(path, { readonly: true, fileMustExist: true });
    handle.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 2000))}`);
  } catch (error) {
    throw new LegacyDatabaseError(path, 'not-sqlite', (error as Error).message, { cause: error });
  }
  try {
    const tables = new Set(readTables(handle, path));
    if (tables.has('kysely_migration')) {
      throw new LegacyDatabaseError(
        path,
        'not-session-buddy',
        'a Skills Analytics store (kysely_migration): copy it with skills backup instead',
      );
    }
    if (!tables.has('skill_invocation')) {
      const names = [...tables].sort();
      throw new LegacyDatabaseError(
        path,
        'not-session-buddy',
        names.length === 0 ? 'no tables' : `tables ${names.slice(0, 12).join(', ')}${names.length > 12 ? ', …' : ''}`,
      );
    }
    const invocationColumns = new Set(
      (handle.prepare(`SELECT name FROM pragma_table_info('skill_invocation')`).all() as { name: string }[]).map((r) => r.name),
    );
    const recordedVersions = tables.has('skill_migrations')
      ? (handle.prepare('SELECT version FROM skill_migrations ORDER BY version').all() as { version: string }[]).map((r) =>
          String(r.version),
        )
      : [];
    const version = detectVersion(path, recordedVersions, invocationColumns, tables);
    const identity = identityOf(handle, tables);
    return { handle, version, recordedVersions, invocationColumns, tables, identity, close: () => handle.close() };
  } catch (error) {
    handle.close();
    throw error;
  }
}

function checkHeader(path: string): void {
  let fd: number;
  try {
    if (statSync(path).isDirectory()) throw new LegacyDatabaseError(path, 'not-sqlite', 'a directory');
    fd = openSync(path, 'r');
  } catch (error) {
    if (error instanceof LegacyDatabaseError) throw error;
    throw new LegacyDatabaseError(path, 'missing', (error as NodeJS.ErrnoException).code ?? (error as Error).message, { cause: error });
  }
  const bytes = Buffer.alloc(16);
  const read = readSync(fd, bytes, 0, 16, 0);
  closeSync(fd);
  const text = bytes.subarray(0, read).toString('latin1');
  if (text !== SQLITE_HEADER) {
    const shown =
      read === 0
        ? 'an empty file'
        : `first bytes ${JSON.stringify(
            bytes
              .subarray(0, read)
              .toString('latin1')
              .replace(/[^\x20-\x7e]/g, '.'),
          )}`;
    throw new LegacyDatabaseError(path, 'not-sqlite', shown);
  }
}

function readTables(handle: Database.Database, path: string): string[] {
  try {
    return (handle.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]).map((r) => r.name);
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))
      throw new LegacyDatabaseError(path, 'locked', code, { cause: error });
    throw new LegacyDatabaseError(path, 'not-sqlite', (error as Error).message, { cause: error });
  }
}

function detectVersion(path: string, recorded: string[], columns: ReadonlySet<string>, tables: ReadonlySet<string>): 1 | 2 | 3 | 4 {
  let highest = 0;
  for (const version of recorded) {
    const match = /^V(\d+)(?:__|$)/.exec(version);
    const major = match ? Number(match[1]) : NaN;
    if (!(major >= 1 && major <= 4))
      throw new LegacyDatabaseError(path, 'unknown-version', `skill_migrations version ${JSON.stringify(version)}`);
    highest = Math.max(highest, major);
  }
  // What the columns and tables say, so a file whose migration records were lost still reads.
  const byShape = V4_TABLES.every((t) => tables.has(t)) ? 4 : columns.has('workflow_phase') ? 3 : columns.has('embedding') ? 2 : 1;
  const version = Math.max(highest, byShape) as 1 | 2 | 3 | 4;
  const needs: [number, boolean, string][] = [
    [2, columns.has('embedding'), 'skill_invocation.embedding'],
    [3, columns.has('workflow_phase') && columns.has('workflow_step_id'), 'skill_invocation.workflow_phase/workflow_step_id'],
    [4, V4_TABLES.every((t) => tables.has(t)), `the V4 tables (${V4_TABLES.join(', ')})`],
  ];
  for (const [from, present, what] of needs) {
    if (version >= from && !present) {
      throw new LegacyDatabaseError(path, 'unknown-version', `skill_migrations records V${highest} but ${what} is missing`);
    }
  }
  for (const column of ['id', 'skill_name', 'invoked_at', 'session_id', 'completed']) {
    if (!columns.has(column)) throw new LegacyDatabaseError(path, 'not-session-buddy', `skill_invocation without column ${column}`);
  }
  return version;
}

function identityOf(handle: Database.Database, tables: ReadonlySet<string>): string {
  const hash = createHash('sha256').update('session-buddy skills database\u0000');
  if (tables.has('skill_migrations')) {
    const v1 = handle.prepare(`SELECT applied_at FROM skill_migrations WHERE version LIKE 'V1%' ORDER BY version LIMIT 1`).get() as
      | { applied_at: unknown }
      | undefined;
    hash.update(`v1:${String(v1?.applied_at ?? '')}\u0000`);
  }
  const first = handle.prepare('SELECT id, skill_name, invoked_at, session_id FROM skill_invocation ORDER BY id LIMIT 1').get() as
    | Record<string, unknown>
    | undefined;
  hash.update(
    first
      ? `first:${String(first.id)}\u0000${String(first.skill_name)}\u0000${String(first.invoked_at)}\u0000${String(first.session_id)}`
      : 'first:none',
  );
  return hash.digest('hex').slice(0, 12);
}
