import { createSkillIds, type SkillIds } from './skill-ids.js';
import type { SkillOutcome, SkillTotals, UsageStats } from './usage-stats.js';

/** One user's invocations of one skill, by skill name (what `skill_user_interactions` holds). */
export interface InteractionRow {
  readonly user: string;
  readonly skill: string;
  readonly total: number;
  readonly completed: number;
}

export interface PopulationOptions {
  /** Successful invocations before a user counts as using a skill. Default 1. */
  readonly minSuccesses?: number;
}

/**
 * Every user's skills in compact arrays (compressed sparse rows), sized for a million users:
 * per user, the skills they invoked with their counts, and the sorted set of skills they *use*
 * (completed at least `minSuccesses` times); per skill, the users who use it (an inverted index
 * for exact similarity) and its totals over all users.
 */
export interface Population {
  readonly minSuccesses: number;
  readonly skillIds: SkillIds;
  /** Users in index order. */
  readonly users: readonly string[];
  readonly indexOf: ReadonlyMap<string, number>;
  /** Each user's used skills as a sorted view into one shared array. */
  readonly sets: ReadonlyMap<string, Uint32Array>;
  /** Number of used skills per user index (the same as `sets`, without a string lookup). */
  readonly setSizes: Uint32Array;
  /** Users using each skill, ascending user index: postings[postingStart[s] … postingStart[s + 1]). */
  readonly postingStart: Uint32Array;
  readonly postings: Uint32Array;
  /** Per-user and per-skill counts in the shape `rankByNeighbours` reads. */
  readonly stats: UsageStats;
}

/**
 * Builds a population from (user, skill, total, completed) rows; rows for the same pair are
 * added up. Rows with counts that are not integers with 0 ≤ completed ≤ total are rejected.
 *
 * @example
 * const population = buildPopulation([
 *   { user: 'ann', skill: 'lint', total: 3, completed: 2 },
 *   { user: 'bob', skill: 'lint', total: 1, completed: 0 },
 * ]);
 * population.sets.get('ann'); // Uint32Array [0] (lint)
 * population.sets.has('bob'); // false: never completed it
 */
export function buildPopulation(rows: Iterable<InteractionRow>, options: PopulationOptions = {}): Population {
  const minSuccesses = options.minSuccesses ?? 1;
  if (!Number.isInteger(minSuccesses) || minSuccesses < 1) {
    throw new RangeError(`minSuccesses must be an integer ≥ 1 (got ${String(minSuccesses)})`);
  }
  const skillIds = createSkillIds();
  const indexOf = new Map<string, number>();
  const users: string[] = [];
  // Columns of the input, then sorted by (user, skill) through an index permutation.
  let userCol = new Uint32Array(1024);
  let skillCol = new Uint32Array(1024);
  let totalCol = new Float64Array(1024);
  let completedCol = new Float64Array(1024);
  let n = 0;
  for (const row of rows) {
    if (!Number.isInteger(row.total) || !Number.isInteger(row.completed) || row.completed < 0 || row.completed > row.total) {
      throw new RangeError(
        `completed must be an integer in [0, total] (user ${row.user}, skill ${row.skill}: ${row.completed} of ${row.total})`,
      );
    }
    if (n === userCol.length) {
      userCol = grow(userCol);
      skillCol = grow(skillCol);
      totalCol = grow(totalCol);
      completedCol = grow(completedCol);
    }
    let u = indexOf.get(row.user);
    if (u === undefined) {
      u = users.length;
      indexOf.set(row.user, u);
      users.push(row.user);
    }
    userCol[n] = u;
    skillCol[n] = skillIds.idOf(row.skill);
    totalCol[n] = row.total;
    completedCol[n] = row.completed;
    n++;
  }
  // Counting sort by user, then each user's few rows sorted by skill.
  const rowStart = new Uint32Array(users.length + 1);
  for (let r = 0; r < n; r++) rowStart[userCol[r]! + 1]! += 1;
  for (let u = 0; u < users.length; u++) rowStart[u + 1]! += rowStart[u]!;
  const order = new Uint32Array(n);
  const next = rowStart.slice(0, users.length);
  for (let r = 0; r < n; r++) order[next[userCol[r]!]!++] = r;

  // Per user: merged (skill, total, completed) runs, and the used subset.
  const outcomeStart = new Uint32Array(users.length + 1);
  const outcomeSkill = new Uint32Array(n);
  const outcomeTotal = new Float64Array(n);
  const outcomeCompleted = new Float64Array(n);
  const usedStart = new Uint32Array(users.length + 1);
  const usedSkills = new Uint32Array(n);
  let outcomes = 0;
  let usedCount = 0;
  for (let u = 0; u < users.length; u++) {
    outcomeStart[u] = outcomes;
    usedStart[u] = usedCount;
    const slice = order.subarray(rowStart[u]!, rowStart[u + 1]!).sort((a, b) => skillCol[a]! - skillCol[b]!);
    for (let j = 0; j < slice.length; ) {
      const skill = skillCol[slice[j]!]!;
      let total = 0;
      let completed = 0;
      for (; j < slice.length && skillCol[slice[j]!] === skill; j++) {
        total += totalCol[slice[j]!]!;
        completed += completedCol[slice[j]!]!;
      }
      if (total === 0) continue;
      outcomeSkill[outcomes] = skill;
      outcomeTotal[outcomes] = total;
      outcomeCompleted[outcomes] = completed;
      outcomes++;
      if (completed >= minSuccesses) usedSkills[usedCount++] = skill;
    }
  }
  outcomeStart[users.length] = outcomes;
  usedStart[users.length] = usedCount;

  const setSizes = new Uint32Array(users.length);
  for (let u = 0; u < users.length; u++) setSizes[u] = usedStart[u + 1]! - usedStart[u]!;
  const sets = new Map<string, Uint32Array>();
  for (let u = 0; u < users.length; u++) {
    if (usedStart[u + 1]! > usedStart[u]!) sets.set(users[u]!, usedSkills.subarray(usedStart[u]!, usedStart[u + 1]!));
  }

  // Inverted index: users per used skill, ascending user index (users are visited in order).
  const skills = skillIds.size;
  const postingStart = new Uint32Array(skills + 1);
  for (let j = 0; j < usedCount; j++) postingStart[usedSkills[j]! + 1]! += 1;
  for (let s = 0; s < skills; s++) postingStart[s + 1]! += postingStart[s]!;
  const postings = new Uint32Array(usedCount);
  const fill = postingStart.slice(0, skills);
  for (let u = 0; u < users.length; u++) {
    for (let j = usedStart[u]!; j < usedStart[u + 1]!; j++) postings[fill[usedSkills[j]!]!++] = u;
  }

  const bySkill = new Map<number, { total: number; completed: number; users: number; successfulUsers: number }>();
  for (let j = 0; j < outcomes; j++) {
    const skill = outcomeSkill[j]!;
    const totals = bySkill.get(skill) ?? { total: 0, completed: 0, users: 0, successfulUsers: 0 };
    totals.total += outcomeTotal[j]!;
    totals.completed += outcomeCompleted[j]!;
    totals.users += 1;
    if (outcomeCompleted[j]! > 0) totals.successfulUsers += 1;
    bySkill.set(skill, totals);
  }

  const outcomesOf = (user: string): ReadonlyMap<number, SkillOutcome> | undefined => {
    const u = indexOf.get(user);
    if (u === undefined) return undefined;
    const map = new Map<number, SkillOutcome>();
    for (let j = outcomeStart[u]!; j < outcomeStart[u + 1]!; j++) {
      map.set(outcomeSkill[j]!, { total: outcomeTotal[j]!, completed: outcomeCompleted[j]! });
    }
    return map;
  };
  const stats: UsageStats = { byUser: { get: outcomesOf }, bySkill: bySkill as ReadonlyMap<number, SkillTotals> };
  return { minSuccesses, skillIds, users, indexOf, sets, setSizes, postingStart, postings, stats };
}

function grow<T extends Uint32Array | Float64Array>(array: T): T {
  const bigger = new (array.constructor as new (length: number) => T)(array.length * 2);
  bigger.set(array);
  return bigger;
}
