import type { SkillsDatabase } from '../../packages/storage/src/schema.js';
import type { SkillsViews } from '../src/index.js';

/**
 * Column names of every table in schema.ts and every view in views.ts. Typed as
 * Record<keyof Row, true>, so the compiler rejects this file when a column is missing here or
 * named here but absent from the contract: the list cannot drift from the interfaces.
 */
type Columns<Row> = Record<keyof Row, true>;

const tables: { [T in keyof SkillsDatabase]: Columns<SkillsDatabase[T]> } = {
  skill_invocation: {
    id: true, skill_name: true, invoked_at: true, session_id: true, user_id: true,
    workflow_path: true, completed: true, duration_seconds: true, user_query: true,
    alternatives_considered: true, selection_rank: true, follow_up_actions: true,
    error_type: true, created_at: true, embedding: true, workflow_phase: true,
    workflow_step_id: true,
  },
  skill_metrics: {
    skill_name: true, total_invocations: true, completed_invocations: true,
    abandoned_invocations: true, total_duration_seconds: true, timed_completions: true,
    avg_duration_seconds: true, completion_rate: true, first_invoked: true, last_invoked: true,
    workflow_paths: true, common_errors: true, follow_up_actions: true, updated_at: true,
    workflow_phases: true,
  },
  session_skills: {
    session_id: true, skill_name: true, invocation_count: true, first_used: true, last_used: true,
  },
  mv_daily_skills: {
    date: true, skill_name: true, invocations: true, completions: true, abandonments: true,
    duration_sum: true, duration_count: true, avg_duration_seconds: true,
  },
  skill_time_series: {
    skill_name: true, hour_start: true, invocation_count: true, completed_count: true,
    completion_rate: true, duration_sum: true, duration_count: true, avg_duration_seconds: true,
    unique_sessions: true,
    duration_histogram: true,
  },
  skill_metrics_cache: {
    skill_name: true, last_invocation_at: true, window_end: true, invocation_count_1h: true,
    invocation_count_24h: true, completed_count_24h: true, avg_completion_rate_24h: true,
    is_anomalous: true, anomaly_score: true, updated_at: true, hourly_window: true,
  },
  skill_anomalies: {
    id: true, skill_name: true, anomaly_type: true, metric: true, bucket_start: true,
    baseline_value: true, observed_value: true, deviation_score: true, method: true,
    reason: true, detected_at: true, resolved_at: true,
  },
  skill_community_baselines: {
    skill_name: true, total_users: true, total_invocations: true, global_completion_rate: true,
    global_avg_duration_seconds: true, most_common_workflow_phase: true,
    effectiveness_percentile: true, updated_at: true,
  },
  skill_user_interactions: {
    user_id: true, skill_name: true, invocation_count: true, completed_count: true,
    first_used: true, last_used: true,
  },
  skill_clusters: {
    cluster_id: true, cluster_name: true, description: true, created_at: true, updated_at: true,
  },
  skill_cluster_membership: { cluster_id: true, skill_name: true, membership_score: true },
  ab_test_configs: {
    id: true, test_name: true, description: true, control_strategy: true,
    treatment_strategy: true, variants: true, assignment_ratio: true, metrics: true,
    min_sample_size: true, start_date: true, end_date: true, status: true, salt: true,
    options: true, created_at: true,
  },
  ab_test_assignments: { test_id: true, user_id: true, variant: true, assigned_at: true },
  ab_test_user_stats: {
    test_id: true, user_id: true, variant: true, outcomes: true, completions: true,
    duration_count: true, log_duration_sum: true, rating_count: true, rating_sum: true,
    first_recorded_at: true, last_recorded_at: true, assigned_at: true, pre_invocations: true,
    pre_completions: true, pre_duration_count: true, pre_log_duration_sum: true, pre_computed_at: true,
    user_rate: true, mean_log_duration: true, mean_rating: true, duration_bucket: true, pre_rate: true,
    pre_mean_log_duration: true,
  },
  ab_test_outcomes: {
    id: true, test_id: true, user_id: true, variant: true, skill_name: true, completed: true,
    duration_seconds: true, user_rating: true, recorded_at: true,
  },
  skill_categories: {
    category_name: true, domain: true, description: true, parent_category: true, created_at: true,
  },
  skill_category_mapping: { skill_name: true, category_name: true, confidence: true, created_at: true },
  skill_dependencies: {
    skill_a: true, skill_b: true, source: true, co_occurrence_count: true, support: true,
    confidence: true, lift_score: true, updated_at: true,
  },
  skill_modalities: {
    skill_name: true, modality_type: true, input_format: true, output_format: true,
    requires_human_review: true, description: true,
  },
  predictor_models: {
    version: true, feature_version: true, trained_at: true, training_rows: true, features: true,
    options: true, metrics: true, model: true, aggregates: true, created_at: true,
  },
  store_settings: { key: true, value: true, updated_at: true },
  skill_user_opt_outs: { user_id: true, forgotten_at: true },
  integration_pending: { key: true, source: true, kind: true, session_id: true, payload: true, opened_at: true, expires_at: true },
  integration_runs: {
    invocation_id: true, source: true, sources: true, tool_name: true, run_key: true, project: true, client_version: true,
    agent_type: true, trigger: true, first_seen_at: true, updated_at: true,
  },
  ci_jobs: {
    id: true, kind: true, provider: true, pipeline: true, repository: true, run_id: true, attempt: true, name: true, stage: true,
    commit_sha: true, branch: true, status: true, error: true, started_at: true, duration_seconds: true, recorded_at: true,
  },
  integration_deliveries: { delivery_id: true, source: true, event: true, outcome: true, reason: true, invocations: true, received_at: true },
  skill_phase_totals: {
    skill_name: true, workflow_phase: true, completed: true, invocation_count: true, timed_count: true, duration_sum: true,
    bucket_0: true, bucket_1: true, bucket_2: true, bucket_3: true, bucket_4: true, bucket_5: true, bucket_6: true, bucket_7: true, bucket_8: true,
  },
};

const views: { [V in keyof SkillsViews]: Columns<SkillsViews[V]> } = {
  v_session_skill_summary: {
    session_id: true, unique_skills: true, total_invocations: true, completed_count: true,
    abandoned_count: true, total_duration_seconds: true, first_skill_at: true, last_skill_at: true,
  },
  v_skill_effectiveness: {
    skill_name: true, total_invocations: true, completed_invocations: true,
    abandoned_invocations: true, total_duration_seconds: true, timed_completions: true,
    avg_duration_seconds: true, completion_rate: true, first_invoked: true, last_invoked: true,
    workflow_paths: true, common_errors: true, follow_up_actions: true, updated_at: true,
    days_since_last_use: true,
  },
  v_top_skills: {
    skill_name: true, total_invocations: true, completion_rate: true,
    avg_duration_seconds: true, preferred_workflow: true,
  },
  v_skill_effectiveness_by_phase: {
    skill_name: true, workflow_phase: true, total_invocations: true, completed_count: true,
    abandoned_count: true, avg_duration_seconds: true, completion_rate: true,
  },
  v_workflow_phase_patterns: {
    workflow_phase: true, invocations_in_phase: true, unique_skills_in_phase: true,
    successful_completions: true, avg_phase_duration: true,
  },
  v_skills_by_phase_usage: { skill_name: true, workflow_phase: true, usage_count: true, success_rate: true },
  v_realtime_skill_dashboard: {
    skill_name: true, last_invocation_at: true, invocation_count_1h: true,
    invocation_count_24h: true, avg_completion_rate_24h: true, total_invocations: true,
    completion_rate: true, avg_duration_seconds: true, is_anomalous: true, anomaly_score: true,
  },
  v_skill_effectiveness_trend: {
    skill_name: true, days_observed: true, first_day: true, last_day: true,
    first_day_rate: true, last_day_rate: true, trend_slope: true,
  },
  v_community_baseline_comparison: {
    user_id: true, skill_name: true, user_invocations: true, user_completion_rate: true,
    global_completion_rate: true, completion_rate_difference: true, effectiveness_percentile: true,
  },
  v_skill_dependency_network: {
    skill_a: true, skill_b: true, source: true, co_occurrence_count: true, lift_score: true,
    relationship_type: true,
  },
  v_ab_test_summary: {
    test_id: true, test_name: true, status: true, variant: true, users_assigned: true,
    users_with_outcomes: true, outcomes: true, completion_rate: true, avg_duration_seconds: true,
  },
  v_multimodal_skill_catalog: {
    skill_name: true, modality_type: true, input_format: true, output_format: true,
    requires_human_review: true, category_name: true, total_invocations: true,
    completion_rate: true,
  },
};

function namesOf<T extends object>(record: T): Record<keyof T & string, string[]> {
  return Object.fromEntries(
    Object.entries(record).map(([name, columns]) => [name, Object.keys(columns as object)]),
  ) as Record<keyof T & string, string[]>;
}

/** table name → column names, as schema.ts declares them. */
export const tableColumns = namesOf(tables);
/** view name → column names, as views.ts declares them. */
export const viewColumns = namesOf(views);
