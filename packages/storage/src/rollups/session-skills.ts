import type { RowsStatement } from '../dialect/store-driver.js';
import type { SessionSkillsTable } from '../schema.js';
import { addExcluded, compositeKey, defineRollup, keyed, num, widenSpan } from './rollup.js';

/** Per `compositeKey(session, skill)`: a `session_skills` row as one batch adds to it, written as it is. */
export type SessionSkillDeltas = Map<string, SessionSkillsTable>;

/** `session_skills`: per (session, skill), how often and first and last use; additive. */
export const sessionSkills = defineRollup<SessionSkillDeltas>()({
  table: 'session_skills',
  delta(rows) {
    const pairs: SessionSkillDeltas = new Map();
    for (const row of rows) {
      const key = compositeKey(row.session_id, row.skill_name);
      const pair = pairs.get(key);
      if (!pair) {
        pairs.set(key, {
          session_id: row.session_id,
          skill_name: row.skill_name,
          invocation_count: 1,
          first_used: row.invoked_at,
          last_used: row.invoked_at,
        });
        continue;
      }
      pair.invocation_count += 1;
      if (row.invoked_at < pair.first_used) pair.first_used = row.invoked_at;
      if (row.invoked_at > pair.last_used) pair.last_used = row.invoked_at;
    }
    return pairs;
  },
  async apply(tx, pairs) {
    await tx.write(addSessionSkills, [...pairs.values()]);
  },
  async erase(trx, erased) {
    // Each erased (session, skill) from the invocations left in it.
    for (const { session_id, skill_name } of erased.values()) {
      const left = await trx
        .selectFrom('skill_invocation')
        .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.min('invoked_at').as('first'), eb.fn.max('invoked_at').as('last')])
        .where('session_id', '=', session_id)
        .where('skill_name', '=', skill_name)
        .executeTakeFirstOrThrow();
      if (Number(left.count) === 0) {
        await trx.deleteFrom('session_skills').where('session_id', '=', session_id).where('skill_name', '=', skill_name).execute();
        continue;
      }
      await trx
        .updateTable('session_skills')
        .set({ invocation_count: Number(left.count), first_used: Number(left.first), last_used: Number(left.last) })
        .where('session_id', '=', session_id)
        .where('skill_name', '=', skill_name)
        .execute();
    }
  },
  async recompute(db, { cut }) {
    const sessions = await db
      .selectFrom('skill_invocation')
      .select((eb) => [
        'session_id',
        'skill_name',
        eb.fn.countAll<number>().as('count'),
        eb.fn.min('invoked_at').as('first'),
        eb.fn.max('invoked_at').as('last'),
      ])
      .groupBy(['session_id', 'skill_name'])
      .execute();
    const stored = await db.selectFrom('session_skills').selectAll().execute();
    const beforeCut = new Set(cut === null ? [] : stored.filter((r) => r.first_used < cut).map((r) => `${r.session_id}/${r.skill_name}`));
    return {
      expected: keyed(
        sessions,
        (r) => `${r.session_id}/${r.skill_name}`,
        (r) => ({ invocation_count: num(r.count), first_used: num(r.first), last_used: num(r.last) }),
      ),
      stored: keyed(
        stored,
        (r) => `${r.session_id}/${r.skill_name}`,
        (r) => ({ invocation_count: r.invocation_count, first_used: r.first_used, last_used: r.last_used }),
      ),
      partial: (key) => beforeCut.has(key),
    };
  },
});

const addSessionSkills: RowsStatement<SessionSkillsTable> = (db, rows) =>
  db
    .insertInto('session_skills')
    .values(rows)
    .onConflict((oc) =>
      oc
        .columns(['session_id', 'skill_name'])
        .doUpdateSet({ ...addExcluded('session_skills', ['invocation_count']), ...widenSpan('session_skills') }),
    );
