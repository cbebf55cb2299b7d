import { writeTransaction, type SkillsDatabase, type Store } from '@skills/storage';
import { sql } from 'kysely';
import { createCooccurrenceCounter } from '../dependencies.js';
import { forEachPage, PAGE_SIZE } from './pages.js';

/** One skill that goes with another, read from `skill_dependencies`. */
export interface SkillDependencyRow {
  /** The skill asked about. */
  readonly skill: string;
  /** The skill that goes with it. */
  readonly partner: string;
  /** `observed` from sessions, or `declared` by the taxonomy (whose figures are the original's expectations). */
  readonly source: 'observed' | 'declared';
  /** Sessions with both skills (0 for a declared pair). */
  readonly sessions: number;
  /** Share of all sessions with both; null for a declared pair. */
  readonly support: number | null;
  /** P(partner | skill): of the sessions with `skill`, the share that also ran `partner`; null for a declared pair. */
  readonly confidence: number | null;
  /** P(both) / (P(skill) × P(partner)) over sessions: 1 is chance, 2 is twice as often as chance. */
  readonly lift: number;
}

export interface RefreshDependenciesOptions {
  /** Pairs seen together in fewer sessions are not stored. Default 2. */
  readonly minSessions?: number;
  readonly now?: number;
}

export interface SkillDependenciesOptions {
  /** Lowest lift returned. Default 1.5 (the original's default, which its formula could never reach). */
  readonly minLift?: number;
  /** Observed pairs seen in fewer sessions are left out, so rare pairs cannot top the list. Default 5. */
  readonly minSessions?: number;
  /** Observed pairs with a lower support (share of all sessions) are left out. Default 0. */
  readonly minSupport?: number;
  /** Most rows returned. Default 10. */
  readonly limit?: number;
  /** Recompute the observed pairs first when the stored ones are older than this (ms). Default one hour. */
  readonly maxAgeMs?: number;
  readonly now?: number;
}

const WRITE_CHUNK = 1_000;

/**
 * Recomputes co-occurrence over sessions from `session_skills` (read in pages, one pass) and
 * replaces the `observed` rows of `skill_dependencies`, one row per direction, in one
 * transaction. The taxonomy's `declared` rows are never touched. Returns the rows written.
 *
 * @example await refreshSkillDependencies(store) // 1834
 */
export async function refreshSkillDependencies(store: Store, options: RefreshDependenciesOptions = {}): Promise<number> {
  const minSessions = options.minSessions ?? 2;
  if (!Number.isInteger(minSessions) || minSessions < 1) {
    throw new RangeError(`minSessions: expected an integer ≥ 1 (got ${String(minSessions)})`);
  }
  const now = options.now ?? Date.now();
  const counter = createCooccurrenceCounter();
  let current: string | undefined;
  let members: string[] = [];
  await forEachPage<Pick<SkillsDatabase['session_skills'], 'session_id' | 'skill_name'>>(
    (after) => {
      let query = store.db
        .selectFrom('session_skills')
        .select(['session_id', 'skill_name'])
        .orderBy('session_id')
        .orderBy('skill_name')
        .limit(PAGE_SIZE);
      if (after)
        query = query.where((eb) => eb(eb.refTuple('session_id', 'skill_name'), '>', eb.tuple(after.session_id, after.skill_name)));
      return query.execute();
    },
    (page) => {
      for (const row of page) {
        if (row.session_id !== current) {
          counter.add(members);
          members = [];
          current = row.session_id;
        }
        members.push(row.skill_name);
      }
    },
  );
  counter.add(members);

  const rows = counter.pairs({ minSupport: 0, minLift: 0, minSessions }).flatMap((pair) =>
    [
      { skill_a: pair.a, skill_b: pair.b, confidence: pair.confidenceAToB },
      { skill_a: pair.b, skill_b: pair.a, confidence: pair.confidenceBToA },
    ].map((direction) => ({
      ...direction,
      source: 'observed',
      co_occurrence_count: pair.sessions,
      support: pair.support,
      lift_score: pair.lift,
      updated_at: now,
    })),
  );

  await writeTransaction(store, async (trx) => {
    await trx.deleteFrom('skill_dependencies').where('source', '=', 'observed').execute();
    for (let i = 0; i < rows.length; i += WRITE_CHUNK) {
      await trx
        .insertInto('skill_dependencies')
        .values(rows.slice(i, i + WRITE_CHUNK))
        .onConflict((oc) =>
          oc.columns(['skill_a', 'skill_b', 'source']).doUpdateSet((eb) => ({
            co_occurrence_count: eb.ref('excluded.co_occurrence_count'),
            support: eb.ref('excluded.support'),
            confidence: eb.ref('excluded.confidence'),
            lift_score: eb.ref('excluded.lift_score'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .execute();
    }
  });
  return rows.length;
}

/**
 * The skills that go with `skill`: observed co-occurrence in sessions (support, confidence from
 * `skill` to the partner, lift) and the taxonomy's declared dependencies, highest lift first (then
 * support, then name). Observed pairs are recomputed first when older than `maxAgeMs`.
 *
 * @example
 * await skillDependencies(store, 'pytest-run', { minLift: 1.5, limit: 5 });
 * // [{ skill: 'pytest-run', partner: 'coverage-report', source: 'observed', lift: 3.1, confidence: 0.62, … }]
 */
export async function skillDependencies(
  store: Store,
  skill: string,
  options: SkillDependenciesOptions = {},
): Promise<SkillDependencyRow[]> {
  if (typeof skill !== 'string' || skill.trim() === '') throw new TypeError('skill: expected a non-empty skill name');
  const minLift = options.minLift ?? 1.5;
  const minSessions = options.minSessions ?? 5;
  const minSupport = options.minSupport ?? 0;
  const limit = options.limit ?? 10;
  const maxAge = options.maxAgeMs ?? 3_600_000;
  const now = options.now ?? Date.now();
  if (!(minLift >= 0)) throw new RangeError(`minLift: expected a number ≥ 0 (got ${String(minLift)})`);
  if (!Number.isInteger(minSessions) || minSessions < 1)
    throw new RangeError(`minSessions: expected an integer ≥ 1 (got ${String(minSessions)})`);
  if (!(minSupport >= 0 && minSupport <= 1)) throw new RangeError(`minSupport: expected a number from 0 to 1 (got ${String(minSupport)})`);
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit: expected an integer ≥ 1 (got ${String(limit)})`);

  const newest = await store.db
    .selectFrom('skill_dependencies')
    .select(sql<number | null>`max(updated_at)`.as('at'))
    .where('source', '=', 'observed')
    .executeTakeFirst();
  const refreshedAt = newest?.at === null || newest?.at === undefined ? null : Number(newest.at);
  if (refreshedAt === null || now - refreshedAt > maxAge) await refreshSkillDependencies(store, { now });

  const rows = await store.db
    .selectFrom('skill_dependencies')
    .selectAll()
    .where('skill_a', '=', skill)
    .where('lift_score', '>=', minLift)
    .where((eb) =>
      eb.or([
        eb('source', '=', 'declared'),
        eb.and([eb('source', '=', 'observed'), eb('co_occurrence_count', '>=', minSessions), eb('support', '>=', minSupport)]),
      ]),
    )
    .execute();
  return rows
    .map(
      (row): SkillDependencyRow => ({
        skill,
        partner: row.skill_b,
        source: row.source === 'declared' ? 'declared' : 'observed',
        sessions: Number(row.co_occurrence_count),
        support: row.support,
        confidence: row.confidence,
        lift: row.lift_score,
      }),
    )
    .sort((a, b) => b.lift - a.lift || (b.support ?? 0) - (a.support ?? 0) || (a.partner < b.partner ? -1 : a.partner > b.partner ? 1 : 0))
    .slice(0, limit);
}
