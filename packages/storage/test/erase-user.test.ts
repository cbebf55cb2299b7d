import { afterAll, describe, expect, it } from 'vitest';
import {
  eraseUserInvocations,
  forgetUserRecords,
  recordInvocations,
  searchInvocations,
  UserPseudonymSecretError,
  verifyRollups,
  type InvocationInput,
  type Store,
} from '../src/index.js';
import { HOUR, T0, seededRandom, storeFactories } from './helpers.js';

const SECRET = 'a-secret-of-at-least-16-bytes';

/** 300 invocations of three users over three days, six skills and many sessions; durations exact in binary. */
function workload(): InvocationInput[] {
  const random = seededRandom(20);
  const pick = <T>(values: T[]) => values[Math.floor(random() * values.length)]!;
  return Array.from({ length: 300 }, (_, i) => {
    const user = pick(['ann', 'bob', 'carl']);
    return {
      id: `i${i}`,
      skill_name: pick(['lint', 'test', 'docs', 'commit', 'review', 'ann-only']).replace('ann-only', user === 'ann' ? 'ann-only' : 'lint'),
      session_id: `${pick(['s1', 's2', 's3', 's4'])}-${user === 'ann' && random() < 0.5 ? 'ann' : 'x'}`,
      user_id: user,
      invoked_at: T0 + Math.floor(random() * 72) * HOUR + Math.floor(random() * 3600) * 1000,
      completed: random() < 0.7,
      duration_seconds: random() < 0.8 ? Math.floor(random() * 400) / 4 : null,
      workflow_path: pick([null, 'a.b', 'c']),
      workflow_phase: pick([null, 'execution', 'verification']),
      error_type: pick([null, null, 'Timeout', 'Crash']),
      follow_up_actions: pick([null, ['commit'], ['push', 'commit']]),
      user_query: `${user} query ${pick(['auth', 'tests', 'module'])}`,
    };
  });
}

/** Every rollup row, without the clock columns. */
async function rollups(store: Store) {
  const strip = <T extends { updated_at?: number }>(rows: T[]) => rows.map(({ updated_at: _, ...rest }) => rest);
  const db = store.db;
  return {
    metrics: strip(await db.selectFrom('skill_metrics').selectAll().orderBy('skill_name').execute()),
    hours: await db.selectFrom('skill_time_series').selectAll().orderBy('skill_name').orderBy('hour_start').execute(),
    days: await db.selectFrom('mv_daily_skills').selectAll().orderBy('skill_name').orderBy('date').execute(),
    sessions: await db.selectFrom('session_skills').selectAll().orderBy('session_id').orderBy('skill_name').execute(),
    cache: strip(await db.selectFrom('skill_metrics_cache').selectAll().orderBy('skill_name').execute()),
    interactions: await db.selectFrom('skill_user_interactions').selectAll().orderBy('user_id').orderBy('skill_name').execute(),
  };
}

describe.each(storeFactories)('erasing a user [$name]', (factory) => {
  afterAll(() => factory.cleanup());

  it('deletes their invocations and leaves every rollup exactly as if they had never been recorded', async () => {
    const items = workload();
    const { store } = await factory.create({ userPseudonymSecret: SECRET });
    const { store: never } = await factory.create({ userPseudonymSecret: SECRET });
    try {
      await recordInvocations(store, items);
      await searchInvocations(store, 'auth'); // index the rows, so the erase must take them out of it
      await recordInvocations(
        never,
        items.filter((item) => item.user_id !== 'ann'),
      );
      const anns = items.filter((item) => item.user_id === 'ann').length;
      expect(anns).toBeGreaterThan(50);

      expect(await eraseUserInvocations(store, ' ann ')).toBe(anns);
      expect(await rollups(store)).toEqual(await rollups(never));
      expect(await verifyRollups(store)).toEqual([]);
      expect(await searchInvocations(store, 'ann')).toEqual([]);
      expect((await searchInvocations(store, 'bob auth', { limit: 1000 })).length).toBe(
        (await searchInvocations(never, 'bob auth', { limit: 1000 })).length,
      );
      expect(await eraseUserInvocations(store, 'ann')).toBe(0);
    } finally {
      await store.close();
      await never.close();
    }
  });

  it('refuses to erase from a store that keeps interactions when opened without the secret', async () => {
    const { store, reopen } = await factory.create({ userPseudonymSecret: SECRET });
    await recordInvocations(store, [{ skill_name: 'lint', session_id: 's', invoked_at: T0, user_id: 'ann' }]);
    await store.close();
    const without = await reopen({ keyFile: false });
    try {
      await expect(eraseUserInvocations(without, 'ann')).rejects.toThrow(UserPseudonymSecretError);
      expect(await without.db.selectFrom('skill_invocation').select('id').execute()).toHaveLength(1);
    } finally {
      await without.close();
    }
  });

  it('forgetUserRecords removes the user from the A/B-test tables and saved predictor aggregates, and counts what remains', async () => {
    const { store } = await factory.create();
    try {
      await recordInvocations(store, [
        { skill_name: 'lint', session_id: 's', invoked_at: T0, user_id: 'ann' },
        { skill_name: 'lint', session_id: 's', invoked_at: T0 + 1, user_id: 'ann' },
      ]);
      await store.db
        .insertInto('ab_test_configs')
        .values({
          id: 'e1',
          test_name: 'e1',
          description: null,
          control_strategy: 'a',
          treatment_strategy: 'b',
          variants: '[]',
          assignment_ratio: 0.5,
          metrics: '[]',
          min_sample_size: 10,
          start_date: T0,
          end_date: null,
          status: 'running',
          salt: 's',
          options: '{}',
          created_at: T0,
        })
        .execute();
      for (const user of ['ann', 'bob']) {
        await store.db
          .insertInto('ab_test_assignments')
          .values({ test_id: 'e1', user_id: user, variant: 'control', assigned_at: T0 })
          .execute();
        await store.db
          .insertInto('ab_test_outcomes')
          .values({
            id: `o-${user}`,
            test_id: 'e1',
            user_id: user,
            variant: 'control',
            skill_name: null,
            completed: 1,
            duration_seconds: null,
            user_rating: null,
            recorded_at: T0,
          })
          .execute();
        await store.db
          .insertInto('ab_test_user_stats')
          .values({
            test_id: 'e1',
            user_id: user,
            variant: 'control',
            outcomes: 1,
            completions: 1,
            duration_count: 0,
            log_duration_sum: 0,
            rating_count: 0,
            rating_sum: 0,
            first_recorded_at: T0,
            last_recorded_at: T0,
            assigned_at: T0,
          })
          .execute();
      }
      const aggregates = {
        global: [3, 2],
        users: { ann: [2, 1], bob: [1, 1], 'ann\u0000x': [9, 9] },
        userSkills: { 'ann\u0000lint': [2, 1], 'bob\u0000lint': [1, 1], 'anna\u0000lint': [4, 4] },
        skills: { ann: [5, 5] },
      };
      for (const version of [1, 2]) {
        await store.db
          .insertInto('predictor_models')
          .values({
            version,
            feature_version: 1,
            trained_at: T0,
            training_rows: 3,
            features: '[]',
            options: '{}',
            metrics: '{}',
            model: JSON.stringify(
              version === 1 ? { forest: { ann: 1 } } : { forest: {}, context: { skills: ['ann'], clusters: { ann: 2, bob: 0 } } },
            ),
            aggregates: JSON.stringify(version === 1 ? aggregates : { users: {}, userSkills: {} }),
            created_at: T0,
          })
          .execute();
      }
      expect(await forgetUserRecords(store, ' ann')).toEqual({
        experimentAssignments: 1,
        experimentOutcomes: 1,
        experimentUserStats: 1,
        predictorModels: 2,
        invocationsKept: 2,
      });
      const second = await store.db
        .selectFrom('predictor_models')
        .select(['model', 'aggregates'])
        .where('version', '=', 2)
        .executeTakeFirstOrThrow();
      expect([JSON.parse(second.model), JSON.parse(second.aggregates)]).toEqual([
        { forest: {}, context: { skills: ['ann'], clusters: { bob: 0 } } },
        { users: {}, userSkills: {} },
      ]);
      const first = await store.db.selectFrom('predictor_models').select('model').where('version', '=', 1).executeTakeFirstOrThrow();
      expect(JSON.parse(first.model)).toEqual({ forest: { ann: 1 } });
      const saved = await store.db.selectFrom('predictor_models').select('aggregates').where('version', '=', 1).executeTakeFirstOrThrow();
      // Only the user's own tallies go: a skill that happens to share the name stays.
      expect(JSON.parse(saved.aggregates)).toEqual({
        global: [3, 2],
        users: { bob: [1, 1], 'ann\u0000x': [9, 9] },
        userSkills: { 'bob\u0000lint': [1, 1], 'anna\u0000lint': [4, 4] },
        skills: { ann: [5, 5] },
      });
      for (const table of ['ab_test_assignments', 'ab_test_outcomes', 'ab_test_user_stats'] as const) {
        expect((await store.db.selectFrom(table).select('user_id').execute()).map((r) => r.user_id)).toEqual(['bob']);
      }
      expect(await forgetUserRecords(store, 'ann')).toEqual({
        experimentAssignments: 0,
        experimentOutcomes: 0,
        experimentUserStats: 0,
        predictorModels: 0,
        invocationsKept: 2,
      });
    } finally {
      await store.close();
    }
  });
});
