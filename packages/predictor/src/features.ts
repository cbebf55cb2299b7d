/**
 * Features of an invocation, computed only from what was known before it: running aggregates
 * that the training pass updates *after* each row (see `observeInvocation`), and the row's own
 * context (time, phase, session so far, query text). The same code computes features for
 * training rows and for predictions, so the two cannot drift apart.
 */

/** Bump when the feature layout or meaning changes: saved models of another version must be retrained. */
export const FEATURE_VERSION = 3;

/** Model columns, in order. */
export const FEATURE_NAMES = [
  'skill_rate',
  'skill_history',
  'user_rate',
  'user_history',
  'skill_phase_rate',
  'skill_hour_rate',
  'phase',
  'hour_of_day',
  'day_of_week',
  'session_minutes',
  'session_skills_used',
  'previous_outcome',
  'query_length',
  'query_words',
  'query_has_path',
  'query_is_question',
  'combined_rate',
  'user_skill_rate',
] as const;

export type FeatureName = (typeof FEATURE_NAMES)[number];
export const FEATURE_COUNT = FEATURE_NAMES.length;
/** Column of the skill's historical rate: also the baseline's prediction. */
export const SKILL_RATE = 0;

/** Fixed phase codes (part of the feature version, unlike the original's first-seen order). */
export const PHASES = ['setup', 'execution', 'verification', 'cleanup', 'rollback'] as const;
const NO_PHASE = -1;
const OTHER_PHASE = PHASES.length;

/** [invocations, completed] */
type Tally = [number, number];

/** Running completion tallies; plain data, saved with a model as its cached aggregates. */
export interface Aggregates {
  /** Bayesian smoothing weight m: rate = (completed + m·prior) / (n + m). */
  smoothing: number;
  global: Tally;
  skills: Map<string, Tally>;
  users: Map<string, Tally>;
  /** key `skill \u0000 phase` */
  skillPhases: Map<string, Tally>;
  /** key `skill \u0000 3-hour block of the UTC day` */
  skillHours: Map<string, Tally>;
  /** key `user \u0000 skill` */
  userSkills: Map<string, Tally>;
}

/** The session as it stood just before the invocation. */
export interface SessionState {
  startedAt: number;
  /** Distinct skills already used in the session. */
  skillsUsed: number;
  /** Outcome of the previous invocation in the session; null for the first one. */
  previousCompleted: boolean | null;
}

/** What features are computed from (a training row or a prediction request). */
export interface FeatureContext {
  skill: string;
  user: string | null;
  phase: string | null;
  /** Epoch ms of the invocation. */
  at: number;
  query: string | null;
  session: SessionState | null;
}

export function createAggregates(smoothing: number): Aggregates {
  return {
    smoothing,
    global: [0, 0],
    skills: new Map(),
    users: new Map(),
    skillPhases: new Map(),
    skillHours: new Map(),
    userSkills: new Map(),
  };
}

/** Smoothed completion rate of a tally towards `prior`. */
export function smoothedRate(tally: Tally | undefined, prior: number, m: number): number {
  return tally ? (tally[1] + m * prior) / (tally[0] + m) : prior;
}

export function globalRate(aggregates: Aggregates): number {
  return (aggregates.global[1] + 1) / (aggregates.global[0] + 2);
}

export function phaseCode(phase: string | null): number {
  if (phase === null) return NO_PHASE;
  const index = (PHASES as readonly string[]).indexOf(phase);
  return index >= 0 ? index : OTHER_PHASE;
}

const logit = (p: number) => Math.log(p / (1 - p));
const logistic = (x: number) => 1 / (1 + Math.exp(-x));

/** 3-hour block (0–7) of the UTC day. */
export const hourBlock = (at: number) => Math.floor(new Date(at).getUTCHours() / 3);

/** Writes the features of `context` into `out` (length FEATURE_COUNT), from aggregates only. */
export function computeFeatures(aggregates: Aggregates, context: FeatureContext, out: Float64Array): Float64Array {
  const m = aggregates.smoothing;
  const prior = globalRate(aggregates);
  const skill = aggregates.skills.get(context.skill);
  const skillRate = smoothedRate(skill, prior, m);
  const user = context.user === null ? undefined : aggregates.users.get(context.user);
  const date = new Date(context.at);
  out[0] = skillRate;
  out[1] = Math.log2(1 + (skill?.[0] ?? 0));
  out[2] = smoothedRate(user, prior, m);
  out[3] = Math.log2(1 + (user?.[0] ?? 0));
  out[4] =
    context.phase === null ? skillRate : smoothedRate(aggregates.skillPhases.get(`${context.skill}\u0000${context.phase}`), skillRate, m);
  out[5] = smoothedRate(aggregates.skillHours.get(`${context.skill}\u0000${hourBlock(context.at)}`), skillRate, m);
  out[6] = phaseCode(context.phase);
  out[7] = date.getUTCHours();
  out[8] = (date.getUTCDay() + 6) % 7; // Monday = 0, as the original
  const session = context.session;
  out[9] = session ? Math.max(0, (context.at - session.startedAt) / 60_000) : 0;
  out[10] = session ? session.skillsUsed : 0;
  out[11] = session === null || session.previousCompleted === null ? -1 : session.previousCompleted ? 1 : 0;
  writeQueryFeatures(context.query, out, 12);
  // The rates' evidence added on the log-odds scale (naive-Bayes style): one strong column the
  // trees can split on, instead of each small tree rediscovering the sum from a few hundred rows.
  out[17] =
    context.user === null ? skillRate : smoothedRate(aggregates.userSkills.get(`${context.user}\u0000${context.skill}`), skillRate, m);
  out[16] = combinedRate(out);
  return out;
}

function combinedRate(out: Float64Array): number {
  const skillRate = out[SKILL_RATE]!;
  return logistic(logit(out[4]!) + logit(out[17]!) - logit(skillRate) + logit(out[5]!) - logit(skillRate));
}

/**
 * The same features with the time of the invocation unknown (no hour-block rate, the typical
 * hour and day): what a prediction would be without its "when", for explaining it.
 */
export function forgetTime(out: Float64Array, reference: ArrayLike<number>): Float64Array {
  out[5] = out[SKILL_RATE]!;
  out[7] = reference[7] ?? out[7]!;
  out[8] = reference[8] ?? out[8]!;
  out[16] = combinedRate(out);
  return out;
}

/** Phase slot of the additive model: 0 without a phase, else 1 + the phase code. */
export function phaseSlot(phase: string | null): number {
  return phaseCode(phase) + 1;
}

/** An independent copy (the training pass freezes copies at the slice boundaries). */
export function cloneAggregates(a: Aggregates): Aggregates {
  const copy = (map: Map<string, Tally>) => new Map([...map].map(([k, t]) => [k, [t[0], t[1]] as Tally]));
  return {
    smoothing: a.smoothing,
    global: [a.global[0], a.global[1]],
    skills: copy(a.skills),
    users: copy(a.users),
    skillPhases: copy(a.skillPhases),
    skillHours: copy(a.skillHours),
    userSkills: copy(a.userSkills),
  };
}

const PATH_LIKE = /[\w-]+\.[a-z]{1,5}\b|\//i;
const QUESTION = /\?\s*$|^\s*(how|why|what|when|where|which|can|should|is|does|do)\b/i;

/** Cheap query features: length in characters, words, mentions a path or file, reads as a question. -1 when there is no query. */
function writeQueryFeatures(query: string | null, out: Float64Array, at: number): void {
  if (query === null || query.trim() === '') {
    out[at] = out[at + 1] = out[at + 2] = out[at + 3] = -1;
    return;
  }
  out[at] = query.length;
  let words = 0;
  let inWord = false;
  for (let i = 0; i < query.length; i++) {
    const space = query.charCodeAt(i) <= 32;
    if (!space && !inWord) words++;
    inWord = !space;
  }
  out[at + 1] = words;
  out[at + 2] = PATH_LIKE.test(query) ? 1 : 0;
  out[at + 3] = QUESTION.test(query) ? 1 : 0;
}

function bump(map: Map<string, Tally>, key: string, completed: number): void {
  const tally = map.get(key);
  if (tally) {
    tally[0]++;
    tally[1] += completed;
  } else map.set(key, [1, completed]);
}

/** Adds one finished invocation to the aggregates: call it *after* computing that row's features. */
export function observeInvocation(aggregates: Aggregates, context: FeatureContext, completed: boolean): void {
  const c = completed ? 1 : 0;
  aggregates.global[0]++;
  aggregates.global[1] += c;
  bump(aggregates.skills, context.skill, c);
  if (context.user !== null) {
    bump(aggregates.users, context.user, c);
    bump(aggregates.userSkills, `${context.user}\u0000${context.skill}`, c);
  }
  if (context.phase !== null) bump(aggregates.skillPhases, `${context.skill}\u0000${context.phase}`, c);
  bump(aggregates.skillHours, `${context.skill}\u0000${hourBlock(context.at)}`, c);
}

/** JSON form of the aggregates, as saved with a model. */
export interface SavedAggregates {
  smoothing: number;
  global: Tally;
  skills: Record<string, Tally>;
  users: Record<string, Tally>;
  skillPhases: Record<string, Tally>;
  skillHours: Record<string, Tally>;
  userSkills: Record<string, Tally>;
}

export function saveAggregates(a: Aggregates): SavedAggregates {
  return {
    smoothing: a.smoothing,
    global: a.global,
    skills: Object.fromEntries(a.skills),
    users: Object.fromEntries(a.users),
    skillPhases: Object.fromEntries(a.skillPhases),
    skillHours: Object.fromEntries(a.skillHours),
    userSkills: Object.fromEntries(a.userSkills),
  };
}

export function loadAggregates(s: SavedAggregates): Aggregates {
  return {
    smoothing: s.smoothing,
    global: s.global,
    skills: new Map(Object.entries(s.skills)),
    users: new Map(Object.entries(s.users)),
    skillPhases: new Map(Object.entries(s.skillPhases)),
    skillHours: new Map(Object.entries(s.skillHours)),
    userSkills: new Map(Object.entries(s.userSkills)),
  };
}
