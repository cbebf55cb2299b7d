import { afterAll, describe, expect, it } from 'vitest';
import { getSkillMetrics, recordInvocation, recordInvocations, ValidationError, type RecordedEvent } from '../src/index.js';
import { T0, storeFactories } from './helpers.js';

const base = { skill_name: 'pytest-run', session_id: 's1', invoked_at: T0 };

describe.each(storeFactories)('recordInvocations [$name]', (factory) => {
  afterAll(() => factory.cleanup());

  it('rejects a batch with one invalid item, naming item index and field, and writes nothing', async () => {
    const { store } = await factory.create();
    try {
      const error = await recordInvocations(store, [
        { ...base, id: 'a' },
        { ...base, id: 'b', invoked_at: 'yesterday' as never },
        { ...base, id: 'c', duration_seconds: -1 },
      ]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      const issues = (error as ValidationError).issues;
      expect(issues.map((i) => [i.index, i.field])).toEqual([
        [1, 'invoked_at'],
        [2, 'duration_seconds'],
      ]);
      expect((error as Error).message).toContain('item 1: invoked_at: expected epoch milliseconds');
      const count = await store.db
        .selectFrom('skill_invocation')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(count.n)).toBe(0);
      expect(await store.db.selectFrom('skill_metrics').selectAll().execute()).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('with skipInvalid writes the valid items and lists each rejected one with its problems', async () => {
    const { store } = await factory.create();
    try {
      const result = await recordInvocations(
        store,
        [{ ...base, id: 'a' }, { ...base, id: 'b', skill_name: '' }, { ...base, id: 'c', colour: 'red' } as never],
        { skipInvalid: true },
      );
      expect(result.inserted).toBe(1);
      expect(result.ids).toEqual(['a']);
      expect(result.rejected.map((r) => [r.index, r.issues.map((i) => i.field)])).toEqual([
        [1, ['skill_name']],
        [2, ['']],
      ]);
      expect(result.rejected[1]!.issues[0]!.message).toMatch(/colour/);
    } finally {
      await store.close();
    }
  });

  it('accepts ISO-8601 timestamps (offset, Z or none = UTC) and 0/1 for completed', async () => {
    const { store } = await factory.create();
    try {
      await recordInvocations(store, [
        { ...base, id: 'z', invoked_at: '2026-01-05T10:00:00Z', completed: 1 },
        { ...base, id: 'o', invoked_at: '2026-01-05T12:00:00+02:00', completed: 0 },
        { ...base, id: 'n', invoked_at: '2026-01-05T10:00:00.250', completed: true },
      ]);
      const rows = await store.db.selectFrom('skill_invocation').select(['id', 'invoked_at', 'completed']).orderBy('id').execute();
      const ten = Date.UTC(2026, 0, 5, 10);
      expect(rows).toEqual([
        { id: 'n', invoked_at: ten + 250, completed: 1 },
        { id: 'o', invoked_at: ten, completed: 0 },
        { id: 'z', invoked_at: ten, completed: 1 },
      ]);
    } finally {
      await store.close();
    }
  });

  it('rejects a calendar date that does not exist instead of rolling it over', async () => {
    const { store } = await factory.create();
    try {
      const error = await recordInvocations(store, [{ ...base, invoked_at: '2026-02-30T10:00:00Z' }]).catch((e: unknown) => e);
      expect((error as ValidationError).issues).toEqual([
        { index: 0, field: 'invoked_at', message: 'not a valid date: 2026-02-30T10:00:00Z' },
      ]);
    } finally {
      await store.close();
    }
  });

  it('generates sortable ids when none are given and ignores a repeated id', async () => {
    const { store } = await factory.create();
    try {
      const first = await recordInvocation(store, base);
      expect(first.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
      expect(first.inserted).toBe(true);
      const again = await recordInvocation(store, { ...base, id: first.id, completed: true });
      expect(again.inserted).toBe(false);
      const metrics = await getSkillMetrics(store, 'pytest-run');
      expect([metrics.total_invocations, metrics.completed_invocations]).toEqual([1, 0]);
    } finally {
      await store.close();
    }
  });

  it('counts error types, paths and every follow-up action verbatim, dots and brackets included', async () => {
    const { store } = await factory.create();
    try {
      await recordInvocations(store, [
        {
          ...base,
          id: '1',
          workflow_path: 'a.b[0]',
          error_type: 'ImportError: x.y',
          follow_up_actions: ['git.push', 'open[2]', 'git.push'],
        },
        { ...base, id: '2', workflow_path: '__proto__', error_type: 'ImportError: x.y', follow_up_actions: ['constructor'] },
      ]);
      const metrics = await getSkillMetrics(store, 'pytest-run');
      expect({ ...metrics.workflow_paths }).toEqual({ 'a.b[0]': 1, ['__proto__']: 1 });
      expect(Object.keys(metrics.workflow_paths)).toEqual(['__proto__', 'a.b[0]']);
      expect({ ...metrics.common_errors }).toEqual({ 'ImportError: x.y': 2 });
      expect({ ...metrics.follow_up_actions }).toEqual({ constructor: 1, 'git.push': 2, 'open[2]': 1 });
    } finally {
      await store.close();
    }
  });

  it('leaves completed invocations of unknown duration out of the average instead of counting 0 s', async () => {
    const { store } = await factory.create();
    try {
      await recordInvocations(store, [
        { ...base, id: '1', completed: true, duration_seconds: 10 },
        { ...base, id: '2', completed: true, duration_seconds: null },
        { ...base, id: '3', completed: false, duration_seconds: 99 },
      ]);
      const metrics = await getSkillMetrics(store, 'pytest-run');
      expect(metrics.avg_duration_seconds).toBe(10);
      expect(metrics.completion_rate).toBeCloseTo(2 / 3, 12);
      const day = await store.db.selectFrom('mv_daily_skills').selectAll().executeTakeFirstOrThrow();
      expect([day.invocations, day.completions, day.abandonments, day.avg_duration_seconds]).toEqual([3, 2, 1, 10]);
    } finally {
      await store.close();
    }
  });

  it('emits one recorded event per committed batch, none for a batch of duplicates', async () => {
    const { store } = await factory.create();
    try {
      const events: RecordedEvent[] = [];
      const unsubscribe = store.onRecorded((event) => events.push(event));
      await recordInvocations(store, [
        { ...base, id: '1', completed: true, invoked_at: T0 + 5 },
        { ...base, id: '2', skill_name: 'ruff-check', invoked_at: T0 + 1 },
        { ...base, id: '1', completed: true, invoked_at: T0 + 5 },
      ]);
      await recordInvocations(store, [{ ...base, id: '2', skill_name: 'ruff-check', invoked_at: T0 + 1 }]);
      unsubscribe();
      await recordInvocations(store, [{ ...base, id: '3' }]);
      expect(events).toEqual([
        {
          inserted: 2,
          duplicates: 1,
          firstInvokedAt: T0 + 1,
          lastInvokedAt: T0 + 5,
          skills: [
            { skill_name: 'pytest-run', count: 1, completed: 1 },
            { skill_name: 'ruff-check', count: 1, completed: 0 },
          ],
          users: [],
          invocations: [
            expect.objectContaining({
              id: '1',
              skill_name: 'pytest-run',
              session_id: 's1',
              completed: true,
              invoked_at: T0 + 5,
              user_id: null,
            }),
            expect.objectContaining({ id: '2', skill_name: 'ruff-check', completed: false, invoked_at: T0 + 1, duration_seconds: null }),
          ],
          source: 'local',
        },
      ]);
      expect(Object.keys(events[0]!.invocations[0]!)).not.toContain('embedding');
    } finally {
      await store.close();
    }
  });

  it('rolls back the whole batch when the database fails mid-write', async () => {
    const { store } = await factory.create();
    try {
      await recordInvocations(store, [{ ...base, id: 'keep' }]);
      // Make a late step of the transaction (the daily rollup) fail.
      const drop = store.db.schema.dropTable('mv_daily_skills');
      await (factory.name === 'postgres' ? drop.cascade() : drop).execute();
      await expect(recordInvocations(store, [{ ...base, id: 'lost', invoked_at: T0 + 1 }])).rejects.toThrow();
      const ids = await store.db.selectFrom('skill_invocation').select('id').execute();
      expect(ids).toEqual([{ id: 'keep' }]);
      const metrics = await store.db.selectFrom('skill_metrics').select('total_invocations').execute();
      expect(metrics).toEqual([{ total_invocations: 1 }]);
    } finally {
      await store.close();
    }
  });

  it('rejects input that is not an array', async () => {
    const { store } = await factory.create();
    try {
      await expect(recordInvocations(store, { skill_name: 'x' } as never)).rejects.toThrow(/expected an array/);
    } finally {
      await store.close();
    }
  });
});
