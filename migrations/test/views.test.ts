import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../src/index.js';
import { dialects, type TestDatabase } from './databases.js';
import { DAY, insertInvocations, invocation, metricsRow, T0, type TestSchema } from './fixtures.js';

for (const factory of dialects) {
  describe(`views (${factory.name})`, () => {
    let t: TestDatabase;
    let db: Kysely<TestSchema>;
    beforeEach(async () => {
      t = await factory.create();
      db = t.db as Kysely<TestSchema>;
      await migrateToLatest(db);
    });
    afterEach(() => t.destroy());

    describe('v_session_skill_summary', () => {
      it('counts per session and sums only the known durations', async () => {
        await insertInvocations(db, [
          invocation('1', { skill_name: 'a', invoked_at: T0 + 10, completed: 1, duration_seconds: 2.5 }),
          invocation('2', { skill_name: 'a', invoked_at: T0 + 20 }),
          invocation('3', { skill_name: 'b', invoked_at: T0 + 30, completed: 1 }),
          invocation('4', { skill_name: 'a', invoked_at: T0 + 5, session_id: 'session-2' }),
        ]);
        const rows = await db.selectFrom('v_session_skill_summary').selectAll().orderBy('session_id').execute();
        expect(rows).toEqual([
          {
            session_id: 'session-1',
            unique_skills: 2,
            total_invocations: 3,
            completed_count: 2,
            abandoned_count: 1,
            total_duration_seconds: 2.5,
            first_skill_at: T0 + 10,
            last_skill_at: T0 + 30,
          },
          {
            session_id: 'session-2',
            unique_skills: 1,
            total_invocations: 1,
            completed_count: 0,
            abandoned_count: 1,
            total_duration_seconds: 0,
            first_skill_at: T0 + 5,
            last_skill_at: T0 + 5,
          },
        ]);
      });
    });

    describe('v_skill_effectiveness', () => {
      it('lists used skills with whole days since their last use, by the database clock', async () => {
        const lastInvoked = Date.now() - 3.5 * DAY;
        await db
          .insertInto('skill_metrics')
          .values([
            metricsRow('used', {
              total_invocations: 4,
              completed_invocations: 3,
              abandoned_invocations: 1,
              completion_rate: 0.75,
              last_invoked: lastInvoked,
            }),
            metricsRow('never', { total_invocations: 0, abandoned_invocations: 0 }),
          ])
          .execute();
        const rows = await db
          .selectFrom('v_skill_effectiveness')
          .select(['skill_name', 'completion_rate', 'last_invoked', 'days_since_last_use'])
          .execute();
        expect(rows).toEqual([{ skill_name: 'used', completion_rate: 0.75, last_invoked: lastInvoked, days_since_last_use: 3 }]);
      });
    });

    describe('v_top_skills', () => {
      it('names the most used workflow path, keeps dots and brackets, breaks ties by byte order', async () => {
        await db
          .insertInto('skill_metrics')
          .values([
            metricsRow('dotted', {
              total_invocations: 7,
              completion_rate: 0.5,
              avg_duration_seconds: 1.5,
              workflow_paths: '{"quick": 2, "a.b[0]": 5}',
            }),
            metricsRow('tied', { total_invocations: 6, workflow_paths: '{"zeta": 3, "alpha": 3, "Beta": 3}' }),
            metricsRow('none', { total_invocations: 5 }),
            metricsRow('unused', { total_invocations: 0, workflow_paths: '{"x": 1}' }),
          ])
          .execute();
        const rows = await db.selectFrom('v_top_skills').selectAll().execute();
        expect(rows).toEqual([
          { skill_name: 'dotted', total_invocations: 7, completion_rate: 0.5, avg_duration_seconds: 1.5, preferred_workflow: 'a.b[0]' },
          { skill_name: 'tied', total_invocations: 6, completion_rate: 0, avg_duration_seconds: null, preferred_workflow: 'Beta' },
          { skill_name: 'none', total_invocations: 5, completion_rate: 0, avg_duration_seconds: null, preferred_workflow: null },
        ]);
      });
    });

    describe('workflow phase views', () => {
      beforeEach(async () => {
        await insertInvocations(db, [
          invocation('1', { skill_name: 'a', workflow_phase: 'setup', completed: 1, duration_seconds: 10 }),
          invocation('2', { skill_name: 'a', workflow_phase: 'setup', completed: 1 }),
          invocation('3', { skill_name: 'a', workflow_phase: 'setup', completed: 0, duration_seconds: 5 }),
          invocation('4', { skill_name: 'a', workflow_phase: 'execution', completed: 1, duration_seconds: 4 }),
          invocation('5', { skill_name: 'a', workflow_phase: 'execution', completed: 1, duration_seconds: 6 }),
          invocation('6', { skill_name: 'b', workflow_phase: 'setup', completed: 0 }),
          invocation('7', { skill_name: 'c', completed: 1, duration_seconds: 100 }),
        ]);
      });

      it('v_skill_effectiveness_by_phase averages completed invocations with a known duration', async () => {
        const rows = await db
          .selectFrom('v_skill_effectiveness_by_phase')
          .selectAll()
          .orderBy('skill_name')
          .orderBy('workflow_phase')
          .execute();
        expect(rows).toEqual([
          {
            skill_name: 'a',
            workflow_phase: 'execution',
            total_invocations: 2,
            completed_count: 2,
            abandoned_count: 0,
            avg_duration_seconds: 5,
            completion_rate: 1,
          },
          {
            skill_name: 'a',
            workflow_phase: 'setup',
            total_invocations: 3,
            completed_count: 2,
            abandoned_count: 1,
            avg_duration_seconds: 10,
            completion_rate: 2 / 3,
          },
          {
            skill_name: 'b',
            workflow_phase: 'setup',
            total_invocations: 1,
            completed_count: 0,
            abandoned_count: 1,
            avg_duration_seconds: null,
            completion_rate: 0,
          },
        ]);
      });

      it('v_workflow_phase_patterns summarises each phase', async () => {
        const rows = await db.selectFrom('v_workflow_phase_patterns').selectAll().orderBy('workflow_phase').execute();
        expect(rows).toEqual([
          {
            workflow_phase: 'execution',
            invocations_in_phase: 2,
            unique_skills_in_phase: 1,
            successful_completions: 2,
            avg_phase_duration: 5,
          },
          {
            workflow_phase: 'setup',
            invocations_in_phase: 4,
            unique_skills_in_phase: 2,
            successful_completions: 2,
            avg_phase_duration: 10,
          },
        ]);
      });

      it('v_skills_by_phase_usage gives success rates as fractions', async () => {
        const rows = await db.selectFrom('v_skills_by_phase_usage').selectAll().orderBy('skill_name').orderBy('workflow_phase').execute();
        expect(rows).toEqual([
          { skill_name: 'a', workflow_phase: 'execution', usage_count: 2, success_rate: 1 },
          { skill_name: 'a', workflow_phase: 'setup', usage_count: 3, success_rate: 2 / 3 },
          { skill_name: 'b', workflow_phase: 'setup', usage_count: 1, success_rate: 0 },
        ]);
      });
    });

    describe('v_skill_effectiveness_trend', () => {
      function day(skill_name: string, n: number, invocations: number, completions: number) {
        return {
          date: T0 + n * DAY,
          skill_name,
          invocations,
          completions,
          abandonments: invocations - completions,
          duration_sum: 0,
          duration_count: 0,
          avg_duration_seconds: null,
        };
      }

      it('gives the least-squares slope per day: negative when the rate falls, NULL for one day', async () => {
        await db
          .insertInto('mv_daily_skills')
          .values([
            day('falling', 0, 4, 4),
            day('falling', 1, 4, 3),
            day('falling', 2, 4, 2),
            day('falling', 3, 4, 1),
            day('rising', 0, 2, 1),
            day('rising', 2, 5, 5),
            day('single', 5, 3, 1),
          ])
          .execute();
        const rows = await db.selectFrom('v_skill_effectiveness_trend').selectAll().orderBy('skill_name').execute();
        expect(rows).toEqual([
          {
            skill_name: 'falling',
            days_observed: 4,
            first_day: T0,
            last_day: T0 + 3 * DAY,
            first_day_rate: 1,
            last_day_rate: 0.25,
            trend_slope: -0.25,
          },
          {
            skill_name: 'rising',
            days_observed: 2,
            first_day: T0,
            last_day: T0 + 2 * DAY,
            first_day_rate: 0.5,
            last_day_rate: 1,
            trend_slope: 0.25,
          },
          {
            skill_name: 'single',
            days_observed: 1,
            first_day: T0 + 5 * DAY,
            last_day: T0 + 5 * DAY,
            first_day_rate: 1 / 3,
            last_day_rate: 1 / 3,
            trend_slope: null,
          },
        ]);
      });
    });

    describe('v_realtime_skill_dashboard', () => {
      it('joins the cache to the lifetime metrics', async () => {
        await db
          .insertInto('skill_metrics')
          .values(metricsRow('a', { total_invocations: 10, completion_rate: 0.9, avg_duration_seconds: 3 }))
          .execute();
        await db
          .insertInto('skill_metrics_cache')
          .values([
            {
              skill_name: 'a',
              last_invocation_at: T0,
              window_end: T0,
              invocation_count_1h: 2,
              invocation_count_24h: 8,
              completed_count_24h: 6,
              avg_completion_rate_24h: 0.75,
              anomaly_score: 4.5,
              updated_at: T0,
            },
            {
              skill_name: 'orphan',
              last_invocation_at: T0,
              window_end: T0,
              invocation_count_1h: 1,
              invocation_count_24h: 1,
              completed_count_24h: 0,
              avg_completion_rate_24h: 0,
              anomaly_score: null,
              updated_at: T0,
            },
          ])
          .execute();
        const rows = await db.selectFrom('v_realtime_skill_dashboard').selectAll().execute();
        expect(rows).toEqual([
          {
            skill_name: 'a',
            last_invocation_at: T0,
            invocation_count_1h: 2,
            invocation_count_24h: 8,
            avg_completion_rate_24h: 0.75,
            total_invocations: 10,
            completion_rate: 0.9,
            avg_duration_seconds: 3,
            is_anomalous: 0,
            anomaly_score: 4.5,
          },
        ]);
      });
    });

    describe('v_community_baseline_comparison', () => {
      it("compares a user's completion rate with the community's, counting invocations", async () => {
        await db
          .insertInto('skill_community_baselines')
          .values({
            skill_name: 'a',
            total_users: 3,
            total_invocations: 20,
            global_completion_rate: 0.5,
            effectiveness_percentile: 80,
            updated_at: T0,
          })
          .execute();
        await db
          .insertInto('skill_user_interactions')
          .values({ user_id: 'u1', skill_name: 'a', invocation_count: 4, completed_count: 3, first_used: T0, last_used: T0 + DAY })
          .execute();
        const rows = await db.selectFrom('v_community_baseline_comparison').selectAll().execute();
        expect(rows).toEqual([
          {
            user_id: 'u1',
            skill_name: 'a',
            user_invocations: 4,
            user_completion_rate: 0.75,
            global_completion_rate: 0.5,
            completion_rate_difference: 0.25,
            effectiveness_percentile: 80,
          },
        ]);
      });
    });

    describe('v_skill_dependency_network', () => {
      it('classifies lift at the 3 / 2 / 1.5 / 1 boundaries', async () => {
        const lifts = [3, 2.5, 2, 1.5, 1, 0.99];
        await db
          .insertInto('skill_dependencies')
          .values(
            lifts.map((lift_score, i) => ({
              skill_a: 'a',
              skill_b: `b${i}`,
              source: 'observed',
              co_occurrence_count: i,
              support: null,
              confidence: null,
              lift_score,
              updated_at: T0,
            })),
          )
          .execute();
        const rows = await db
          .selectFrom('v_skill_dependency_network')
          .select(['skill_b', 'lift_score', 'relationship_type'])
          .orderBy('skill_b')
          .execute();
        expect(rows.map((r) => [r.lift_score, r.relationship_type])).toEqual([
          [3, 'very_strong_positive'],
          [2.5, 'strong_positive'],
          [2, 'strong_positive'],
          [1.5, 'moderate_positive'],
          [1, 'weak_positive'],
          [0.99, 'negative'],
        ]);
      });
    });

    describe('v_ab_test_summary', () => {
      it('counts distinct users per variant, including declared variants without data', async () => {
        const config = {
          description: null,
          control_strategy: 'popular',
          treatment_strategy: 'collaborative',
          assignment_ratio: 0.5,
          metrics: '["completion_rate"]',
          min_sample_size: 100,
          start_date: T0,
          end_date: null,
          status: 'running',
          salt: 's',
          options: '{}',
          created_at: T0,
        };
        await db
          .insertInto('ab_test_configs')
          .values([
            {
              ...config,
              id: 't1',
              test_name: 'first',
              variants:
                '[{"name":"control","strategy":"popular","weight":0.5},{"name":"treatment","strategy":"collaborative","weight":0.5}]',
            },
            { ...config, id: 't2', test_name: 'second', variants: '[{"name":"only"}]' },
          ])
          .execute();
        await db
          .insertInto('ab_test_assignments')
          .values([
            { test_id: 't1', user_id: 'u1', variant: 'control', assigned_at: T0 },
            { test_id: 't1', user_id: 'u2', variant: 'control', assigned_at: T0 },
            { test_id: 't1', user_id: 'u3', variant: 'treatment', assigned_at: T0 },
          ])
          .execute();
        const outcome = { test_id: 't1', variant: 'control', skill_name: 'a', user_rating: null, recorded_at: T0 };
        await db
          .insertInto('ab_test_outcomes')
          .values([
            { ...outcome, id: 'o1', user_id: 'u1', completed: 1, duration_seconds: 10 },
            { ...outcome, id: 'o2', user_id: 'u1', completed: 0, duration_seconds: null },
            { ...outcome, id: 'o3', user_id: 'u2', completed: 1, duration_seconds: 20 },
          ])
          .execute();
        const rows = await db.selectFrom('v_ab_test_summary').selectAll().orderBy('test_id').orderBy('variant').execute();
        expect(rows).toEqual([
          {
            test_id: 't1',
            test_name: 'first',
            status: 'running',
            variant: 'control',
            users_assigned: 2,
            users_with_outcomes: 2,
            outcomes: 3,
            completion_rate: 2 / 3,
            avg_duration_seconds: 15,
          },
          {
            test_id: 't1',
            test_name: 'first',
            status: 'running',
            variant: 'treatment',
            users_assigned: 1,
            users_with_outcomes: 0,
            outcomes: 0,
            completion_rate: null,
            avg_duration_seconds: null,
          },
          {
            test_id: 't2',
            test_name: 'second',
            status: 'running',
            variant: 'only',
            users_assigned: 0,
            users_with_outcomes: 0,
            outcomes: 0,
            completion_rate: null,
            avg_duration_seconds: null,
          },
        ]);
      });
    });

    describe('v_multimodal_skill_catalog', () => {
      it('lists modalities with categories and usage, also for skills never invoked', async () => {
        await db
          .insertInto('skill_metrics')
          .values(metricsRow('pytest-run', { total_invocations: 4, completion_rate: 0.5 }))
          .execute();
        await db
          .insertInto('skill_categories')
          .values({ category_name: 'testing', domain: 'testing', description: null, parent_category: null, created_at: T0 })
          .execute();
        await db
          .insertInto('skill_category_mapping')
          .values({ skill_name: 'pytest-run', category_name: 'testing', confidence: 1, created_at: T0 })
          .execute();
        await db
          .insertInto('skill_modalities')
          .values([
            {
              skill_name: 'pytest-run',
              modality_type: 'testing',
              input_format: 'code',
              output_format: 'report',
              requires_human_review: 0,
              description: null,
            },
            {
              skill_name: 'brand-new',
              modality_type: 'documentation',
              input_format: null,
              output_format: null,
              requires_human_review: 1,
              description: null,
            },
          ])
          .execute();
        const rows = await db.selectFrom('v_multimodal_skill_catalog').selectAll().orderBy('skill_name').execute();
        expect(rows).toEqual([
          {
            skill_name: 'brand-new',
            modality_type: 'documentation',
            input_format: null,
            output_format: null,
            requires_human_review: 1,
            category_name: null,
            total_invocations: 0,
            completion_rate: null,
          },
          {
            skill_name: 'pytest-run',
            modality_type: 'testing',
            input_format: 'code',
            output_format: 'report',
            requires_human_review: 0,
            category_name: 'testing',
            total_invocations: 4,
            completion_rate: 0.5,
          },
        ]);
      });
    });
  });
}
