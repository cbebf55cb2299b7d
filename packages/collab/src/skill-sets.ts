/** How often one user completed one skill; several rows for the same pair are added up. */
export interface SkillCompletions {
  readonly user: string;
  /** Numeric skill id (intern names first, e.g. with `createSkillIds`). */
  readonly skill: number;
  /** Successful (completed) invocations. */
  readonly completed: number;
}

export interface SkillSetOptions {
  /** Successful invocations before a user counts as using a skill. Default 1. */
  readonly minSuccesses?: number;
}

/**
 * Builds each user's skill set as a sorted `Uint32Array` of distinct skill ids: the compact form
 * every similarity function here works on. A user uses a skill once they have completed it at
 * least `minSuccesses` times (summed over rows), so repeat invocations never count twice and a
 * user with only failures has an empty set (and is left out of the map).
 *
 * @example
 * const sets = buildSkillSets([
 *   { user: 'ann', skill: 3, completed: 2 },
 *   { user: 'ann', skill: 1, completed: 1 },
 *   { user: 'bob', skill: 1, completed: 0 },
 * ]);
 * sets.get('ann'); // Uint32Array [1, 3]
 * sets.has('bob'); // false: never completed anything
 */
export function buildSkillSets(rows: Iterable<SkillCompletions>, options: SkillSetOptions = {}): Map<string, Uint32Array> {
  const minSuccesses = options.minSuccesses ?? 1;
  if (!Number.isInteger(minSuccesses) || minSuccesses < 1) {
    throw new RangeError(`minSuccesses must be an integer ≥ 1 (got ${String(minSuccesses)})`);
  }
  const totals = new Map<string, Map<number, number>>();
  for (const row of rows) {
    if (!Number.isInteger(row.skill) || row.skill < 0 || row.skill > 0xffffffff) {
      throw new RangeError(`skill must be a uint32 id (got ${String(row.skill)} for user ${row.user})`);
    }
    let perSkill = totals.get(row.user);
    if (perSkill === undefined) {
      perSkill = new Map();
      totals.set(row.user, perSkill);
    }
    perSkill.set(row.skill, (perSkill.get(row.skill) ?? 0) + row.completed);
  }
  const sets = new Map<string, Uint32Array>();
  for (const [user, perSkill] of totals) {
    const used: number[] = [];
    for (const [skill, completed] of perSkill) if (completed >= minSuccesses) used.push(skill);
    if (used.length > 0) sets.set(user, Uint32Array.from(used).sort());
  }
  return sets;
}
