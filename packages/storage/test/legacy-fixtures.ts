/**
 * Original session-buddy skills databases, V1-V4, for the importer's tests. The SQL is the
 * original's schema re-written from its description in /work/shared/original-system.md §1.1-§1.4
 * (`V1__initial_schema__up.sql`, `V2__add_semantic_search`, `V3__add_workflow_correlation`,
 * `V4__phase4_extensions`): the same tables, columns, defaults, keys and the triggers that
 * maintain `skill_metrics`, `session_skills` and `skill_metrics_cache` (with the original's
 * JSON-path splicing, so a dotted error type nests). Views are left out: nothing reads them.
 */
import Database from 'better-sqlite3';

export const V1_SQL = `
CREATE TABLE skill_invocation (
  id INTEGER PRIMARY KEY AUTOINCREMENT, skill_name TEXT NOT NULL, invoked_at TEXT NOT NULL, session_id TEXT NOT NULL,
  workflow_path TEXT, completed BOOLEAN NOT NULL DEFAULT 0, duration_seconds REAL, user_query TEXT,
  alternatives_considered TEXT, selection_rank INTEGER, follow_up_actions TEXT, error_type TEXT,
  created_at TEXT NOT NULL DEFAULT (datetime('now')));
CREATE INDEX idx_invocation_session ON skill_invocation(session_id);
CREATE INDEX idx_invocation_skill ON skill_invocation(skill_name);
CREATE INDEX idx_invocation_invoked_at ON skill_invocation(invoked_at DESC);
CREATE INDEX idx_invocation_session_completed ON skill_invocation(session_id, completed);
CREATE VIRTUAL TABLE skill_invocation_fts USING fts5(user_query, content=skill_invocation, content_rowid=id);
CREATE TABLE skill_metrics (
  skill_name TEXT PRIMARY KEY, total_invocations INTEGER NOT NULL DEFAULT 0, completed_invocations INTEGER NOT NULL DEFAULT 0,
  abandoned_invocations INTEGER NOT NULL DEFAULT 0, total_duration_seconds REAL NOT NULL DEFAULT 0.0,
  workflow_paths TEXT NOT NULL DEFAULT '{}', common_errors TEXT NOT NULL DEFAULT '{}', follow_up_actions TEXT NOT NULL DEFAULT '{}',
  avg_selection_rank REAL, recommendation_success_rate REAL, first_invoked TEXT, last_invoked TEXT,
  completion_rate REAL NOT NULL DEFAULT 0.0, avg_duration_seconds REAL, updated_at TEXT NOT NULL DEFAULT (datetime('now')));
CREATE TABLE session_skills (session_id TEXT, skill_name TEXT, invocation_count INTEGER NOT NULL DEFAULT 1, PRIMARY KEY (session_id, skill_name));
CREATE INDEX idx_session_skills_skill ON session_skills(skill_name);
CREATE TABLE skill_migrations (
  version TEXT PRIMARY KEY, applied_at TEXT NOT NULL, description TEXT, rollback_sql TEXT, checksum TEXT,
  applied_by TEXT DEFAULT 'session-buddy', success BOOLEAN NOT NULL DEFAULT 1);
CREATE INDEX idx_migrations_applied_at ON skill_migrations(applied_at DESC);
CREATE TABLE mv_daily_skills (date TEXT, skill_name TEXT, invocations INTEGER, completions INTEGER, abandonments INTEGER,
  avg_duration_seconds REAL, PRIMARY KEY (date, skill_name));
CREATE TRIGGER trg_skill_metrics_after_insert AFTER INSERT ON skill_invocation BEGIN
  INSERT OR IGNORE INTO skill_metrics (skill_name, first_invoked, last_invoked) VALUES (NEW.skill_name, NEW.invoked_at, NEW.invoked_at);
  UPDATE skill_metrics SET total_invocations = total_invocations + 1, last_invoked = NEW.invoked_at, updated_at = datetime('now') WHERE skill_name = NEW.skill_name;
  UPDATE skill_metrics SET completed_invocations = completed_invocations + 1, total_duration_seconds = total_duration_seconds + COALESCE(NEW.duration_seconds, 0)
    WHERE skill_name = NEW.skill_name AND NEW.completed = 1;
  UPDATE skill_metrics SET abandoned_invocations = abandoned_invocations + 1 WHERE skill_name = NEW.skill_name AND NEW.completed = 0;
  UPDATE skill_metrics SET workflow_paths = json_set(workflow_paths, '$.' || NEW.workflow_path, COALESCE(json_extract(workflow_paths, '$.' || NEW.workflow_path), 0) + 1)
    WHERE skill_name = NEW.skill_name AND NEW.workflow_path IS NOT NULL;
  UPDATE skill_metrics SET common_errors = json_set(common_errors, '$.' || NEW.error_type, COALESCE(json_extract(common_errors, '$.' || NEW.error_type), 0) + 1)
    WHERE skill_name = NEW.skill_name AND NEW.error_type IS NOT NULL;
  UPDATE skill_metrics SET follow_up_actions = json_set(follow_up_actions, '$.' || json_extract(NEW.follow_up_actions, '$[0]'),
      COALESCE(json_extract(follow_up_actions, '$.' || json_extract(NEW.follow_up_actions, '$[0]')), 0) + 1)
    WHERE skill_name = NEW.skill_name AND NEW.follow_up_actions IS NOT NULL AND json_array_length(NEW.follow_up_actions) > 0;
  UPDATE skill_metrics SET completion_rate = CAST(completed_invocations AS REAL) / total_invocations * 100,
      avg_duration_seconds = total_duration_seconds / completed_invocations WHERE skill_name = NEW.skill_name AND completed_invocations > 0;
END;
CREATE TRIGGER trg_session_skills_after_insert AFTER INSERT ON skill_invocation BEGIN
  INSERT INTO session_skills (session_id, skill_name, invocation_count) VALUES (NEW.session_id, NEW.skill_name, 1)
  ON CONFLICT (session_id, skill_name) DO UPDATE SET invocation_count = invocation_count + 1;
END;
`;

export const V2_SQL = `
ALTER TABLE skill_invocation ADD COLUMN embedding BLOB;
CREATE INDEX idx_invocation_embedding ON skill_invocation(embedding) WHERE embedding IS NOT NULL;
`;

export const V3_SQL = `
ALTER TABLE skill_invocation ADD COLUMN workflow_phase TEXT;
ALTER TABLE skill_invocation ADD COLUMN workflow_step_id TEXT;
CREATE INDEX idx_invocation_workflow_phase ON skill_invocation(workflow_phase) WHERE workflow_phase IS NOT NULL;
CREATE INDEX idx_invocation_workflow_step ON skill_invocation(workflow_step_id) WHERE workflow_step_id IS NOT NULL;
CREATE INDEX idx_invocation_phase_completion ON skill_invocation(workflow_phase, completed) WHERE workflow_phase IS NOT NULL;
`;

export const V4_SQL = `
CREATE TABLE skill_metrics_cache (skill_name TEXT PRIMARY KEY REFERENCES skill_metrics(skill_name), last_invocation_at TEXT NOT NULL,
  invocation_count_1h INTEGER DEFAULT 0, invocation_count_24h INTEGER DEFAULT 0, avg_completion_rate_24h REAL, is_anomalous BOOLEAN DEFAULT 0,
  anomaly_score REAL, updated_at TEXT NOT NULL, UNIQUE (skill_name));
CREATE TABLE skill_time_series (id INTEGER PRIMARY KEY AUTOINCREMENT, skill_name TEXT NOT NULL REFERENCES skill_metrics(skill_name), timestamp TEXT NOT NULL,
  invocation_count INTEGER DEFAULT 0, completion_rate REAL, avg_duration_seconds REAL, unique_sessions INTEGER DEFAULT 0);
CREATE TABLE skill_anomalies (id INTEGER PRIMARY KEY AUTOINCREMENT, skill_name TEXT NOT NULL REFERENCES skill_metrics(skill_name), detected_at TEXT NOT NULL,
  anomaly_type TEXT NOT NULL, baseline_value REAL, observed_value REAL, deviation_score REAL, resolved_at TEXT);
CREATE TABLE skill_community_baselines (skill_name TEXT PRIMARY KEY REFERENCES skill_metrics(skill_name), total_users INTEGER DEFAULT 0, total_invocations INTEGER DEFAULT 0,
  global_completion_rate REAL, global_avg_duration_seconds REAL, most_common_workflow_phase TEXT, effectiveness_percentile REAL, last_updated TEXT NOT NULL, UNIQUE (skill_name));
CREATE TABLE skill_user_interactions (id INTEGER PRIMARY KEY AUTOINCREMENT, user_id TEXT NOT NULL, session_id TEXT NOT NULL,
  skill_name TEXT NOT NULL REFERENCES skill_metrics(skill_name), invoked_at TEXT NOT NULL, completed BOOLEAN NOT NULL, rating REAL, alternatives_considered TEXT);
CREATE INDEX idx_user_interactions_user ON skill_user_interactions(user_id, invoked_at DESC);
CREATE TABLE skill_clusters (cluster_id INTEGER PRIMARY KEY AUTOINCREMENT, cluster_name TEXT NOT NULL UNIQUE, description TEXT, centroid_embedding BLOB, created_at TEXT NOT NULL);
CREATE TABLE skill_cluster_membership (skill_name TEXT NOT NULL REFERENCES skill_metrics(skill_name), cluster_id INTEGER NOT NULL REFERENCES skill_clusters(cluster_id),
  membership_score REAL, PRIMARY KEY (skill_name, cluster_id));
CREATE TABLE ab_test_configs (test_id INTEGER PRIMARY KEY AUTOINCREMENT, test_name TEXT NOT NULL UNIQUE, description TEXT, control_strategy TEXT NOT NULL,
  treatment_strategy TEXT NOT NULL, start_date TEXT NOT NULL, end_date TEXT, min_sample_size INTEGER DEFAULT 100, metrics TEXT,
  assignment_ratio REAL DEFAULT 0.5, status TEXT DEFAULT 'running', created_at TEXT NOT NULL DEFAULT (datetime('now')));
CREATE TABLE ab_test_assignments (assignment_id INTEGER PRIMARY KEY AUTOINCREMENT, test_id INTEGER NOT NULL REFERENCES ab_test_configs(test_id), user_id TEXT NOT NULL,
  group_name TEXT NOT NULL, assigned_at TEXT NOT NULL DEFAULT (datetime('now')), UNIQUE (test_id, user_id));
CREATE TABLE ab_test_outcomes (outcome_id INTEGER PRIMARY KEY AUTOINCREMENT, test_id INTEGER NOT NULL REFERENCES ab_test_configs(test_id), user_id TEXT NOT NULL,
  skill_name TEXT NOT NULL REFERENCES skill_metrics(skill_name), completed BOOLEAN NOT NULL, duration_seconds REAL, user_rating REAL,
  recorded_at TEXT NOT NULL DEFAULT (datetime('now')));
CREATE TABLE skill_categories (category_id INTEGER PRIMARY KEY AUTOINCREMENT, category_name TEXT NOT NULL UNIQUE, parent_category_id INTEGER REFERENCES skill_categories(category_id),
  description TEXT, domain TEXT, created_at TEXT NOT NULL);
CREATE TABLE skill_category_mapping (skill_name TEXT NOT NULL REFERENCES skill_metrics(skill_name), category_id INTEGER NOT NULL REFERENCES skill_categories(category_id),
  confidence_score REAL, assigned_at TEXT NOT NULL, PRIMARY KEY (skill_name, category_id));
CREATE TABLE skill_dependencies (skill_a TEXT NOT NULL REFERENCES skill_metrics(skill_name), skill_b TEXT NOT NULL REFERENCES skill_metrics(skill_name),
  co_occurrence_count INTEGER DEFAULT 1, lift_score REAL, last_updated TEXT NOT NULL, PRIMARY KEY (skill_a, skill_b));
CREATE TABLE skill_modalities (skill_name TEXT PRIMARY KEY REFERENCES skill_metrics(skill_name), modality_type TEXT NOT NULL, input_format TEXT, output_format TEXT,
  requires_human_review BOOLEAN DEFAULT 0, created_at TEXT NOT NULL);
CREATE TRIGGER trg_metrics_cache_after_insert AFTER INSERT ON skill_invocation BEGIN
  INSERT INTO skill_metrics_cache (skill_name, last_invocation_at, invocation_count_1h, invocation_count_24h, updated_at)
  VALUES (NEW.skill_name, NEW.invoked_at, 1, 1, datetime('now'))
  ON CONFLICT (skill_name) DO UPDATE SET last_invocation_at = NEW.invoked_at, invocation_count_1h = invocation_count_1h + 1,
    invocation_count_24h = invocation_count_24h + 1, updated_at = datetime('now');
END;
`;

const MIGRATIONS = ['V1__initial_schema', 'V2__add_semantic_search', 'V3__add_workflow_correlation', 'V4__phase4_extensions'];

/** A 384-value float32 embedding (1,536 bytes), as V2 packs them. */
export function embeddingBytes(seed: number): Buffer {
  const values = new Float32Array(384).map((_, i) => Math.sin(seed + i) / 2);
  return Buffer.from(values.buffer);
}

/**
 * The invocations of every fixture, with the odd rows: microsecond and offset timestamps, a
 * naive one, a completed invocation of unknown duration, a dotted error type (the original's
 * tally nests it), an unknown workflow path, two rows the store must refuse.
 */
function invocations(version: number): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [
    {
      skill_name: 'pytest-run',
      invoked_at: '2026-02-10T12:00:00.123456+00:00',
      session_id: 's1',
      workflow_path: 'comprehensive',
      completed: 1,
      duration_seconds: 4.5,
      user_query: 'run the auth tests',
      alternatives_considered: '["ruff-check"]',
      selection_rank: 1,
      follow_up_actions: '["git-commit","git-push"]',
    },
    { skill_name: 'pytest-run', invoked_at: '2026-02-10T13:30:00+02:00', session_id: 's1', completed: 1, duration_seconds: null },
    {
      skill_name: 'ruff-check',
      invoked_at: '2026-02-10 14:00:00',
      session_id: 's2',
      workflow_path: 'odd.path/v2',
      completed: 0,
      error_type: 'ImportError: x.y',
    },
    {
      skill_name: 'ruff-check',
      invoked_at: '2026-02-11T09:15:00Z',
      session_id: 's2',
      completed: 0,
      error_type: 'ImportError: x.y',
      follow_up_actions: '{"not":"a list"}',
    },
    { skill_name: 'ruff-check', invoked_at: 'yesterday', session_id: 's3', completed: 1 },
    { skill_name: 'git-commit', invoked_at: '2026-02-11T10:00:00-05:00', session_id: '', completed: 1, duration_seconds: 1 },
  ];
  if (version >= 2) rows[0]!.embedding = embeddingBytes(1);
  if (version >= 3) {
    rows[0]!.workflow_phase = 'execution';
    rows[0]!.workflow_step_id = 'step-1';
    rows[2]!.workflow_phase = 'bikeshedding';
  }
  return rows;
}

/** Build an original database at `version` (1-4) at `path`, the way the original's runner does. */
export function buildLegacyDatabase(
  path: string,
  version: 1 | 2 | 3 | 4,
  options: { migrationRows?: boolean; extraVersion?: string } = {},
): void {
  const db = new Database(path);
  try {
    db.exec(V1_SQL);
    if (version >= 2) db.exec(V2_SQL);
    if (version >= 3) db.exec(V3_SQL);
    if (version >= 4) db.exec(V4_SQL);
    db.pragma('journal_mode = WAL');
    if (options.migrationRows !== false) {
      const record = db.prepare(`INSERT INTO skill_migrations (version, applied_at, description) VALUES (?, '2026-02-01 09:00:00', ?)`);
      for (const name of MIGRATIONS.slice(0, version)) record.run(name, name.split('__')[1]);
      if (options.extraVersion) record.run(options.extraVersion, 'later');
    }
    for (const row of invocations(version)) {
      const columns = Object.keys(row);
      db.prepare(`INSERT INTO skill_invocation (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`).run(
        ...columns.map((c) => row[c] as never),
      );
    }
    if (version === 4) fillV4(db);
  } finally {
    db.close();
  }
}

function fillV4(db: Database.Database): void {
  // FKs off, as the original's taxonomy script and A/B framework connect (original-system.md §1.4).
  db.pragma('foreign_keys = OFF');
  db.exec(`
    INSERT INTO skill_user_interactions (user_id, session_id, skill_name, invoked_at, completed, rating) VALUES
      ('alice', 's1', 'pytest-run', '2026-02-10T12:00:00.123456+00:00', 1, 5),
      ('bob', 's9', 'git-commit', '2026-02-12T08:00:00', 1, NULL);
    INSERT INTO skill_categories (category_name, parent_category_id, description, domain, created_at) VALUES
      ('Testing', NULL, 'Test execution and coverage tools', 'testing', '2026-02-01T09:00:00'),
      ('Unit Tests', 1, NULL, NULL, '2026-02-01T09:00:00');
    INSERT INTO skill_category_mapping (skill_name, category_id, confidence_score, assigned_at) VALUES
      ('pytest-run', 2, 0.9, '2026-02-01T09:00:00'), ('coverage-report', 7, 0.5, '2026-02-01T09:00:00');
    INSERT INTO skill_modalities (skill_name, modality_type, input_format, output_format, requires_human_review, created_at) VALUES
      ('pytest-run', 'testing', 'python_tests', 'test_results', 0, '2026-02-01T09:00:00');
    INSERT INTO skill_dependencies (skill_a, skill_b, co_occurrence_count, lift_score, last_updated) VALUES
      ('pytest-run', 'coverage-report', 1, 2.8, '2026-02-01T09:00:00'), ('ruff-check', 'black-format', 1, NULL, '2026-02-01T09:00:00');
    INSERT INTO ab_test_configs (test_name, description, control_strategy, treatment_strategy, start_date, metrics, assignment_ratio, status, created_at) VALUES
      ('search-v2', 'workflow-aware search', 'semantic', 'workflow-aware', '2026-02-01T00:00:00+00:00', 'completion_rate,duration', 0.5, 'running', '2026-02-01 00:00:00');
    INSERT INTO ab_test_assignments (test_id, user_id, group_name, assigned_at) VALUES
      (1, 'alice', 'control', '2026-02-02T10:00:00'), (1, 'bob', 'treatment', '2026-02-02T11:00:00+01:00');
    INSERT INTO ab_test_outcomes (test_id, user_id, skill_name, completed, duration_seconds, user_rating, recorded_at) VALUES
      (1, 'alice', 'pytest-run', 1, 3.0, 4, '2026-02-03T10:00:00'), (1, 'bob', 'pytest-run', 0, NULL, NULL, '2026-02-03T11:00:00Z'),
      (1, 'carol', 'pytest-run', 1, 2.0, NULL, '2026-02-03T12:00:00Z');
    INSERT INTO skill_anomalies (skill_name, detected_at, anomaly_type, deviation_score) VALUES ('ruff-check', '2026-02-11T10:00:00', 'drop', 3.5);
  `);
}

/** Read the original's own tally of a skill (as its trigger left it). */
export function legacyMetrics(path: string, skill: string): Record<string, unknown> {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT * FROM skill_metrics WHERE skill_name = ?').get(skill) as Record<string, unknown>;
  } finally {
    db.close();
  }
}
