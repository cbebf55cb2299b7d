import { createIdeClient, IdeClientError } from '@skills/integrations';
import { listInvocations, recordInvocations, type Store } from '@skills/storage';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SkillsServer } from '../src/index.js';
import { countRows, postJson, serve, storeFactories } from './helpers.js';

const READ = 'ide-read-token-0123456789';
const WRITE = 'ide-write-token-0123456789';
const T0 = Date.UTC(2026, 11, 1, 10);

/** The error a client call throws. */
async function refusal(promise: Promise<unknown>): Promise<IdeClientError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof IdeClientError) return error;
    throw error;
  }
  throw new Error('expected an IdeClientError');
}

for (const factory of storeFactories) {
  describe(`IDE plugin protocol on the server, through createIdeClient (${factory.name})`, () => {
    let store: Store;
    let server: SkillsServer;
    beforeEach(async () => {
      store = (await factory.create()).store;
      await recordInvocations(
        store,
        Array.from({ length: 8 }, (_, i) => ({
          id: `v-${i}`,
          skill_name: 'vitest',
          session_id: 's',
          invoked_at: T0 + i,
          completed: i < 6,
          duration_seconds: 2.5,
          workflow_phase: 'execution',
        })),
      );
      server = await serve(store, factory.name, { readTokens: READ, writeTokens: WRITE });
    });
    afterEach(async () => {
      await server.close();
      await store.close();
    });
    afterAll(() => factory.cleanup());

    it('recommends from the code at the cursor and history, then records the pick with alternatives_considered and selection_rank', async () => {
      const reader = createIdeClient({ baseUrl: server.url, token: READ });
      const answer = await reader.recommend({
        file_type: 'src/cart.test.ts',
        project: 'shop',
        activity: 'testing',
        query: 'run vitest',
        code: "import { it } from 'vitest';\nit('totals', () => {\n  const total: number = sum([1, 2]);\n});",
        line: 2,
        cursor: 3,
      });
      expect(answer).toMatchObject({ language: 'typescript', workflow_phase: 'execution' });
      expect(answer.recommendations.map((r) => [r.rank, r.skill_name, r.source, r.score])).toEqual([
        // 0.5·0.95 + 0.2·1 ("vitest" in the query) + 0.15·7/10 + 0.1·1 + 0.05·1
        [1, 'vitest', 'both', 0.93],
        // 0.5·0.6 + 0.15·½
        [2, 'tsc-typecheck', 'code', 0.375],
        [3, 'eslint', 'code', 0.325],
      ]);
      expect(answer.recommendations[0]).toMatchObject({
        estimated_duration_seconds: 2.5,
        runs: 8,
        completion_rate: 0.75,
        keyboard_shortcut: 'Ctrl+Shift+T',
        description: 'Run the JavaScript/TypeScript tests with Vitest',
      });

      const writer = createIdeClient({ baseUrl: `${server.url}/`, token: WRITE });
      const report = await writer.feedback({
        feedback_id: 'vscode-42',
        session_id: 'vscode-session-1',
        user_id: 'dana',
        project: 'shop',
        activity: 'testing',
        query: 'run vitest',
        recommended: answer.recommendations.map((r) => r.skill_name),
        selected: 'tsc-typecheck',
        completed: true,
        duration_seconds: 6,
        invoked_at: T0 + 1000,
      });
      expect(report).toEqual({
        invocation_id: 'ide:vscode-42',
        skill_name: 'tsc-typecheck',
        selection_rank: 2,
        alternatives_considered: ['vitest', 'eslint'],
        recorded: true,
      });
      expect((await listInvocations(store, { skill: 'tsc-typecheck', limit: 2 })).items).toMatchObject([
        {
          id: 'ide:vscode-42',
          session_id: 'vscode-session-1',
          user_id: 'dana',
          completed: true,
          duration_seconds: 6,
          workflow_phase: 'execution',
          workflow_path: 'shop',
          alternatives_considered: ['vitest', 'eslint'],
          selection_rank: 2,
        },
      ]);
      // The loop closed: the pick now has history of its own.
      const next = await reader.recommend({ language: 'typescript', code: 'let n: number = 1;' });
      expect(next.recommendations[0]).toMatchObject({
        skill_name: 'tsc-typecheck',
        source: 'both',
        runs: 1,
        estimated_duration_seconds: 6,
      });
    });

    it('refuses a missing or wrong token with 401 and a read token for feedback with 403, writing nothing', async () => {
      const feedback = { session_id: 's', recommended: ['vitest'], selected: 'vitest', completed: true };
      expect((await refusal(createIdeClient({ baseUrl: server.url }).recommend({ language: 'python' }))).status).toBe(401);
      const wrong = await refusal(createIdeClient({ baseUrl: server.url, token: 'not-a-token-0123456789' }).feedback(feedback));
      expect([wrong.status, wrong.code]).toEqual([401, 'unauthorized']);
      const readOnly = await refusal(createIdeClient({ baseUrl: server.url, token: READ }).feedback(feedback));
      expect([readOnly.status, readOnly.code]).toEqual([403, 'forbidden']);
      expect(await countRows(store)).toBe(8);
    });

    it('answers 400 naming the field for bad context and bad feedback, and malformed JSON, writing nothing', async () => {
      const client = createIdeClient({ baseUrl: server.url, token: WRITE });
      const line = await refusal(client.recommend({ language: 'python', code: 'def test_a(): pass', line: 0 }));
      expect([line.status, line.code, line.issues]).toEqual([
        400,
        'validation_failed',
        [{ index: -1, field: 'line', message: 'expected a 1-based line number (≥ 1)' }],
      ]);
      const cursor = await refusal(client.recommend({ language: 'python', code: 'x', line: 1, cursor: -2 }));
      expect(cursor.issues).toEqual([{ index: -1, field: 'cursor', message: 'expected a 0-based column (≥ 0)' }]);
      const language = await refusal(client.recommend({ language: 'ruby' as 'python' }));
      expect(language.issues).toEqual([{ index: -1, field: 'language', message: 'expected one of python, javascript, typescript' }]);
      const feedback = await refusal(
        client.feedback({ session_id: 's', recommended: ['vitest'], selected: 'vitest', completed: true, duration_seconds: -1 }),
      );
      expect([feedback.status, feedback.issues]).toEqual([
        400,
        [{ index: -1, field: 'duration_seconds', message: 'Too small: expected number to be >=0' }],
      ]);
      const broken = await postJson(`${server.url}/v1/integrations/ide/feedback`, '{"session_id": "s",', {
        authorization: `Bearer ${WRITE}`,
      });
      expect(broken.status).toBe(400);
      expect(await countRows(store)).toBe(8);
    });
  });
}
