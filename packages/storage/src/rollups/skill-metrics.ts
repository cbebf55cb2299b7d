import { sql, type Kysely } from 'kysely';
import type { KeysLookup, RowsStatement } from '../dialect/store-driver.js';
import type { SkillMetricsTable, SkillsDatabase } from '../schema.js';
import { defineRollup, fromExcluded, hourOf, increment, keyed, num, run } from './rollup.js';
import { skillTimeSeries, sumHours } from './skill-time-series.js';
import { readPrunedBefore } from '../prune.js';

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

/** A skill's new lifetime totals, and its cached 24-hour window as the batch found it (if any). */
export interface SkillUpdate {
  metrics: SkillMetricsTable;
  cached: { windowEnd: number; hourlyWindow: string | null } | undefined;
}

/** `skill_metrics`: a skill's lifetime totals and tallies, merged in memory and written whole. */
export const skillMetrics = defineRollup<Map<string, SkillDelta>, SkillUpdate[]>()({
  table: 'skill_metrics',
  // An erased skill's totals are summed from its hours, recomputed first.
  after: [skillTimeSeries],
  delta(rows) {
    const skills = new Map<string, SkillDelta>();
    for (const row of rows) {
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
      if (row.completed === 1 && row.duration_seconds !== null) {
        delta.durationSum += row.duration_seconds;
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
    return skills;
  },
  async apply(tx, skills, { now }) {
    const existing = await tx.lookup<{ skill_name: string }, SkillState>(
      findSkillMetrics,
      [...skills.keys()].map((skill_name) => ({ skill_name })),
    );
    const bySkill = new Map(existing.map((row) => [row.skill_name, row]));
    const updates = [...skills.values()].map((delta): SkillUpdate => {
      const old = bySkill.get(delta.skill);
      const metrics = metricsRow(
        delta.skill,
        {
          total: (old?.total_invocations ?? 0) + delta.total,
          completed: (old?.completed_invocations ?? 0) + delta.completed,
          durationSum: (old?.total_duration_seconds ?? 0) + delta.durationSum,
          timed: (old?.timed_completions ?? 0) + delta.timedCompletions,
          first: old ? Math.min(old.first_invoked, delta.first) : delta.first,
          last: old ? Math.max(old.last_invoked, delta.last) : delta.last,
        },
        (column, add) => mergeTally(old?.[column], add),
        delta,
        now,
      );
      const cached = old?.cache_window_end == null ? undefined : { windowEnd: old.cache_window_end, hourlyWindow: old.cache_hourly_window };
      return { metrics, cached };
    });
    await tx.write(
      upsertSkillMetrics,
      updates.map((update) => update.metrics),
    );
    return updates;
  },
  async erase(trx, erased, { now }) {
    // Lifetime totals from the skill's hours, first and last use from its invocations, tallies less the erased rows.
    const cut = await readPrunedBefore(trx);
    for (const delta of erased.values()) {
      const skill = delta.skill;
      const totals = await sumHours(trx, skill);
      if (totals.count === 0) {
        await trx.deleteFrom('skill_metrics').where('skill_name', '=', skill).execute();
        continue;
      }
      const span = await trx
        .selectFrom('skill_invocation')
        .select((eb) => [eb.fn.min('invoked_at').as('first'), eb.fn.max('invoked_at').as('last')])
        .where('skill_name', '=', skill)
        .executeTakeFirstOrThrow();
      const old = await trx.selectFrom('skill_metrics').selectAll().where('skill_name', '=', skill).executeTakeFirstOrThrow();
      const { first, last } = await firstAndLastUse(trx, skill, old, span, cut);
      const tallies = (column: TallyColumn, less: Map<string, number>) => subtractTally(old[column], less);
      const totalsNow = {
        total: totals.count,
        completed: totals.completed,
        durationSum: totals.durationSum,
        timed: totals.durationCount,
        first,
        last,
      };
      await run(trx, upsertSkillMetrics(trx, [metricsRow(skill, totalsNow, tallies, delta, now)]));
    }
  },
  async recompute(db, { cut }) {
    const completedDuration = sql<number>`sum(case when completed = 1 and duration_seconds is not null then duration_seconds end)`;
    const timed = sql<number>`sum(case when completed = 1 and duration_seconds is not null then 1 else 0 end)`;
    let metricsQuery = db
      .selectFrom('skill_invocation')
      .select((eb) => [
        'skill_name',
        eb.fn.countAll<number>().as('total'),
        eb.fn.sum<number>('completed').as('completed'),
        completedDuration.as('duration'),
        timed.as('timed'),
        eb.fn.min('invoked_at').as('first'),
        eb.fn.max('invoked_at').as('last'),
      ])
      .groupBy('skill_name');
    if (cut !== null) metricsQuery = metricsQuery.where('invoked_at', '>=', cut);
    const expected = keyed(
      await metricsQuery.execute(),
      (r) => r.skill_name,
      (r) => ({
        total_invocations: num(r.total),
        completed_invocations: num(r.completed),
        total_duration_seconds: num(r.duration) ?? 0,
        timed_completions: num(r.timed),
        first_invoked: num(r.first),
        last_invoked: num(r.last),
      }),
    );
    const stored = keyed(
      await db.selectFrom('skill_metrics').selectAll().execute(),
      (r) => r.skill_name,
      (r) => ({
        total_invocations: r.total_invocations,
        completed_invocations: r.completed_invocations,
        total_duration_seconds: r.total_duration_seconds,
        timed_completions: r.timed_completions,
        first_invoked: r.first_invoked,
        last_invoked: r.last_invoked,
      }),
    );
    if (cut !== null) {
      // Before the cut only the hours remain: add them, and know first and last use to the hour.
      const pruned = await db
        .selectFrom('skill_time_series')
        .select((eb) => [
          'skill_name',
          eb.fn.sum<number>('invocation_count').as('total'),
          eb.fn.sum<number>('completed_count').as('completed'),
          eb.fn.sum<number>('duration_sum').as('duration'),
          eb.fn.sum<number>('duration_count').as('timed'),
          eb.fn.min('hour_start').as('first'),
          eb.fn.max('hour_start').as('last'),
        ])
        .where('hour_start', '<', cut)
        .groupBy('skill_name')
        .execute();
      const hourOrNull = (ms: number | null) => (ms === null ? null : hourOf(ms));
      for (const p of pruned) {
        const raw = expected.get(p.skill_name);
        expected.set(p.skill_name, {
          total_invocations: (num(raw?.total_invocations) ?? 0) + (num(p.total) ?? 0),
          completed_invocations: (num(raw?.completed_invocations) ?? 0) + (num(p.completed) ?? 0),
          total_duration_seconds: (num(raw?.total_duration_seconds) ?? 0) + (num(p.duration) ?? 0),
          timed_completions: (num(raw?.timed_completions) ?? 0) + (num(p.timed) ?? 0),
          first_invoked: num(p.first),
          last_invoked: raw ? (raw.last_invoked ?? null) : num(p.last),
        });
        const have = stored.get(p.skill_name);
        if (have) {
          have.first_invoked = hourOrNull(have.first_invoked ?? null);
          if (!raw) have.last_invoked = hourOrNull(have.last_invoked ?? null);
        }
      }
    }
    return { expected, stored };
  },
});

type TallyColumn = 'workflow_paths' | 'common_errors' | 'follow_up_actions' | 'workflow_phases';

/** A `skill_metrics` row from its totals, each tally column from its stored text and the delta's counts. */
function metricsRow(
  skill: string,
  totals: { total: number; completed: number; durationSum: number; timed: number; first: number; last: number },
  tally: (column: TallyColumn, counts: Map<string, number>) => string,
  delta: SkillDelta,
  now: number,
): SkillMetricsTable {
  const { total, completed, durationSum, timed } = totals;
  return {
    skill_name: skill,
    total_invocations: total,
    completed_invocations: completed,
    abandoned_invocations: total - completed,
    total_duration_seconds: durationSum,
    timed_completions: timed,
    avg_duration_seconds: timed > 0 ? durationSum / timed : null,
    completion_rate: completed / total,
    first_invoked: totals.first,
    last_invoked: totals.last,
    workflow_paths: tally('workflow_paths', delta.workflowPaths),
    common_errors: tally('common_errors', delta.errors),
    follow_up_actions: tally('follow_up_actions', delta.followUps),
    workflow_phases: tally('workflow_phases', delta.workflowPhases),
    updated_at: now,
  };
}

/**
 * Merge a tally stored as a JSON object with new counts. Keys are arbitrary strings kept
 * verbatim (dots, brackets, even `__proto__`), so the merge works on Maps, never on object paths.
 */
export function mergeTally(json: string | undefined, add: Map<string, number>): string {
  if (add.size === 0) return json ?? '{}';
  const tally = new Map<string, number>(json ? Object.entries(JSON.parse(json) as Record<string, number>) : []);
  for (const [key, count] of add) tally.set(key, (tally.get(key) ?? 0) + count);
  return serializeTally(tally);
}

/** A tally less the erased rows' counts; entries that reach 0 go. */
function subtractTally(json: string, erased: Map<string, number>): string {
  const tally = new Map<string, number>(Object.entries(JSON.parse(json || '{}') as Record<string, number>));
  for (const [key, count] of erased) {
    const left = (tally.get(key) ?? 0) - count;
    if (left > 0) tally.set(key, left);
    else tally.delete(key);
  }
  return serializeTally(tally);
}

function serializeTally(tally: Map<string, number>): string {
  const keys = [...tally.keys()].sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${tally.get(key)}`).join(',')}}`;
}

/**
 * First and last use of a skill after an erasure. Raw invocations give them, except on a pruned
 * store (`cut`: nothing raw before it, and the erased rows were all after it): a first use before
 * the cut stays what it was, and when no raw invocation of the skill is left the last use is in the
 * pruned range, known to the hour only (the start of its latest remaining hour, as verifyRollups
 * checks it).
 */
async function firstAndLastUse(
  trx: Kysely<SkillsDatabase>,
  skill: string,
  old: { first_invoked: number; last_invoked: number },
  span: { first: unknown; last: unknown },
  cut: number | null,
): Promise<{ first: number; last: number }> {
  const rawFirst = num(span.first) ?? undefined;
  const rawLast = num(span.last) ?? undefined;
  const oldFirst = Number(old.first_invoked);
  const first = cut !== null && oldFirst < cut ? oldFirst : rawFirst;
  let last = rawLast;
  if (last === undefined) {
    const latest = await trx
      .selectFrom('skill_time_series')
      .select((eb) => eb.fn.max('hour_start').as('hour'))
      .where('skill_name', '=', skill)
      .executeTakeFirst();
    last = Number(old.last_invoked) < (cut ?? -Infinity) ? Number(old.last_invoked) : Number(latest?.hour ?? oldFirst);
  }
  return { first: first ?? last, last };
}

/** A skill's lifetime totals and, from the same read, where its cached 24-hour window stands. */
type SkillState = SkillMetricsTable & { cache_window_end: number | null; cache_hourly_window: string | null };

// The cache's window is read here, joined, so a batch reads both in one query.
const findSkillMetrics: KeysLookup<{ skill_name: string }> = (db, keys) =>
  db
    .selectFrom('skill_metrics as m')
    .leftJoin('skill_metrics_cache as c', 'c.skill_name', 'm.skill_name')
    .selectAll('m')
    .select(['c.window_end as cache_window_end', 'c.hourly_window as cache_hourly_window'])
    .where(
      'm.skill_name',
      'in',
      keys.map((key) => key.skill_name),
    );

const upsertSkillMetrics: RowsStatement<SkillMetricsTable> = (db, rows) =>
  db
    .insertInto('skill_metrics')
    .values(rows)
    .onConflict((oc) =>
      oc
        .column('skill_name')
        .doUpdateSet(
          fromExcluded([
            'total_invocations',
            'completed_invocations',
            'abandoned_invocations',
            'total_duration_seconds',
            'timed_completions',
            'avg_duration_seconds',
            'completion_rate',
            'first_invoked',
            'last_invoked',
            'workflow_paths',
            'common_errors',
            'follow_up_actions',
            'workflow_phases',
            'updated_at',
          ]),
        ),
    );
