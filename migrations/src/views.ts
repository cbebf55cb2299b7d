/**
 * Row types of the views the migrations create. Timestamps are epoch milliseconds, rates are
 * fractions 0–1. On PostgreSQL counts come back as BIGINT, so the store parses int8 to number.
 *
 * A store can type them next to its tables, e.g.
 * `interface Db extends SkillsDatabase { v_top_skills: ReadOnly<TopSkillsView> }`.
 */

/** V1 `v_session_skill_summary`: one row per session. */
export interface SessionSkillSummaryView {
  session_id: string;
  unique_skills: number;
  total_invocations: number;
  completed_count: number;
  abandoned_count: number;
  /** Sum of the known durations (0 when none is known). */
  total_duration_seconds: number;
  first_skill_at: number;
  last_skill_at: number;
}

/** V1 `v_skill_effectiveness`: skill_metrics rows with at least one invocation. */
export interface SkillEffectivenessView {
  skill_name: string;
  total_invocations: number;
  completed_invocations: number;
  abandoned_invocations: number;
  total_duration_seconds: number;
  timed_completions: number;
  avg_duration_seconds: number | null;
  completion_rate: number;
  first_invoked: number;
  last_invoked: number;
  workflow_paths: string;
  common_errors: string;
  follow_up_actions: string;
  updated_at: number;
  /** Whole days since last_invoked, by the database clock. */
  days_since_last_use: number;
}

/** V1 `v_top_skills`, ordered by total_invocations descending. */
export interface TopSkillsView {
  skill_name: string;
  total_invocations: number;
  completion_rate: number;
  avg_duration_seconds: number | null;
  /** Name of the most used workflow path (ties: first by name), NULL when none is recorded. */
  preferred_workflow: string | null;
}

/** V3 `v_skill_effectiveness_by_phase`: per skill and workflow phase. */
export interface SkillEffectivenessByPhaseView {
  skill_name: string;
  workflow_phase: string;
  total_invocations: number;
  completed_count: number;
  abandoned_count: number;
  /** Over completed invocations with a known duration. */
  avg_duration_seconds: number | null;
  completion_rate: number;
}

/** V3 `v_workflow_phase_patterns`: per workflow phase. */
export interface WorkflowPhasePatternsView {
  workflow_phase: string;
  invocations_in_phase: number;
  unique_skills_in_phase: number;
  successful_completions: number;
  /** Over completed invocations with a known duration. */
  avg_phase_duration: number | null;
}

/** V3 `v_skills_by_phase_usage`: per skill and workflow phase. */
export interface SkillsByPhaseUsageView {
  skill_name: string;
  workflow_phase: string;
  usage_count: number;
  success_rate: number;
}

/** V4 `v_realtime_skill_dashboard`: skill_metrics_cache joined to skill_metrics. */
export interface RealtimeSkillDashboardView {
  skill_name: string;
  last_invocation_at: number;
  invocation_count_1h: number;
  invocation_count_24h: number;
  avg_completion_rate_24h: number | null;
  total_invocations: number;
  completion_rate: number;
  avg_duration_seconds: number | null;
  is_anomalous: number;
  anomaly_score: number | null;
}

/** V4 `v_skill_effectiveness_trend`: per skill, over the days of mv_daily_skills. */
export interface SkillEffectivenessTrendView {
  skill_name: string;
  days_observed: number;
  first_day: number;
  last_day: number;
  first_day_rate: number;
  last_day_rate: number;
  /** Least-squares slope of the daily completion rate, per day; NULL with fewer than 2 days. */
  trend_slope: number | null;
}

/** V4 `v_community_baseline_comparison`: per (pseudonymised) user and skill. */
export interface CommunityBaselineComparisonView {
  user_id: string;
  skill_name: string;
  user_invocations: number;
  user_completion_rate: number | null;
  global_completion_rate: number;
  completion_rate_difference: number | null;
  effectiveness_percentile: number;
}

/** V4 `v_skill_dependency_network`. */
export interface SkillDependencyNetworkView {
  skill_a: string;
  skill_b: string;
  source: string;
  co_occurrence_count: number;
  lift_score: number;
  relationship_type: 'very_strong_positive' | 'strong_positive' | 'moderate_positive' | 'weak_positive' | 'negative';
}

/** V4 `v_ab_test_summary`: per test and variant (declared in the config or seen in the data). */
export interface AbTestSummaryView {
  test_id: string;
  test_name: string;
  status: string;
  variant: string;
  users_assigned: number;
  users_with_outcomes: number;
  outcomes: number;
  /** Over outcomes; NULL when there are none. */
  completion_rate: number | null;
  /** Over outcomes with a known duration. */
  avg_duration_seconds: number | null;
}

/** V4 `v_multimodal_skill_catalog`: one row per skill modality and category. */
export interface MultimodalSkillCatalogView {
  skill_name: string;
  modality_type: string;
  input_format: string | null;
  output_format: string | null;
  requires_human_review: number;
  category_name: string | null;
  /** 0 for a skill never invoked. */
  total_invocations: number;
  completion_rate: number | null;
}

/** Every view, by name. */
export interface SkillsViews {
  v_session_skill_summary: SessionSkillSummaryView;
  v_skill_effectiveness: SkillEffectivenessView;
  v_top_skills: TopSkillsView;
  v_skill_effectiveness_by_phase: SkillEffectivenessByPhaseView;
  v_workflow_phase_patterns: WorkflowPhasePatternsView;
  v_skills_by_phase_usage: SkillsByPhaseUsageView;
  v_realtime_skill_dashboard: RealtimeSkillDashboardView;
  v_skill_effectiveness_trend: SkillEffectivenessTrendView;
  v_community_baseline_comparison: CommunityBaselineComparisonView;
  v_skill_dependency_network: SkillDependencyNetworkView;
  v_ab_test_summary: AbTestSummaryView;
  v_multimodal_skill_catalog: MultimodalSkillCatalogView;
}
