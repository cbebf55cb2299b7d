/** One user's invocations of one skill; several rows for the same pair are added up. */
export interface SkillOutcomeRow {
  readonly user: string;
  readonly skill: number;
  /** All invocations. */
  readonly total: number;
  /** Successful (completed) invocations. */
  readonly completed: number;
}

/** Invocation counts for one (user, skill) pair or, summed over users, one skill. */
export interface SkillOutcome {
  readonly total: number;
  readonly completed: number;
}

/** A skill's outcome over all users, plus how many users tried it and how many completed it. */
export interface SkillTotals extends SkillOutcome {
  readonly users: number;
  readonly successfulUsers: number;
}

/** What recommendations read: per-user outcomes and per-skill totals. */
export interface UsageStats {
  /** A Map works; so does anything that answers `get` (a compact population builds these on demand). */
  readonly byUser: { get(user: string): ReadonlyMap<number, SkillOutcome> | undefined };
  readonly bySkill: ReadonlyMap<number, SkillTotals>;
}

/**
 * Folds (user, skill, total, completed) rows into the per-user and per-skill counts that
 * `rankByNeighbours` and `popularityRecommendations` use. The same rows also fit `buildSkillSets`.
 *
 * @example
 * const stats = buildUsageStats([
 *   { user: 'ann', skill: 1, total: 4, completed: 3 },
 *   { user: 'bob', skill: 1, total: 2, completed: 0 },
 * ]);
 * stats.bySkill.get(1); // { total: 6, completed: 3, users: 2, successfulUsers: 1 }
 */
export function buildUsageStats(rows: Iterable<SkillOutcomeRow>): UsageStats {
  const byUser = new Map<string, Map<number, { total: number; completed: number }>>();
  for (const row of rows) {
    if (!Number.isInteger(row.total) || !Number.isInteger(row.completed) || row.completed < 0 || row.completed > row.total) {
      throw new RangeError(
        `completed must be an integer in [0, total] (user ${row.user}, skill ${row.skill}: ${row.completed} of ${row.total})`,
      );
    }
    let perSkill = byUser.get(row.user);
    if (perSkill === undefined) {
      perSkill = new Map();
      byUser.set(row.user, perSkill);
    }
    const outcome = perSkill.get(row.skill);
    if (outcome === undefined) perSkill.set(row.skill, { total: row.total, completed: row.completed });
    else {
      outcome.total += row.total;
      outcome.completed += row.completed;
    }
  }
  const bySkill = new Map<number, { total: number; completed: number; users: number; successfulUsers: number }>();
  for (const perSkill of byUser.values()) {
    for (const [skill, outcome] of perSkill) {
      if (outcome.total === 0) continue;
      const totals = bySkill.get(skill) ?? { total: 0, completed: 0, users: 0, successfulUsers: 0 };
      totals.total += outcome.total;
      totals.completed += outcome.completed;
      totals.users += 1;
      if (outcome.completed > 0) totals.successfulUsers += 1;
      bySkill.set(skill, totals);
    }
  }
  return { byUser, bySkill };
}
