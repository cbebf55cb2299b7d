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
  /** Drop pairs seen together in fewer sessions. Default 1. */
  readonly minSessions?: number;
}

/** Counts sessions per skill and per pair of skills, one session at a time. */
export interface CooccurrenceCounter {
  /** Adds one session's skills (repeats count once; an empty session is ignored). */
  add(session: readonly string[]): void;
  /** Every pair passing the filters, sorted by lift, then support, then names. */
  pairs(options?: DependencyOptions): SkillDependency[];
}

/**
 * A co-occurrence counter over sessions; skills get dense ids and a pair is one numeric key, so a
 * store's millions of sessions can be streamed through it page by page.
 *
 * @example
 * const counter = createCooccurrenceCounter();
 * counter.add(['lint', 'test']);
 * counter.pairs({ minSupport: 0 });
 */
export function createCooccurrenceCounter(): CooccurrenceCounter {
  const ids = new Map<string, number>();
  const names: string[] = [];
  const single: number[] = [];
  const pairs = new Map<number, number>();
  let sessionCount = 0;
  const idOf = (name: string) => {
    let id = ids.get(name);
    if (id === undefined) {
      id = names.length;
      if (id >= PAIR_BASE) throw new RangeError(`too many distinct skills to count pairs of (${PAIR_BASE})`);
      ids.set(name, id);
      names.push(name);
      single.push(0);
    }
    return id;
  };
  return {
    add(session) {
      // Sorted by name, so a pair's first skill is always the smaller name.
      const skills = [...new Set(session)].sort().map(idOf);
      if (skills.length === 0) return;
      sessionCount++;
      for (let i = 0; i < skills.length; i++) {
        single[skills[i]!]! += 1;
        for (let j = i + 1; j < skills.length; j++) {
          const key = skills[i]! * PAIR_BASE + skills[j]!;
          pairs.set(key, (pairs.get(key) ?? 0) + 1);
        }
      }
    },
    pairs(options = {}) {
      const minSupport = options.minSupport ?? 0.01;
      const minLift = options.minLift ?? 1;
      const minSessions = options.minSessions ?? 1;
      const found: SkillDependency[] = [];
      for (const [key, both] of pairs) {
        const support = both / sessionCount;
        if (support < minSupport || both < minSessions) continue;
        const a = Math.floor(key / PAIR_BASE);
        const b = key % PAIR_BASE;
        // From counts rather than rounded shares, so lift 40 comes out as 40, not 39.999….
        const lift = (both * sessionCount) / (single[a]! * single[b]!);
        if (lift < minLift) continue;
        found.push({
          a: names[a]!,
          b: names[b]!,
          sessions: both,
          support,
          confidenceAToB: both / single[a]!,
          confidenceBToA: both / single[b]!,
          lift,
        });
      }
      return found.sort(
        (x, y) => y.lift - x.lift || y.support - x.support || (x.a < y.a ? -1 : x.a > y.a ? 1 : x.b < y.b ? -1 : x.b > y.b ? 1 : 0),
      );
    },
  };
}

const PAIR_BASE = 0x200000;

/**
 * Finds skills used together: for every pair of distinct skills in the same session, its support,
 * confidence both ways and lift, counted over sessions (a session that runs `lint` five times and
 * `test` twice contributes one co-occurrence). Sessions without skills are ignored. Sorted by lift,
 * then support, then names.
 *
 * @example
 * dependenciesFromSessions([['lint', 'test'], ['lint', 'test'], ['deploy'], ['docs']]);
 * // [{ a: 'lint', b: 'test', sessions: 2, support: 0.5,
 * //    confidenceAToB: 1, confidenceBToA: 1, lift: 2 }]
 */
export function dependenciesFromSessions(sessions: Iterable<readonly string[]>, options: DependencyOptions = {}): SkillDependency[] {
  const counter = createCooccurrenceCounter();
  for (const session of sessions) counter.add(session);
  return counter.pairs(options);
}
