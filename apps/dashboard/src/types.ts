/** The JSON of the server's endpoints, as far as the page reads it (see /openapi.json). */
export interface Totals {
  invocations: number;
  completed: number;
  completion_rate: number | null;
  p95_duration_seconds: number | null;
  active_sessions: number;
  anomalies: number;
  open_anomalies: number;
}

export interface Summary {
  since: number;
  until: number;
  previous_since: number;
  current: Totals;
  /** null when asked with previous=off (the page's first render). */
  previous: Totals | null;
  change: {
    invocations: number | null;
    completion_rate: number | null;
    p95_duration_seconds: number | null;
    active_sessions: number | null;
    open_anomalies: number;
  } | null;
  series: { bucket_ms: number; points: { ts: number; invocations: number; completed: number }[] };
}

export interface SkillRow {
  skill_name: string;
  invocations: number;
  completed: number;
  completion_rate: number;
  errors: number;
  avg_duration_seconds: number | null;
  p95_duration_seconds: number | null;
  /** null when asked with trends=off (the page's first render). */
  trend: 'improving' | 'declining' | 'stable' | 'insufficient_data' | null;
  sparkline: number[];
}

export interface SkillsTable {
  since: number;
  until: number;
  sparkline_bucket_ms: number;
  skills: SkillRow[];
}

export interface Anomaly {
  id: string;
  skill: string;
  type: string;
  metric: 'completion_rate' | 'invocation_count' | 'avg_duration_seconds';
  bucket: number;
  baseline: number | null;
  observed: number | null;
  score: number;
  reason: string;
  detectedAt: number;
  resolvedAt: number | null;
}

export interface SkillView {
  skill_name: string;
  since: number;
  until: number;
  hours: { ts: number; invocations: number; completed: number; completion_rate: number | null; p95_duration_seconds: number | null }[];
  anomalies: Anomaly[];
  top_errors: { error_type: string; count: number }[];
  trend: { direction: string; summary: string };
  dependencies: { partner: string; source: string; lift: number; confidence: number | null; sessions: number }[];
  community_baseline: {
    totalUsers: number;
    totalInvocations: number;
    completionRate: number;
    avgDurationSeconds: number | null;
    effectivenessPercentile: number;
    mostCommonPhase: string | null;
  } | null;
}

export interface Invocation {
  id: string;
  skill_name: string;
  invoked_at: number;
  session_id: string;
  user_id: string | null;
  workflow_phase: string | null;
  completed: boolean;
  duration_seconds: number | null;
  error_type: string | null;
}

export interface UnusedSkill {
  skill_name: string;
  invocations: number;
  last_invoked: number | null;
  categories: string[];
}

export interface Unused {
  rare_below: number;
  known_skills: number;
  never: UnusedSkill[];
  rarely: UnusedSkill[];
}

export interface Experiments {
  experiments: {
    experiment: { id: string; name: string; status: string; variants: { name: string; strategy: string; weight: number }[] };
    analysis: {
      primaryMetric: string;
      variants: {
        name: string;
        assigned: number;
        usersWithOutcomes: number;
        completionRate: number;
        completionRateInterval: { lower: number; upper: number };
      }[];
      srm: { pValue: number; mismatch: boolean };
      comparisons: {
        metric: string;
        variant: string;
        relativeLift: number;
        relativeLiftInterval: { lower: number; upper: number };
        bayesian: { chanceToBeatControl: number } | null;
        adjustedPValue: number;
      }[];
      verdict: string;
      winner: string | null;
      reason: string;
    };
  }[];
}

export interface Filters {
  skills: string[];
  phases: string[];
  users: { user_id: string; invocations: number }[];
}

export interface UserView {
  user: string;
  recommendations: { skill: string; score: number; reason: string; basis: string }[];
  community: {
    skill: string;
    userRate: number;
    globalRate: number | null;
    difference: number | null;
    verdict: string;
    pValue: number;
    userInvocations: number;
  }[];
}

/** GET /v1/integrations/ci/pipelines */
export interface CiPipelines {
  pipelines: {
    pipeline: string;
    provider: string;
    repository: string | null;
    runs: number;
    jobs: number;
    success_rate: number | null;
    last_run_at: number;
  }[];
}

/** GET /v1/integrations/ci/report?pipeline= */
export interface CiReport {
  pipeline: string;
  provider: string | null;
  repository: string | null;
  since: number;
  until: number;
  runs: number;
  jobs: number;
  overall_success_rate: number | null;
  pipeline_runs: { total: number; successful: number; success_rate: number } | null;
  stages: {
    stage: string;
    workflow_phase: string | null;
    total_runs: number;
    successful_runs: number;
    success_rate: number;
    avg_duration_seconds: number | null;
    skills_used: string[];
    common_failures: Record<string, number>;
  }[];
  bottlenecks: { stage: string; success_rate: number; avg_duration_seconds: number | null; severity: 'high' | 'medium' }[];
  flaky_steps: {
    name: string;
    stage: string | null;
    commits: number;
    latest: { commit: string; failures: number; failed_at: number; passed_at: number };
  }[];
  recommendations: { priority: 'high' | 'medium' | 'low'; stage: string; message: string }[];
}
