/** Phases of a workflow, in the order a session usually goes through them. */
export type WorkflowPhase = 'setup' | 'execution' | 'verification' | 'cleanup' | 'rollback';

/** How a session was run: a short interactive fix, a full pass, or a CI job. */
export type WorkflowPath = 'quick' | 'comprehensive' | 'ci';

export type IncidentKind = 'success_drop' | 'volume_spike' | 'latency_regression';

/**
 * `structured`: success follows a known logistic model (skill, phase, hour, user group, incidents).
 * `random`: success is a coin flip with one global probability, independent of everything.
 */
export type SuccessModel = 'structured' | 'random';

export type SkillCategory =
  | 'testing'
  | 'linting'
  | 'formatting'
  | 'typing'
  | 'git'
  | 'review'
  | 'build'
  | 'deploy'
  | 'infrastructure'
  | 'docs'
  | 'security'
  | 'packaging'
  | 'agent';

/** One skill invocation, in the snake_case shape the storage package records. */
export interface SyntheticInvocation {
  /** ULID (26 characters, Crockford base32): invocation time, then a per-seed tag and a counter. */
  id: string;
  skill_name: string;
  /** Epoch milliseconds. */
  invoked_at: number;
  session_id: string;
  user_id: string;
  workflow_path: WorkflowPath | null;
  workflow_phase: WorkflowPhase | null;
  workflow_step_id: string | null;
  completed: boolean;
  /** `null` for about 3% of invocations: duration unknown. */
  duration_seconds: number | null;
  user_query: string | null;
  /** Shared and frozen: do not mutate. */
  alternatives_considered: string[] | null;
  selection_rank: number | null;
  /** Shared and frozen: do not mutate. */
  follow_up_actions: string[] | null;
  error_type: string | null;
}

/** An incident to inject; `magnitude` defaults per kind (0.4, 5, 3). */
export interface IncidentSpec {
  skill: string;
  kind: IncidentKind;
  /** Epoch ms, inclusive. */
  start: number;
  /** Epoch ms, exclusive. */
  end: number;
  /**
   * success_drop: multiplier of the success probability, in [0, 1];
   * volume_spike: multiplier of the skill's traffic, ≥ 1;
   * latency_regression: multiplier of durations, > 0.
   */
  magnitude?: number | undefined;
}

/** An incident as injected: every field known. */
export interface Incident {
  skill: string;
  kind: IncidentKind;
  start: number;
  end: number;
  magnitude: number;
}

export interface WorkloadOptions {
  /** Exact number of invocations to generate (≥ 0). */
  invocations: number;
  /** Number of distinct users (≥ 1). */
  users: number;
  /** Number of distinct skills, 1 to 5000; names come from `skillNames`. */
  skills: number;
  /** Length of the time window in whole days (≥ 1). */
  days: number;
  /** Any safe integer. */
  seed: number;
  /** Epoch ms of the start of the window; default `Date.UTC(2026, 0, 1)`. */
  start?: number | undefined;
  /** Number of incidents to place, or exact specs; default max(1, round(days × skills / 100)). */
  incidents?: number | readonly IncidentSpec[] | undefined;
  /** Default `structured`. */
  successModel?: SuccessModel | undefined;
  /**
   * Multiplier (≥ 0) of the structured model's context effects: phase effects, hour effect and
   * group skill levels (not the base rates). 0 makes success depend on the skill alone; default 1.
   */
  contextEffect?: number | undefined;
  /**
   * Share (0–1) of single-skill picks drawn from the user's group favourites rather than from the
   * global popularity law: how strongly groups share skill habits. Default 0.75.
   */
  favouriteShare?: number | undefined;
  /**
   * Probability (0–1) that a unit of a session is a whole workflow rather than one skill; workflows
   * mix skills across groups, so lowering this makes groups' habits stand out. Default 0.45.
   */
  workflowShare?: number | undefined;
  /** Invocations per yielded batch; default 1000. */
  batchSize?: number | undefined;
}

/** The generative parameters of one skill. */
export interface SkillProfile {
  name: string;
  category: SkillCategory;
  /** Success probability in the execution phase, by day, for a group with skill level 0. */
  baseSuccessRate: number;
  /** Median of the log-normal duration, in seconds. */
  medianDurationSeconds: number;
  /** Standard deviation of ln(duration). */
  durationLogSigma: number;
  /** Expected share of all traffic outside incidents (the shares sum to 1). */
  popularity: number;
  /** Additive log-odds per phase (no effect when the phase is null). */
  phaseEffects: Record<WorkflowPhase, number>;
  /** Log-odds change at the darkest hour (03:00 UTC); ≤ 0, and 0 for skills unaffected by night. */
  hourEffect: number;
  /** Error types of failed invocations, most frequent first. */
  errorTypes: string[];
}

export interface UserProfile {
  userId: string;
  group: number;
  /** Relative session rate of this user. */
  activity: number;
}

export interface GroupProfile {
  id: number;
  favouriteSkills: string[];
  /** Additive log-odds per skill for users of this group. */
  skillLevels: Record<string, number>;
}

export interface TrafficProfile {
  /** Relative traffic per UTC hour of day (24 values, peak 1). */
  hourlyWeights: number[];
  /** Traffic multiplier on Saturdays and Sundays (UTC). */
  weekendFactor: number;
}

/** Everything the generator injected, so tests can check what analytics find. */
export interface WorkloadTruth {
  seed: number;
  /** Epoch ms of the window: [start, end). */
  start: number;
  end: number;
  successModel: SuccessModel;
  /** The coin's probability when `successModel` is `random`. */
  randomSuccessRate: number;
  /**
   * The `contextEffect` option: the multiplier the structured model applies to `phaseEffects`,
   * `hourEffect` and group `skillLevels` (which are stored unscaled).
   */
  contextEffect: number;
  /** The `favouriteShare` option: share of single-skill picks taken from the group's favourites. */
  favouriteShare: number;
  /** The `workflowShare` option: probability that a session unit is a whole workflow. */
  workflowShare: number;
  traffic: TrafficProfile;
  skills: SkillProfile[];
  users: UserProfile[];
  groups: GroupProfile[];
  incidents: Incident[];
  /** Skill sequences that sessions follow. */
  workflows: string[][];
  /** Names of `workflows`, same order; step ids are `<name>/<step number>`. */
  workflowNames: string[];
}

export interface SyntheticWorkload {
  /** Invocations in nondecreasing `invoked_at` order, generated lazily; each call starts over. */
  batches(): Iterable<SyntheticInvocation[]>;
  truth: WorkloadTruth;
}

/** The context of one invocation, for `trueSuccessProbability`. */
export interface SuccessContext {
  skill: string;
  phase: WorkflowPhase | null;
  /** UTC hour of day, 0–23. */
  hour: number;
  group: number;
  /** Epoch ms; when given, success-drop incidents active at that time apply. */
  at?: number | undefined;
}
