import type { InvocationRow } from '../invocation.js';
import type { SessionSkillsTable, SkillUserInteractionsTable } from '../schema.js';
import { bucketOf, type DurationHistogram } from './duration-histogram.js';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** What one batch adds to a skill's lifetime totals. */
export interface SkillDelta {
  skill: string;
  total: number;
  completed: number;
  durationSum: number;
  timedCompletions: number;
  first: number;
  last: number;
  workflowPaths: Map<string, number>;
  workflowPhases: Map<string, number>;
  errors: Map<string, number>;
  followUps: Map<string, number>;
}

/** What one batch adds to an hourly (or daily) bucket of one skill. */
export interface BucketDelta {
  skill: string;
  start: number;
  count: number;
  completed: number;
  durationSum: number;
  durationCount: number;
  histogram: DurationHistogram;
  sessions: Set<string>;
}

/** What one batch adds to a (session, skill) pair: a `session_skills` row, written as it is. */
export type SessionSkillDelta = SessionSkillsTable;

export interface BatchDeltas {
  skills: Map<string, SkillDelta>;
  hours: Map<string, BucketDelta>;
  days: Map<string, BucketDelta>;
  sessionSkills: Map<string, SessionSkillDelta>;
}

/**
 * Fold a batch of newly inserted rows into per-key deltas, so each rollup table gets one
 * upsert per key instead of one write per row.
 */
export function aggregateBatch(rows: readonly InvocationRow[]): BatchDeltas {
  const deltas: BatchDeltas = { skills: new Map(), hours: new Map(), days: new Map(), sessionSkills: new Map() };
  for (const row of rows) {
    const timed = row.completed === 1 && row.duration_seconds !== null;
    addToSkill(deltas.skills, row, timed);
    addToBucket(deltas.hours, row, row.invoked_at - (row.invoked_at % HOUR_MS), timed, true);
    addToBucket(deltas.days, row, row.invoked_at - (row.invoked_at % DAY_MS), timed, false);
    addToSessionSkill(deltas.sessionSkills, row);
  }
  return deltas;
}

function addToSkill(skills: Map<string, SkillDelta>, row: InvocationRow, timed: boolean): void {
  let delta = skills.get(row.skill_name);
  if (!delta) {
    delta = {
      skill: row.skill_name,
      total: 0,
      completed: 0,
      durationSum: 0,
      timedCompletions: 0,
      first: row.invoked_at,
      last: row.invoked_at,
      workflowPaths: new Map(),
      workflowPhases: new Map(),
      errors: new Map(),
      followUps: new Map(),
    };
    skills.set(row.skill_name, delta);
  }
  delta.total += 1;
  delta.completed += row.completed;
  if (timed) {
    delta.durationSum += row.duration_seconds!;
    delta.timedCompletions += 1;
  }
  if (row.invoked_at < delta.first) delta.first = row.invoked_at;
  if (row.invoked_at > delta.last) delta.last = row.invoked_at;
  if (row.workflow_path !== null) increment(delta.workflowPaths, row.workflow_path);
  if (row.workflow_phase !== null) increment(delta.workflowPhases, row.workflow_phase);
  if (row.error_type !== null) increment(delta.errors, row.error_type);
  if (row.follow_up_actions !== null) {
    for (const action of JSON.parse(row.follow_up_actions) as string[]) increment(delta.followUps, action);
  }
}

function addToBucket(
  buckets: Map<string, BucketDelta>,
  row: InvocationRow,
  start: number,
  timed: boolean,
  trackDetail: boolean,
): void {
  const key = `${start}\u0000${row.skill_name}`;
  let bucket = buckets.get(key);
  if (!bucket) {
    bucket = {
      skill: row.skill_name,
      start,
      count: 0,
      completed: 0,
      durationSum: 0,
      durationCount: 0,
      histogram: new Map(),
      sessions: new Set(),
    };
    buckets.set(key, bucket);
  }
  bucket.count += 1;
  bucket.completed += row.completed;
  if (timed) {
    bucket.durationSum += row.duration_seconds!;
    bucket.durationCount += 1;
    if (trackDetail) increment(bucket.histogram, bucketOf(row.duration_seconds!));
  }
  if (trackDetail) bucket.sessions.add(row.session_id);
}

function addToSessionSkill(sessionSkills: Map<string, SessionSkillDelta>, row: InvocationRow): void {
  const key = `${row.session_id}\u0000${row.skill_name}`;
  const delta = sessionSkills.get(key);
  if (!delta) {
    sessionSkills.set(key, {
      session_id: row.session_id,
      skill_name: row.skill_name,
      invocation_count: 1,
      first_used: row.invoked_at,
      last_used: row.invoked_at,
    });
    return;
  }
  delta.invocation_count += 1;
  if (row.invoked_at < delta.first_used) delta.first_used = row.invoked_at;
  if (row.invoked_at > delta.last_used) delta.last_used = row.invoked_at;
}

/** What one batch adds to one (pseudonymised user, skill) pair: a `skill_user_interactions` row. */
export type UserSkillDelta = SkillUserInteractionsTable;

/** Fold a batch's rows that name a user into per (pseudonym, skill) deltas. */
export function aggregateUserSkills(rows: readonly InvocationRow[], pseudonymise: (userId: string) => string): UserSkillDelta[] {
  const pseudonyms = new Map<string, string>();
  const pairs = new Map<string, UserSkillDelta>();
  for (const row of rows) {
    if (row.user_id === null) continue;
    let user = pseudonyms.get(row.user_id);
    if (user === undefined) {
      user = pseudonymise(row.user_id);
      pseudonyms.set(row.user_id, user);
    }
    const key = `${user}\u0000${row.skill_name}`;
    const delta = pairs.get(key);
    if (!delta) {
      pairs.set(key, {
        user_id: user,
        skill_name: row.skill_name,
        invocation_count: 1,
        completed_count: row.completed,
        first_used: row.invoked_at,
        last_used: row.invoked_at,
      });
      continue;
    }
    delta.invocation_count += 1;
    delta.completed_count += row.completed;
    if (row.invoked_at < delta.first_used) delta.first_used = row.invoked_at;
    if (row.invoked_at > delta.last_used) delta.last_used = row.invoked_at;
  }
  return [...pairs.values()];
}

function increment<K>(map: Map<K, number>, key: K): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/**
 * Merge a tally stored as a JSON object with new counts. Keys are arbitrary strings kept
 * verbatim (dots, brackets, even `__proto__`), so the merge works on Maps, never on object paths.
 */
export function mergeTally(json: string | undefined, add: Map<string, number>): string {
  if (add.size === 0) return json ?? '{}';
  const tally = new Map<string, number>(json ? Object.entries(JSON.parse(json) as Record<string, number>) : []);
  for (const [key, count] of add) tally.set(key, (tally.get(key) ?? 0) + count);
  const keys = [...tally.keys()].sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${tally.get(key)}`).join(',')}}`;
}
