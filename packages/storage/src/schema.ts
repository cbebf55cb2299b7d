import type { ColumnType, Generated } from 'kysely';
import type { InvocationFields } from './invocation-fields.js';

/**
 * The database, described once. Every query in the project is checked against it.
 *
 * Conventions (both dialects):
 * - timestamps are epoch milliseconds in integer columns (BIGINT on PostgreSQL, parsed to number);
 * - booleans are integers 0/1, so `SUM(completed)` is the same SQL everywhere;
 * - rates are fractions 0–1 (the original mixed 0–100 and 0–1);
 * - JSON is stored as text (arrays for lists, objects name→count for tallies).
 */

/**
 * Written by the recorder; `id` is the client's UUID/ULID or a generated ULID. The fields of an
 * `Invocation` (invocation-fields.ts) as stored: `completed` as 0/1, lists as JSON text, and the
 * embedding (V2); `workflow_phase` and `workflow_step_id` came with V3.
 */
export interface SkillInvocationTable extends Omit<InvocationFields, 'completed' | 'alternatives_considered' | 'follow_up_actions'> {
  completed: number;
  /** JSON array of skill names. */
  alternatives_considered: string | null;
  /** JSON array of strings. */
  follow_up_actions: string | null;
  /** V2: packed float32 vector. */
  embedding: Buffer | Uint8Array | null;
}

/** V1: lifetime totals per skill, kept exact by the recorder. */
export interface SkillMetricsTable {
  skill_name: string;
  total_invocations: number;
  completed_invocations: number;
  abandoned_invocations: number;
  /** Sum of known durations of completed invocations. */
  total_duration_seconds: number;
  /** Completed invocations whose duration is known: the denominator of the average. */
  timed_completions: number;
  /** NULL until a completed invocation with a known duration arrives. */
  avg_duration_seconds: number | null;
  completion_rate: number;
  first_invoked: number;
  last_invoked: number;
  /** JSON object workflow_path → count. */
  workflow_paths: string;
  /** JSON object error_type → count. */
  common_errors: string;
  /** JSON object action → count (every action of every invocation). */
  follow_up_actions: string;
  /** V7: JSON object workflow_phase → count. */
  workflow_phases: string;
  updated_at: number;
}

/** V1: per session and skill. */
export interface SessionSkillsTable {
  session_id: string;
  skill_name: string;
  invocation_count: number;
  first_used: number;
  last_used: number;
}

/** V1: daily rollup; `date` is the UTC midnight of the day in epoch ms. */
export interface DailySkillsTable {
  date: number;
  skill_name: string;
  invocations: number;
  completions: number;
  abandonments: number;
  duration_sum: number;
  duration_count: number;
  avg_duration_seconds: number | null;
}

/**
 * V11: all-time counts per (skill, workflow phase, completed) with the durations in the buckets
 * of `SKILL_DURATION_BUCKETS` (rollups/skill-phase-totals.ts): the Prometheus exporter's snapshot.
 * `workflow_phase` is '' for none (a primary key column cannot be NULL); `completed` 0 or 1;
 * `bucket_i` counts durations in (bound i-1, bound i], the rest of `timed_count` is above the last.
 */
export interface SkillPhaseTotalsTable {
  skill_name: string;
  workflow_phase: string;
  completed: number;
  invocation_count: number;
  timed_count: number;
  duration_sum: number;
  bucket_0: number;
  bucket_1: number;
  bucket_2: number;
  bucket_3: number;
  bucket_4: number;
  bucket_5: number;
  bucket_6: number;
  bucket_7: number;
  bucket_8: number;
}

/** V4: hourly rollup; `hour_start` = invoked_at - invoked_at % 3600000. */
export interface SkillTimeSeriesTable {
  skill_name: string;
  hour_start: number;
  invocation_count: number;
  completed_count: number;
  completion_rate: number;
  duration_sum: number;
  duration_count: number;
  avg_duration_seconds: number | null;
  unique_sessions: number;
  /**
   * JSON object bucket index → count of completed invocations with a known duration, over
   * log-spaced buckets (see storage's duration-histogram.ts), so p95 comes from rollups.
   */
  duration_histogram: string;
}

/**
 * V4: per-skill snapshot as of the skill's latest hour (`window_end` = hour_start of its last
 * invocation). Counts cover that hour and the 24 hours ending with it, so the row is a pure
 * function of skill_invocation and never goes stale the way the original's counters did.
 */
export interface SkillMetricsCacheTable {
  skill_name: string;
  last_invocation_at: number;
  window_end: number;
  invocation_count_1h: number;
  invocation_count_24h: number;
  completed_count_24h: number;
  avg_completion_rate_24h: number | null;
  is_anomalous: Generated<number>;
  anomaly_score: number | null;
  updated_at: number;
  /**
   * The window's hourly counts, JSON `[[count, completed], …]` (24 pairs, oldest first), kept so
   * the recorder can slide the window without re-reading the hourly rows; NULL: not known yet.
   */
  hourly_window: string | null;
}

export interface SkillAnomaliesTable {
  id: string;
  skill_name: string;
  /** 'drop' | 'spike' | 'pattern_shift' */
  anomaly_type: string;
  /** 'completion_rate' | 'invocation_count' | 'avg_duration_seconds' */
  metric: string;
  bucket_start: number;
  baseline_value: number | null;
  observed_value: number | null;
  deviation_score: number;
  method: string;
  reason: string;
  detected_at: number;
  resolved_at: number | null;
}

export interface SkillCommunityBaselinesTable {
  skill_name: string;
  total_users: number;
  total_invocations: number;
  global_completion_rate: number;
  global_avg_duration_seconds: number | null;
  most_common_workflow_phase: string | null;
  effectiveness_percentile: number;
  updated_at: number;
}

/** user_id here is always pseudonymised (keyed hash), never the raw id. */
/**
 * Per user and skill; `user_id` is the keyed pseudonym of the user (see `userPseudonym`), never
 * the raw id. Kept by the recorder when the store is opened with `userPseudonymSecret`.
 */
export interface SkillUserInteractionsTable {
  user_id: string;
  skill_name: string;
  invocation_count: number;
  completed_count: number;
  first_used: number;
  last_used: number;
}

export interface SkillClustersTable {
  cluster_id: string;
  cluster_name: string;
  description: string | null;
  created_at: number;
  updated_at: number;
}

export interface SkillClusterMembershipTable {
  cluster_id: string;
  skill_name: string;
  membership_score: number;
}

/**
 * The values of `ab_test_configs.status` (@skills/abtest's `ExperimentStatus`), for the CLI's,
 * the server's and the MCP tools' checks of a status.
 * @example EXPERIMENT_STATUSES.includes('running') // true
 */
export const EXPERIMENT_STATUSES = ['running', 'stopped', 'completed'] as const;

export interface AbTestConfigsTable {
  id: string;
  test_name: string;
  description: string | null;
  control_strategy: string;
  treatment_strategy: string;
  /** JSON array of {name, strategy, weight}; control first. */
  variants: string;
  /** Share of users in control (two-variant tests). */
  assignment_ratio: number;
  /** JSON array of metric names; the first is primary. */
  metrics: string;
  min_sample_size: number;
  start_date: number;
  end_date: number | null;
  /** One of `EXPERIMENT_STATUSES`. */
  status: string;
  salt: string;
  /** JSON object of analysis options (sequential mode, MDE, correction, …). */
  options: string;
  created_at: number;
}

export interface AbTestAssignmentsTable {
  test_id: string;
  user_id: string;
  variant: string;
  assigned_at: number;
}

/** V5: running sums per experiment and user, kept by every recorded outcome (the rest of the row is derived). */
export interface AbTestUserSums {
  test_id: string;
  user_id: string;
  variant: string;
  outcomes: number;
  completions: number;
  /** Outcomes with a known duration > 0, and the sum of ln(duration_seconds) over them. */
  duration_count: number;
  log_duration_sum: number;
  rating_count: number;
  rating_sum: number;
  first_recorded_at: number;
  last_recorded_at: number;
  /** Copied from the assignment: pre-exposure history is what came before it. */
  assigned_at: number;
}

/** `ab_test_user_stats`: the sums and what is derived from them. */
export interface AbTestUserStatsTable extends AbTestUserSums {
  /** The user's invocations before assigned_at (the CUPED covariate); NULL until computed. */
  pre_invocations: ColumnType<number | null, number | null | undefined, number | null>;
  pre_completions: ColumnType<number | null, number | null | undefined, number | null>;
  /** Pre-exposure invocations with a known duration > 0, and the sum of their ln(duration). */
  pre_duration_count: ColumnType<number | null, number | null | undefined, number | null>;
  pre_log_duration_sum: ColumnType<number | null, number | null | undefined, number | null>;
  /** When the pre_* columns were filled (epoch ms); NULL means not yet. */
  pre_computed_at: ColumnType<number | null, number | null | undefined, number | null>;
  /** Derived from the sums, kept current with them: completions / outcomes. */
  user_rate: ColumnType<number, number | undefined, number>;
  /** log_duration_sum / duration_count; NULL when no duration. */
  mean_log_duration: ColumnType<number | null, number | null | undefined, number | null>;
  /** rating_sum / rating_count; NULL when no rating. */
  mean_rating: ColumnType<number | null, number | null | undefined, number | null>;
  /** ROUND(mean_log_duration × 1000): the Mann–Whitney rank bucket; NULL when no duration. */
  duration_bucket: ColumnType<number | null, number | null | undefined, number | null>;
  /** pre_completions / pre_invocations; NULL when no pre-exposure invocation (or not computed). */
  pre_rate: ColumnType<number | null, number | null | undefined, number | null>;
  /** pre_log_duration_sum / pre_duration_count; NULL when none. */
  pre_mean_log_duration: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface AbTestOutcomesTable {
  id: string;
  test_id: string;
  user_id: string;
  variant: string;
  skill_name: string | null;
  completed: number;
  duration_seconds: number | null;
  user_rating: number | null;
  recorded_at: number;
}

export interface SkillCategoriesTable {
  category_name: string;
  domain: string;
  description: string | null;
  parent_category: string | null;
  created_at: number;
}

export interface SkillCategoryMappingTable {
  skill_name: string;
  category_name: string;
  confidence: number;
  created_at: number;
}

/** skill_a < skill_b for observed pairs; `source` keeps declared (taxonomy) rows apart from observed ones. */
export interface SkillDependenciesTable {
  skill_a: string;
  skill_b: string;
  /** 'declared' | 'observed' */
  source: string;
  co_occurrence_count: number;
  support: number | null;
  confidence: number | null;
  lift_score: number;
  updated_at: number;
}

export interface SkillModalitiesTable {
  skill_name: string;
  modality_type: string;
  input_format: string | null;
  output_format: string | null;
  requires_human_review: number;
  description: string | null;
}

/** V6: trained success-probability models (@skills/predictor); JSON as text. */
export interface PredictorModelsTable {
  version: number;
  /** The feature layout the model was trained on; a model of another layout must be retrained. */
  feature_version: number;
  trained_at: number;
  training_rows: number;
  /** JSON array of feature names, in model column order. */
  features: string;
  /** JSON object of the training options. */
  options: string;
  /** JSON evaluation report (model and baseline on the held-out most recent rows). */
  metrics: string;
  /** JSON: the forest (ml-random-forest toJSON) and the calibration map. */
  model: string;
  /** JSON: the running aggregates at the end of training, used at prediction time. */
  aggregates: string;
  created_at: number;
}

/** V7: facts about the store itself (e.g. the check value of the user-pseudonym secret). */
export interface StoreSettingsTable {
  key: string;
  value: string;
  updated_at: number;
}

/** V7: pseudonyms of users who asked to be forgotten by the collaborative tables. */
export interface SkillUserOptOutsTable {
  user_id: string;
  forgotten_at: number;
}

/** V9: runs an integration opened that nothing has closed yet, and remembered prompts (@skills/integrations). */
export interface IntegrationPendingTable {
  key: string;
  source: string;
  /** 'run' | 'prompt' */
  kind: string;
  session_id: string;
  /** JSON: the run's facts so far. */
  payload: string;
  opened_at: number;
  expires_at: number;
}

/** V10: CI jobs and pipeline runs (@skills/integrations' CI sources), and webhook deliveries by id. */
export interface CiJobsTable {
  id: string;
  kind: string;
  provider: string;
  pipeline: string;
  repository: string | null;
  run_id: string;
  attempt: number;
  name: string;
  stage: string | null;
  commit_sha: string | null;
  branch: string | null;
  status: string;
  error: string | null;
  started_at: number;
  duration_seconds: number | null;
  recorded_at: number;
}

export interface IntegrationDeliveriesTable {
  delivery_id: string;
  source: string;
  event: string;
  outcome: string;
  reason: string | null;
  invocations: number;
  received_at: number;
}

/** V9: where each integration-recorded invocation came from. */
export interface IntegrationRunsTable {
  invocation_id: string;
  /** The source that recorded it first. */
  source: string;
  /** Every source that reported the run, comma-separated in the order they did. */
  sources: string;
  tool_name: string | null;
  run_key: string | null;
  project: string | null;
  client_version: string | null;
  agent_type: string | null;
  trigger: string | null;
  first_seen_at: number;
  updated_at: number;
}

export interface SkillsDatabase {
  skill_invocation: SkillInvocationTable;
  skill_metrics: SkillMetricsTable;
  session_skills: SessionSkillsTable;
  mv_daily_skills: DailySkillsTable;
  skill_time_series: SkillTimeSeriesTable;
  skill_phase_totals: SkillPhaseTotalsTable;
  skill_metrics_cache: SkillMetricsCacheTable;
  skill_anomalies: SkillAnomaliesTable;
  skill_community_baselines: SkillCommunityBaselinesTable;
  skill_user_interactions: SkillUserInteractionsTable;
  skill_clusters: SkillClustersTable;
  skill_cluster_membership: SkillClusterMembershipTable;
  ab_test_configs: AbTestConfigsTable;
  ab_test_assignments: AbTestAssignmentsTable;
  ab_test_outcomes: AbTestOutcomesTable;
  ab_test_user_stats: AbTestUserStatsTable;
  skill_categories: SkillCategoriesTable;
  skill_category_mapping: SkillCategoryMappingTable;
  skill_dependencies: SkillDependenciesTable;
  skill_modalities: SkillModalitiesTable;
  predictor_models: PredictorModelsTable;
  store_settings: StoreSettingsTable;
  skill_user_opt_outs: SkillUserOptOutsTable;
  integration_pending: IntegrationPendingTable;
  integration_runs: IntegrationRunsTable;
  ci_jobs: CiJobsTable;
  integration_deliveries: IntegrationDeliveriesTable;
}

/** Views are read-only; their rows are described loosely here and exactly in migrations/. */
export type ReadOnly<T> = { [K in keyof T]: ColumnType<T[K], never, never> };
