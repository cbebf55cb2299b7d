/** How two skills co-occur in sessions; `a` sorts before `b`. */
export interface SkillDependency {
  readonly a: string;
  readonly b: string;
  /** Sessions containing both skills (each session counts once, however often they ran). */
  readonly sessions: number;
  /** sessions / all sessions. */
  readonly support: number;
  /** P(b | a) = support(a ∧ b) / support(a). */
  readonly confidenceAToB: number;
  /** P(a | b) = support(a ∧ b) / support(b). */
  readonly confidenceBToA: number;
  /** support(a ∧ b) / (support(a) × support(b)); 1 means independent, above 1 means together. */
  readonly lift: number;
}

export interface DependencyOptions {
  /** Drop pairs seen in fewer than this share of sessions, so rare pairs cannot top the list by lift alone. Default 0.01. */
  readonly minSupport?: number;
  /** Drop pairs with a lower lift. Default 1 (keep pairs at least as common as chance). */
  readonly minLift?: number;
}

/**
 * Finds skills used together: for every pair of distinct skills in the same session, its support,
 * confidence both ways and lift, counted over sessions (a session that runs `lint` five times and
 * `test` twice contributes one co-occurrence). Sessions without skills are ignored. Sorted by lift,
 * then support, then names.
 *
 * @example
 * skillDependencies([['lint', 'test'], ['lint', 'test'], ['deploy'], ['docs']]);
 * // [{ a: 'lint', b: 'test', sessions: 2, support: 0.5,
 * //    confidenceAToB: 1, confidenceBToA: 1, lift: 2 }]
 */
export function skillDependencies(
  sessions: Iterable<readonly string[]>,
  options: DependencyOptions = {},
): SkillDependency[] {
  const minSupport = options.minSupport ?? 0.01;
  const minLift = options.minLift ?? 1;
  let sessionCount = 0;
  const single = new Map<string, number>();
  const pairs = new Map<string, Map<string, number>>();
  for (const session of sessions) {
    const skills = [...new Set(session)].sort();
    if (skills.length === 0) continue;
    sessionCount++;
    for (let i = 0; i < skills.length; i++) {
      const a = skills[i]!;
      single.set(a, (single.get(a) ?? 0) + 1);
      let partners = pairs.get(a);
      for (let j = i + 1; j < skills.length; j++) {
        const b = skills[j]!;
        if (partners === undefined) {
          partners = new Map();
          pairs.set(a, partners);
        }
        partners.set(b, (partners.get(b) ?? 0) + 1);
      }
    }
  }
  const found: SkillDependency[] = [];
  for (const [a, partners] of pairs) {
    const countA = single.get(a)!;
    for (const [b, both] of partners) {
      const support = both / sessionCount;
      if (support < minSupport) continue;
      const countB = single.get(b)!;
      // From counts rather than rounded shares, so lift 40 comes out as 40, not 39.999….
      const lift = (both * sessionCount) / (countA * countB);
      if (lift < minLift) continue;
      found.push({
        a,
        b,
        sessions: both,
        support,
        confidenceAToB: both / countA,
        confidenceBToA: both / countB,
        lift,
      });
    }
  }
  return found.sort(
    (x, y) =>
      y.lift - x.lift ||
      y.support - x.support ||
      (x.a < y.a ? -1 : x.a > y.a ? 1 : x.b < y.b ? -1 : x.b > y.b ? 1 : 0),
  );
}
