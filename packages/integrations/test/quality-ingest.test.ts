import { listInvocations, ValidationError, type Store } from '@skills/storage';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordQualityInput } from '../src/index.js';
import { storeFactories } from './helpers.js';

const START = Date.parse('2026-12-03T07:00:00Z');
const report = () => ({
  run_id: 'r-1',
  started_at: START,
  user: 'alice',
  checks: [
    { name: 'ruff-check', status: 'passed', duration_seconds: 0.4, files_processed: 10 },
    { name: 'pytest-run', status: 'failed', duration_seconds: 12.5, issues_found: 2 },
    { name: 'codespell', status: 'skipped' },
  ],
});

for (const factory of storeFactories) {
  describe(`recordQualityInput (${factory.name})`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await factory.create();
    });
    afterEach(() => store.close());
    afterAll(() => factory.cleanup());

    const rows = async () =>
      (await listInvocations(store, { limit: 50 })).items
        .map((r) => [r.id, r.session_id, r.completed, r.duration_seconds, r.workflow_phase])
        .sort();

    it('writes a run once: the same report again records nothing', async () => {
      expect(await recordQualityInput(store, report(), { now: START })).toEqual({
        kind: 'run',
        session: 'crackerjack:r-1',
        invocations: 2,
        recorded: 2,
        known: 0,
        skipped: 1,
      });
      expect(await recordQualityInput(store, report(), { now: START })).toEqual({
        kind: 'run',
        session: 'crackerjack:r-1',
        invocations: 2,
        recorded: 0,
        known: 2,
        skipped: 1,
      });
      expect(await rows()).toEqual([
        ['crackerjack:r-1:fast_hooks:ruff-check', 'crackerjack:r-1', true, 0.4, 'setup'],
        ['crackerjack:r-1:tests:pytest-run', 'crackerjack:r-1', false, 12.5, 'execution'],
      ]);
    });

    it('writes nothing when one check is bad, naming its field', async () => {
      const bad = report();
      bad.checks[1] = { ...bad.checks[1]!, status: 'broken' };
      const error = await recordQualityInput(store, bad).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues).toEqual([
        { index: -1, field: 'checks[1].status', message: 'expected "passed"|"failed"|"error"|"timeout"|"skipped"' },
      ]);
      expect(await rows()).toEqual([]);
    });

    it('tells a skill_metrics.json by its skills key, and writes it once', async () => {
      const metrics = {
        version: '1',
        skills: { 'mypy-check': [{ invoked_at: START, duration_ms: 2000, success: true, session_id: 'cj-9' }] },
      };
      expect(await recordQualityInput(store, metrics)).toEqual({
        kind: 'skill-metrics',
        session: null,
        invocations: 1,
        recorded: 1,
        known: 0,
        skipped: 0,
      });
      expect(await recordQualityInput(store, metrics)).toMatchObject({ recorded: 0, known: 1 });
      expect((await rows()).map((r) => r.slice(1))).toEqual([['cj-9', true, 2, 'verification']]);
    });

    it('refuses input that is neither', async () => {
      await expect(recordQualityInput(store, { hooks: [] })).rejects.toThrow(
        'input: checks: required (a quality run report), or skills for a skill_metrics.json',
      );
      await expect(recordQualityInput(store, [1])).rejects.toThrow('input: (body): expected a JSON object');
    });
  });
}
