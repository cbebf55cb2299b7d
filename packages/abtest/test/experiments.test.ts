import { recordInvocations, type Store } from '@skills/storage';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  analyzeExperiment,
  analyzeUsers,
  assign,
  ConflictError,
  createExperiment,
  getExperiment,
  listExperiments,
  NotFoundError,
  recordOutcome,
  recordOutcomes,
  stopExperiment,
  ValidationError,
} from '../src/index.js';
import { loadVariantUsers } from '../src/store/variant-users.js';
import { DAY, storeFactories, T0 } from './helpers.js';

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

const base = { name: 'search-v2', controlStrategy: 'semantic', treatmentStrategy: 'workflow-aware' };

describe.each(storeFactories)('experiments [$name]', (factory) => {
  let store: Store;
  beforeEach(async () => {
    store = (await factory.create()).store;
    return () => store.close();
  });
  afterAll(() => factory.cleanup());

  const count = async (table: 'ab_test_configs' | 'ab_test_assignments' | 'ab_test_outcomes' | 'ab_test_user_stats') =>
    Number(
      (
        await store.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  describe('createExperiment', () => {
    it('stores the experiment with its defaults and finds it by name or id', async () => {
      const created = await createExperiment(store, { ...base, description: 'semantic vs workflow' }, { now: T0 });
      expect(created).toMatchObject({
        name: 'search-v2',
        status: 'running',
        assignmentRatio: 0.5,
        metrics: ['completion_rate', 'duration'],
        minSampleSize: 100,
        startDate: T0,
        endDate: null,
        variants: [
          { name: 'control', strategy: 'semantic', weight: 0.5 },
          { name: 'treatment', strategy: 'workflow-aware', weight: 0.5 },
        ],
        options: { mode: 'sequential', correction: 'holm', cuped: true, alpha: 0.05 },
      });
      expect(await getExperiment(store, 'search-v2')).toEqual(created);
      expect(await getExperiment(store, created.id)).toEqual(created);
      expect((await listExperiments(store)).map((e) => e.name)).toEqual(['search-v2']);
    });

    it('stores metrics and variants as JSON arrays and honours assignmentRatio', async () => {
      await createExperiment(store, { ...base, assignmentRatio: 0.3 }, { now: T0 });
      const row = await store.db.selectFrom('ab_test_configs').selectAll().executeTakeFirstOrThrow();
      expect(JSON.parse(row.metrics)).toEqual(['completion_rate', 'duration']);
      expect(row.assignment_ratio).toBe(0.3);
      expect(JSON.parse(row.variants)[1]).toEqual({ name: 'treatment', strategy: 'workflow-aware', weight: 0.7 });
    });

    it('rejects a duplicate name with ConflictError and writes nothing', async () => {
      await createExperiment(store, base);
      const error = await rejection(createExperiment(store, base));
      expect(error).toBeInstanceOf(ConflictError);
      expect(error.message).toBe(
        'experiment search-v2: an experiment with this name already exists (names are compared regardless of case)',
      );
      expect(await count('ab_test_configs')).toBe(1);
    });

    it('treats names that differ only in case as the same experiment', async () => {
      const created = await createExperiment(store, base);
      const error = await rejection(createExperiment(store, { ...base, name: 'Search-V2' }));
      expect(error).toBeInstanceOf(ConflictError);
      expect(await count('ab_test_configs')).toBe(1);
      expect((await getExperiment(store, 'SEARCH-v2')).id).toBe(created.id);
    });

    it('lets only one of two concurrent creations with case-variant names through', async () => {
      const results = await Promise.allSettled([
        createExperiment(store, { ...base, name: 'Ranker' }),
        createExperiment(store, { ...base, name: 'ranker' }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(rejected.reason).toBeInstanceOf(ConflictError);
      expect(await count('ab_test_configs')).toBe(1);
    });

    it('rejects weights that do not sum to 1, naming the field', async () => {
      const error = await rejection(
        createExperiment(store, {
          name: 'x',
          variants: [
            { name: 'a', strategy: 'a', weight: 0.5 },
            { name: 'b', strategy: 'b', weight: 0.4 },
          ],
        }),
      );
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues[0]).toMatchObject({ field: 'variants' });
      expect(error.message).toMatch(/weights must sum to 1/);
      expect(await count('ab_test_configs')).toBe(0);
    });

    it('rejects a negative weight and a ratio outside (0, 1), naming the field', async () => {
      const negative = await rejection(
        createExperiment(store, {
          name: 'x',
          variants: [
            { name: 'a', strategy: 'a', weight: 1.2 },
            { name: 'b', strategy: 'b', weight: -0.2 },
          ],
        }),
      );
      expect((negative as ValidationError).issues[0]).toMatchObject({ field: 'variants.1.weight' });
      const ratio = await rejection(createExperiment(store, { ...base, assignmentRatio: 1.2 }));
      expect((ratio as ValidationError).issues[0]).toMatchObject({ field: 'assignmentRatio' });
      expect(await count('ab_test_configs')).toBe(0);
    });
  });

  describe('assign', () => {
    it('is sticky: re-assigning returns the stored group', async () => {
      await createExperiment(store, base, { now: T0 });
      const first = await assign(store, 'search-v2', 'alice', { now: T0 + 1 });
      const again = await assign(store, 'search-v2', 'alice', { now: T0 + 2 });
      expect(first.isNew).toBe(true);
      expect(again).toEqual({ ...first, isNew: false });
      expect(await count('ab_test_assignments')).toBe(1);
    });

    it('assigns nobody new once stopped, but keeps existing users in their group', async () => {
      await createExperiment(store, base, { now: T0 });
      const alice = await assign(store, 'search-v2', 'alice', { now: T0 + 1 });
      await stopExperiment(store, 'search-v2', { now: T0 + 2 });
      expect((await assign(store, 'search-v2', 'alice')).variant).toBe(alice.variant);
      const error = await rejection(assign(store, 'search-v2', 'bob'));
      expect(error).toBeInstanceOf(ConflictError);
      expect(error.message).toBe('experiment search-v2: is stopped and assigns nobody new');
      expect(await count('ab_test_assignments')).toBe(1);
    });

    it('names an unknown experiment', async () => {
      const error = await rejection(assign(store, 'nope', 'alice'));
      expect(error).toBeInstanceOf(NotFoundError);
      expect(error.message).toBe('experiment not found: nope');
    });
  });

  describe('recordOutcome', () => {
    it('writes the outcome and the user running sums', async () => {
      await createExperiment(store, base, { now: T0 });
      await assign(store, 'search-v2', 'alice', { now: T0 });
      await recordOutcome(store, 'search-v2', 'alice', { completed: true, durationSeconds: Math.E, rating: 4 }, { now: T0 + 1 });
      await recordOutcome(store, 'search-v2', 'alice', { completed: false, durationSeconds: 0 }, { now: T0 + 2 });
      const stats = await store.db.selectFrom('ab_test_user_stats').selectAll().executeTakeFirstOrThrow();
      expect(stats).toMatchObject({
        user_id: 'alice',
        outcomes: 2,
        completions: 1,
        duration_count: 1,
        rating_count: 1,
        rating_sum: 4,
        first_recorded_at: T0 + 1,
        last_recorded_at: T0 + 2,
      });
      expect(stats.log_duration_sum).toBeCloseTo(1, 12);
      expect(await count('ab_test_outcomes')).toBe(2);
    });

    it('rejects an outcome from a user who was never assigned, writing nothing', async () => {
      await createExperiment(store, base);
      const error = await rejection(recordOutcome(store, 'search-v2', 'mallory', { completed: true }));
      expect(error).toBeInstanceOf(NotFoundError);
      expect(error.message).toBe('assignment not found: search-v2/mallory');
      expect(await count('ab_test_outcomes')).toBe(0);
    });

    it('rejects a rating outside 1–5, naming the field', async () => {
      await createExperiment(store, base);
      await assign(store, 'search-v2', 'alice');
      const error = await rejection(recordOutcome(store, 'search-v2', 'alice', { completed: true, rating: 6 }));
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues[0]).toMatchObject({ field: 'rating', message: 'must be between 1 and 5' });
      expect(await count('ab_test_outcomes')).toBe(0);
    });

    it('writes nothing of a batch in which one user is unassigned', async () => {
      await createExperiment(store, base);
      await assign(store, 'search-v2', 'alice');
      await expect(
        recordOutcomes(store, 'search-v2', [
          { userId: 'alice', completed: true },
          { userId: 'eve', completed: true },
        ]),
      ).rejects.toThrow(NotFoundError);
      expect(await count('ab_test_outcomes')).toBe(0);
      expect(await count('ab_test_user_stats')).toBe(0);
    });
  });

  describe('analyzeExperiment', () => {
    /** Assigns `users` users and gives each `perUser` outcomes; control completes with pc, treatment with pt. */
    async function run(users: number, perUser: number, pc: number, pt: number) {
      await createExperiment(store, { ...base, minSampleSize: 50 }, { now: T0 });
      const items = [];
      for (let i = 0; i < users; i++) {
        const { variant } = await assign(store, 'search-v2', `u${i}`, { now: T0 + DAY });
        const p = variant === 'control' ? pc : pt;
        for (let k = 0; k < perUser; k++) {
          // Deterministic: user i completes the first round(p·perUser) outcomes, offset by i.
          const completed = (k + i) % perUser < Math.round(p * perUser);
          items.push({ userId: `u${i}`, completed, durationSeconds: variant === 'control' ? 10 + (i % 7) : 8 + (i % 7) });
        }
      }
      await recordOutcomes(store, 'search-v2', items, { now: T0 + 2 * DAY });
    }

    it('counts users, not outcomes, and declares a clear winner', async () => {
      await run(400, 5, 0.4, 0.8);
      const result = await analyzeExperiment(store, 'search-v2', { now: T0 + 3 * DAY });
      const assigned = result.variants.map((v) => v.assigned);
      expect(assigned[0]! + assigned[1]!).toBe(400);
      expect(result.variants.map((v) => v.usersWithOutcomes)).toEqual(assigned);
      const primary = result.comparisons.find((c) => c.metric === 'completion_rate')!;
      expect(primary.controlMean).toBeCloseTo(0.4, 12);
      expect(primary.treatmentMean).toBeCloseTo(0.8, 12);
      expect(result.srm.mismatch).toBe(false);
      expect(result).toMatchObject({
        verdict: 'treatment_wins',
        winner: 'treatment',
        mode: 'sequential',
        correction: 'holm',
        familySize: 2,
      });
      const duration = result.comparisons.find((c) => c.metric === 'duration')!;
      expect(duration.difference).toBeLessThan(0);
      expect(duration.mannWhitney?.pValue).toBeLessThan(0.05);
    });

    it('blocks the verdict on a forced 45/55 split (sample ratio mismatch)', async () => {
      const e = await createExperiment(store, { ...base, minSampleSize: 10 }, { now: T0 });
      const rows = Array.from({ length: 2000 }, (_, i) => ({
        test_id: e.id,
        user_id: `u${i}`,
        variant: i < 900 ? 'control' : 'treatment',
        assigned_at: T0,
      }));
      for (let i = 0; i < rows.length; i += 500)
        await store.db
          .insertInto('ab_test_assignments')
          .values(rows.slice(i, i + 500))
          .execute();
      await recordOutcomes(
        store,
        e.id,
        rows.map((r, i) => ({ userId: r.user_id, completed: i % 3 === 0 })),
      );
      const result = await analyzeExperiment(store, e.id);
      expect(result.srm.mismatch).toBe(true);
      expect(result.verdict).toBe('invalid_srm');
      expect(result.reason).toMatch(/^sample ratio mismatch: assigned 900\/1100/);
    });

    it("fills each user's pre-exposure history once, from invocations before assignment only", async () => {
      await createExperiment(store, base, { now: T0 });
      await assign(store, 'search-v2', 'alice', { now: T0 + DAY });
      await assign(store, 'search-v2', 'bob', { now: T0 + DAY });
      await recordInvocations(store, [
        { skill_name: 's', session_id: 'x', user_id: 'alice', invoked_at: T0 + 1, completed: true, duration_seconds: Math.E },
        { skill_name: 's', session_id: 'x', user_id: 'alice', invoked_at: T0 + 2, completed: false },
        { skill_name: 's', session_id: 'x', user_id: 'alice', invoked_at: T0 + 2 * DAY, completed: true },
        { skill_name: 's', session_id: 'y', user_id: 'carol', invoked_at: T0 + 1, completed: true },
      ]);
      await recordOutcome(store, 'search-v2', 'alice', { completed: true });
      await recordOutcome(store, 'search-v2', 'bob', { completed: false });
      await analyzeExperiment(store, 'search-v2', { now: T0 + 3 * DAY });
      const rows = await store.db.selectFrom('ab_test_user_stats').selectAll().orderBy('user_id').execute();
      expect(rows.map((r) => [r.user_id, r.pre_invocations, r.pre_completions, r.pre_duration_count, r.pre_computed_at])).toEqual([
        ['alice', 2, 1, 1, T0 + 3 * DAY],
        ['bob', 0, 0, 0, T0 + 3 * DAY],
      ]);
      expect(rows[0]!.pre_log_duration_sum).toBeCloseTo(1, 12);
      await analyzeExperiment(store, 'search-v2', { now: T0 + 4 * DAY });
      const again = await store.db.selectFrom('ab_test_user_stats').select('pre_computed_at').execute();
      expect(again.map((r) => r.pre_computed_at)).toEqual([T0 + 3 * DAY, T0 + 3 * DAY]);
    });

    it('computes in SQL exactly what the per-user analysis computes (Mann–Whitney at 0.1% duration resolution)', async () => {
      await createExperiment(store, { ...base, minSampleSize: 10, metrics: ['completion_rate', 'duration', 'rating'] }, { now: T0 + DAY });
      const history = [];
      const items = [];
      for (let i = 0; i < 120; i++) {
        for (let k = 0; k < 3; k++) {
          history.push({
            skill_name: 's',
            session_id: `s${i}`,
            user_id: `u${i}`,
            invoked_at: T0 + k,
            completed: (i + k) % 3 !== 0,
            duration_seconds: 1 + ((i * 7 + k) % 13),
          });
        }
      }
      await recordInvocations(store, history);
      for (let i = 0; i < 120; i++) {
        await assign(store, 'search-v2', `u${i}`, { now: T0 + DAY });
        for (let k = 0; k < 1 + (i % 4); k++) {
          items.push({
            userId: `u${i}`,
            completed: (i * k + i) % 5 < 3,
            durationSeconds: 2 + ((i * 3 + k) % 11),
            ...(k === 0 ? { rating: 1 + (i % 5) } : {}),
          });
        }
      }
      await recordOutcomes(store, 'search-v2', items, { now: T0 + 2 * DAY });
      const fromSql = await analyzeExperiment(store, 'search-v2', { now: T0 + 3 * DAY });
      const e = await getExperiment(store, 'search-v2');
      const fromUsers = analyzeUsers(e, await loadVariantUsers(store, e.id, ['control', 'treatment']));
      expect(fromSql.comparisons.length).toBe(3);
      fromSql.comparisons.forEach((c, i) => {
        const u = fromUsers.comparisons[i]!;
        for (const key of ['difference', 'standardError', 'pValue', 'sequentialPValue', 'power'] as const) {
          expect(c[key], `${c.metric} ${key}`).toBeCloseTo(u[key], 9);
        }
        if (c.cuped) expect(c.cuped.varianceReduction).toBeCloseTo(u.cuped!.varianceReduction, 9);
        if (c.mannWhitney) expect(c.mannWhitney.pValue).toBeCloseTo(u.mannWhitney!.pValue, 3);
      });
      expect(fromSql.comparisons[0]!.cuped!.usersWithHistory).toBe(120);
    });

    it('corrects a multi-variant family with the chosen method and says which', async () => {
      await createExperiment(store, {
        name: 'three-way',
        metrics: ['completion_rate'],
        minSampleSize: 10,
        variants: [
          { name: 'control', strategy: 'a', weight: 0.34 },
          { name: 'b', strategy: 'b', weight: 0.33 },
          { name: 'c', strategy: 'c', weight: 0.33 },
        ],
        options: { correction: 'benjamini-hochberg', mode: 'fixed' },
      });
      const items = [];
      for (let i = 0; i < 300; i++) {
        const { variant } = await assign(store, 'three-way', `u${i}`);
        items.push({ userId: `u${i}`, completed: variant === 'c' ? i % 10 < 8 : i % 2 === 0 });
      }
      await recordOutcomes(store, 'three-way', items);
      const result = await analyzeExperiment(store, 'three-way');
      expect(result.correction).toBe('benjamini-hochberg');
      expect(result.familySize).toBe(2);
      expect(result.comparisons.map((c) => c.variant)).toEqual(['b', 'c']);
      for (const c of result.comparisons) expect(c.adjustedPValue).toBeGreaterThanOrEqual(c.pValue);
      expect(result.verdicts.find((v) => v.variant === 'c')?.verdict).toBe('treatment_wins');
    });
  });
});
