import { listInvocations, recordInvocations, ValidationError, type Store } from '@skills/storage';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordIdeFeedback, recommendForIde, type IdeContextInput, type IdeFeedbackInput } from '../src/index.js';
import { storeFactories } from './helpers.js';

const T0 = Date.UTC(2026, 10, 2, 9);

/** `runs` invocations of `skill`, the first `completed` of them completed, each `seconds` long. */
function runs(skill: string, count: number, completed: number, seconds: number, phase: string) {
  return Array.from({ length: count }, (_, i) => ({
    id: `${skill}-${i}`,
    skill_name: skill,
    session_id: `s-${i % 3}`,
    invoked_at: T0 + i * 1000,
    completed: i < completed,
    duration_seconds: seconds,
    workflow_phase: phase,
  }));
}

async function count(store: Store): Promise<number> {
  return Number(
    (
      await store.db
        .selectFrom('skill_invocation')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
}

/** The error a call throws, for inspection. */
async function refusal(promise: Promise<unknown>): Promise<ValidationError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

for (const factory of storeFactories) {
  describe(`IDE protocol in process (${factory.name})`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await factory.create();
      await recordInvocations(store, [...runs('pytest-run', 10, 9, 4, 'execution'), ...runs('code-review', 4, 2, 60, 'verification')]);
    });
    afterEach(() => store.close());
    afterAll(() => factory.cleanup());

    it('ranks the code hint first with its history: duration estimated from completed runs, shortcut, reasons', async () => {
      const answer = await recommendForIde(store, {
        file_type: 'tests/test_app.py',
        activity: 'testing',
        query: 'run tests',
        code: 'import app\n\ndef test_home():\n    assert app.home()',
        line: 3,
        cursor: 4,
      });
      expect(answer.language).toBe('python');
      expect(answer.workflow_phase).toBe('execution');
      expect(answer.recommendations.map((r) => [r.rank, r.skill_name, r.source, r.score])).toEqual([
        // 0.5·0.95 + 0.2·½ + 0.15·10/12 + 0.1·1 + 0.05·1
        [1, 'pytest-run', 'both', 0.85],
        // 0.5·0.5 + 0.15·½ (never run)
        [2, 'ruff-check', 'code', 0.325],
        // 0.15·3/6 + 0.05·ln 5/ln 11
        [3, 'code-review', 'history', 0.1086],
      ]);
      expect(answer.recommendations[0]).toMatchObject({
        estimated_duration_seconds: 4,
        runs: 10,
        completion_rate: 0.9,
        keyboard_shortcut: 'Ctrl+Shift+T',
        reasons: [
          "test code at line 3 (the cursor's line): def test_home():",
          'matches "run" in the query',
          'completes 90% of 10 past runs',
          '100% of its runs in execution',
        ],
      });
    });

    it('records what the developer picked as an invocation with alternatives_considered and selection_rank', async () => {
      const report = await recordIdeFeedback(store, {
        feedback_id: 'f-1',
        session_id: 'vscode-7',
        user_id: 'dana',
        project: 'shop',
        activity: 'testing',
        query: 'run tests',
        recommended: ['pytest-run', 'ruff-check', 'code-review'],
        selected: 'ruff-check',
        completed: false,
        duration_seconds: 1.25,
        invoked_at: T0 + 60_000,
        error: 'E501 line too long',
      });
      expect(report).toEqual({
        invocation_id: 'ide:f-1',
        skill_name: 'ruff-check',
        selection_rank: 2,
        alternatives_considered: ['pytest-run', 'code-review'],
        recorded: true,
      });
      const [row] = (await listInvocations(store, { skill: 'ruff-check', limit: 5 })).items;
      expect(row).toMatchObject({
        id: 'ide:f-1',
        skill_name: 'ruff-check',
        session_id: 'vscode-7',
        user_id: 'dana',
        invoked_at: T0 + 60_000,
        completed: false,
        duration_seconds: 1.25,
        user_query: 'run tests',
        workflow_path: 'shop',
        workflow_phase: 'execution',
        workflow_step_id: 'testing',
        alternatives_considered: ['pytest-run', 'code-review'],
        selection_rank: 2,
        error_type: 'E501 line too long',
      });
      // Sent again (a retry), it is recorded once.
      expect(
        (
          await recordIdeFeedback(store, {
            feedback_id: 'f-1',
            session_id: 'vscode-7',
            recommended: ['pytest-run', 'ruff-check', 'code-review'],
            selected: 'ruff-check',
            completed: false,
            invoked_at: T0 + 60_000,
          })
        ).recorded,
      ).toBe(false);
      expect(await count(store)).toBe(15);
    });

    it('a pick that was not recommended has no selection_rank and every recommendation as alternatives', async () => {
      const report = await recordIdeFeedback(
        store,
        { session_id: 'vscode-7', recommended: ['pytest-run'], selected: 'black-format', completed: true },
        { now: () => T0 },
      );
      expect(report).toMatchObject({
        skill_name: 'black-format',
        selection_rank: null,
        alternatives_considered: ['pytest-run'],
        recorded: true,
      });
      expect((await listInvocations(store, { skill: 'black-format', limit: 1 })).items[0]).toMatchObject({
        invoked_at: T0,
        selection_rank: null,
        completed: true,
        error_type: null,
      });
    });

    it('shares the history read for a second (historyMaxAgeMs), and sees feedback at once', async () => {
      const runsOf = async (options?: { historyMaxAgeMs: number }) =>
        (await recommendForIde(store, { language: 'python', query: 'code review' }, options)).recommendations.find(
          (r) => r.skill_name === 'code-review',
        )?.runs;
      expect(await runsOf()).toBe(4);
      await recordInvocations(
        store,
        runs('code-review', 6, 6, 60, 'verification').map((item, i) => ({ ...item, id: `later-${i}` })),
      );
      expect(await runsOf()).toBe(4);
      expect(await runsOf({ historyMaxAgeMs: 0 })).toBe(10);
      await recordInvocations(store, [{ ...runs('code-review', 1, 1, 60, 'verification')[0]!, id: 'later-x' }]);
      await recordIdeFeedback(store, { session_id: 's', recommended: [], selected: 'code-review', completed: true });
      expect(await runsOf()).toBe(12);
    });

    it('refuses invalid context naming the field: line 0, a negative cursor, an unknown language or file type, a cursor past the line', async () => {
      const code = 'def test_a():\n    pass';
      expect((await refusal(recommendForIde(store, { language: 'python', code, line: 0 }))).issues).toEqual([
        { index: -1, field: 'line', message: 'expected a 1-based line number (≥ 1)' },
      ]);
      expect((await refusal(recommendForIde(store, { language: 'python', code, line: 1, cursor: -1 }))).issues).toEqual([
        { index: -1, field: 'cursor', message: 'expected a 0-based column (≥ 0)' },
      ]);
      expect((await refusal(recommendForIde(store, { language: 'cobol', code } as unknown as IdeContextInput))).issues).toEqual([
        { index: -1, field: 'language', message: 'expected one of python, javascript, typescript' },
      ]);
      expect((await refusal(recommendForIde(store, { file_type: 'main.rs' }))).issues).toEqual([
        {
          index: -1,
          field: 'file_type',
          message:
            'unknown language for "main.rs": expected a Python, JavaScript or TypeScript file (py, js, mjs, cjs, jsx, ts, mts, cts, tsx) or give language',
        },
      ]);
      expect((await refusal(recommendForIde(store, { language: 'python', code, line: 3 }))).issues).toEqual([
        { index: -1, field: 'line', message: 'expected at most 2 (the lines of code)' },
      ]);
      expect((await refusal(recommendForIde(store, { language: 'python', code, line: 2, cursor: 9 }))).issues).toEqual([
        { index: -1, field: 'cursor', message: 'expected at most 8 (the length of line 2)' },
      ]);
      expect((await refusal(recommendForIde(store, { language: 'python', editor: 'vim' } as IdeContextInput))).issues).toEqual([
        { index: -1, field: 'context', message: 'unknown field(s): editor' },
      ]);
    });

    it('refuses invalid feedback naming the field and writes nothing', async () => {
      const error = await refusal(
        recordIdeFeedback(store, {
          session_id: 'vscode-7',
          recommended: ['pytest-run'],
          selected: '',
          completed: 'yes',
        } as unknown as IdeFeedbackInput),
      );
      expect(error.issues).toEqual([
        { index: -1, field: 'selected', message: 'must not be empty' },
        { index: -1, field: 'completed', message: 'expected a boolean' },
      ]);
      expect(await count(store)).toBe(14);
    });
  });
}
