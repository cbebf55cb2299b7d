import type { Store } from '../store.js';
import { openLegacyDatabase, LegacyDatabaseError } from './legacy-database.js';
import { countRows, importInvocations, type TimeNotes } from './legacy-invocations.js';
import { TableTally, type LegacyTableReport } from './legacy-report.js';
import { importAbTests, importInteractions, importTaxonomy, usersOfSessions } from './legacy-user-data.js';

export interface LegacyImportOptions {
  /** Invocations per recorded batch (default 1,000, as `skills import`). */
  batchSize?: number;
  /** Clock for `updated_at` and missing `created_at` (epoch ms). */
  now?: number;
  /** How long to wait for the original's write lock before reporting it locked (default 2,000 ms). */
  busyTimeoutMs?: number;
  /** Rows read so far out of all the rows of the tables carried over. */
  onProgress?(progress: { done: number; total: number; table: string }): void;
}

export interface LegacyImportReport {
  path: string;
  /** The original's schema version, 1-4. */
  version: 1 | 2 | 3 | 4;
  /** The 12 hex digits in every derived id (`sb_<identity>_…`). */
  identity: string;
  /** Every table carried over, in import order. */
  tables: LegacyTableReport[];
  /** The original's tables not carried over, with their rows and why. */
  notCarried: { table: string; rows: number; reason: string }[];
  /** Timestamps without an offset, read as UTC (the original wrote UTC). */
  naiveTimestamps: number;
  elapsedMs: number;
}

// Rollups and derived tables of the original: this store's recorder folds its own from the
// invocations (exact, where the original's triggers were not: see original-system.md §1.1, §5).
const DERIVED: Record<string, string> = {
  skill_metrics:
    'rebuilt from the invocations (the original counted only the first follow-up action, nested dotted keys and counted unknown durations as 0 s)',
  session_skills: 'rebuilt from the invocations',
  mv_daily_skills: 'rebuilt from the invocations (the original never refreshed it)',
  skill_metrics_cache: 'rebuilt from the invocations (the original never decayed its counts)',
  skill_time_series: 'rebuilt from the invocations',
  skill_anomalies: 'derived: the anomaly job detects them again from the hourly rollups',
  skill_community_baselines: 'derived: @skills/collab recomputes them',
  skill_clusters: 'derived: @skills/collab recomputes them',
  skill_cluster_membership: 'derived: @skills/collab recomputes them',
  skill_migrations: "the original's schema history",
  skill_invocation_fts: 'search index: rebuilt from the invocations',
};

/**
 * Import an original session-buddy skills database (schema V1-V4) into this store. The old file
 * is opened read-only (its bytes never change) and read in one snapshot. Invocations keep their
 * fields; timestamps (ISO text with an offset, `Z` or none; none means UTC) become epoch ms; every
 * row gets a stable id from the file's identity and its old id (`sb_<identity>_i42`), so running
 * it again imports nothing twice. V4's user data comes along: A/B tests with assignments and
 * outcomes, the taxonomy, and the interactions (which give sessions their users). Every rollup
 * is this store's, folded by the recorder from the imported invocations.
 * Throws LegacyDatabaseError (nothing written) for a file that is not SQLite, not session-buddy,
 * locked, or at an unknown version.
 * @example const report = await importLegacyDatabase(store, '.session-buddy/skills.db'); console.table(report.tables);
 */
export async function importLegacyDatabase(store: Store, path: string, options: LegacyImportOptions = {}): Promise<LegacyImportReport> {
  const started = performance.now();
  const now = options.now ?? Date.now();
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? 1000));
  const legacy = openLegacyDatabase(path, { busyTimeoutMs: options.busyTimeoutMs ?? 2000 });
  const notes: TimeNotes = { naive: 0 };
  const tallies: TableTally[] = [];
  try {
    // One read transaction: the original may keep writing; the import sees one moment of it.
    legacy.handle.exec('BEGIN');
    const v4 = legacy.version === 4;
    const carried = [
      'skill_invocation',
      ...(v4
        ? [
            'skill_user_interactions',
            'skill_categories',
            'skill_category_mapping',
            'skill_modalities',
            'skill_dependencies',
            'ab_test_configs',
            'ab_test_assignments',
            'ab_test_outcomes',
          ]
        : []),
    ];
    let total: number;
    try {
      total = carried.reduce((sum, table) => sum + countRows(legacy.handle, table), 0);
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      if (code.startsWith('SQLITE_BUSY')) throw new LegacyDatabaseError(path, 'locked', code, { cause: error });
      throw error;
    }
    let done = 0;
    const progress = (table: string, rows: number) => {
      done += rows;
      options.onProgress?.({ done, total, table });
    };
    const interactions = new TableTally('skill_user_interactions', 'skill_invocation.user_id (unmatched rows: invocations)');
    const userOfSession = v4 ? usersOfSessions(legacy, interactions) : new Map<string, string>();
    const invocations = new TableTally('skill_invocation', 'skill_invocation');
    tallies.push(invocations);
    await importInvocations(
      { store, legacy, batchSize, now, userOfSession, tally: invocations, onRows: (n) => progress('skill_invocation', n) },
      notes,
    );
    if (v4) {
      tallies.push(interactions);
      await importInteractions(store, legacy, interactions, notes, now, batchSize);
      progress('skill_user_interactions', interactions.found);
      for (const tally of await importTaxonomy(store, legacy, notes, now)) {
        tallies.push(tally);
        progress(tally.table, tally.found);
      }
      for (const tally of await importAbTests(store, legacy, notes)) {
        tallies.push(tally);
        progress(tally.table, tally.found);
      }
    }
    const notCarried = [...legacy.tables]
      .filter(
        (table) =>
          !carried.includes(table) &&
          (DERIVED[table] !== undefined || !table.startsWith('skill_invocation_fts_')) &&
          !table.startsWith('sqlite_'),
      )
      .sort()
      .map((table) => ({ table, rows: safeCount(legacy, table), reason: DERIVED[table] ?? 'not a session-buddy table' }));
    legacy.handle.exec('COMMIT');
    return {
      path,
      version: legacy.version,
      identity: legacy.identity,
      tables: tallies.map((t) => t.report()),
      notCarried,
      naiveTimestamps: notes.naive,
      elapsedMs: performance.now() - started,
    };
  } finally {
    legacy.close();
  }
}

function safeCount(legacy: { handle: Parameters<typeof countRows>[0] }, table: string): number {
  try {
    return countRows(legacy.handle, table);
  } catch {
    return 0;
  }
}
