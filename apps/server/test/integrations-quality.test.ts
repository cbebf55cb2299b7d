import { listInvocations, type Store } from '@skills/storage';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SkillsServer } from '../src/index.js';
import { countRows, postJson, serve, storeFactories } from './helpers.js';

const READ = 'quality-read-token-0123456789';
const WRITE = 'quality-write-token-0123456789';
const auth = { authorization: `Bearer ${WRITE}` };
const START = Date.parse('2026-12-03T07:00:00Z');
const report = (): { run_id: string; started_at: string; project: string; checks: Record<string, unknown>[] } => ({
  run_id: 'cj-77',
  started_at: '2026-12-03T07:00:00Z',
  project: 'acme',
  checks: [
    { name: 'ruff-format', phase: 'fast_hooks', status: 'passed', duration_seconds: 1.5, files_processed: 30, files_modified: 1 },
    { name: 'pytest-coverage', phase: 'tests', status: 'failed', duration_seconds: 45, error: 'coverage 71% < 80%' },
    { name: 'complexity-check', phase: 'comprehensive_hooks', status: 'passed', duration_seconds: 3 },
  ],
});

for (const factory of storeFactories) {
  describe(`POST /v1/integrations/quality (${factory.name})`, () => {
    let store: Store;
    let server: SkillsServer;
    const url = () => `${server.url}/v1/integrations/quality`;
    beforeEach(async () => {
      store = (await factory.create()).store;
      server = await serve(store, factory.name, { readTokens: READ, writeTokens: WRITE, bodyLimitBytes: '16kb' });
    });
    afterEach(async () => {
      await server.close();
      await store.close();
    });
    afterAll(() => factory.cleanup());

    it('records a run as one session, the user from x-skills-user; the same report again writes nothing', async () => {
      const first = await postJson(url(), report(), { ...auth, 'x-skills-user': 'carol' });
      expect(first.status).toBe(200);
      expect(await first.json()).toEqual({ kind: 'run', session: 'crackerjack:cj-77', invocations: 3, recorded: 3, known: 0, skipped: 0 });
      const again = await postJson(url(), report(), auth);
      expect(await again.json()).toEqual({ kind: 'run', session: 'crackerjack:cj-77', invocations: 3, recorded: 0, known: 3, skipped: 0 });
      const rows = (await listInvocations(store, { order: 'asc', limit: 10 })).items;
      expect(
        rows.map((r) => [
          r.id,
          r.skill_name,
          r.user_id,
          r.invoked_at,
          r.completed,
          r.duration_seconds,
          r.workflow_phase,
          r.workflow_step_id,
          r.error_type,
        ]),
      ).toEqual([
        ['crackerjack:cj-77:fast_hooks:ruff-format', 'ruff-format', 'carol', START, true, 1.5, 'setup', 'fast_hooks', null],
        [
          'crackerjack:cj-77:tests:pytest-coverage',
          'pytest-coverage',
          'carol',
          START + 1500,
          false,
          45,
          'execution',
          'tests',
          'coverage 71% < 80%',
        ],
        [
          'crackerjack:cj-77:comprehensive_hooks:complexity-check',
          'complexity-check',
          'carol',
          START + 46_500,
          true,
          3,
          'verification',
          'comprehensive_hooks',
          null,
        ],
      ]);
    });

    it("accepts Crackerjack's skill_metrics.json", async () => {
      const metrics = {
        version: '1',
        generated_at: START,
        skills: {
          'pyright-check': [
            {
              invoked_at: START,
              completed_at: START + 800,
              duration_ms: 800,
              success: true,
              followup_actions: [],
              session_id: 'cj-s',
              metadata: {},
            },
          ],
        },
      };
      const response = await postJson(url(), metrics, auth);
      expect([response.status, await response.json()]).toEqual([
        200,
        { kind: 'skill-metrics', session: null, invocations: 1, recorded: 1, known: 0, skipped: 0 },
      ]);
    });

    it('answers 400 naming the field, and writes nothing', async () => {
      const bad = report();
      bad.checks[2] = { ...bad.checks[2]!, phase: 'final_hooks' };
      bad.checks[0] = { ...bad.checks[0]!, status: 'ok' };
      const response = await postJson(url(), bad, auth);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        error: {
          code: 'validation_failed',
          message:
            'input: checks[0].status: expected "passed"|"failed"|"error"|"timeout"|"skipped"; input: checks[2].phase: unknown crackerjack phase "final_hooks": expected "fast_hooks"|"tests"|"comprehensive_hooks"|"ai_fix"',
          issues: [
            { index: -1, field: 'checks[0].status', message: 'expected "passed"|"failed"|"error"|"timeout"|"skipped"' },
            {
              index: -1,
              field: 'checks[2].phase',
              message: 'unknown crackerjack phase "final_hooks": expected "fast_hooks"|"tests"|"comprehensive_hooks"|"ai_fix"',
            },
          ],
        },
      });
      const phase = report();
      phase.checks[2] = { ...phase.checks[2]!, phase: 'final_hooks' };
      expect(await (await postJson(url(), phase, auth)).json()).toMatchObject({
        error: {
          issues: [
            {
              field: 'checks[2].phase',
              message: 'unknown crackerjack phase "final_hooks": expected "fast_hooks"|"tests"|"comprehensive_hooks"|"ai_fix"',
            },
          ],
        },
      });
      const broken = await postJson(url(), '{"run_id": "x",', auth);
      expect([broken.status, ((await broken.json()) as { error: { code: string } }).error.code]).toEqual([400, 'invalid_json']);
      expect(await countRows(store)).toBe(0);
    });

    it('answers 401 without a write token, 403 with a read token, 413 over the body limit, 415 for another content type, writing nothing', async () => {
      expect((await postJson(url(), report())).status).toBe(401);
      expect((await postJson(url(), report(), { authorization: 'Bearer not-a-token-of-ours-000' })).status).toBe(401);
      expect((await postJson(url(), report(), { authorization: `Bearer ${READ}` })).status).toBe(403);
      const big = report();
      big.checks[0] = { ...big.checks[0]!, error: 'x'.repeat(900) };
      const huge = { ...big, checks: Array.from({ length: 30 }, (_, i) => ({ ...big.checks[0]!, name: `hook-${i}` })) };
      const tooLarge = await postJson(url(), huge, auth);
      expect([tooLarge.status, ((await tooLarge.json()) as { error: { code: string } }).error.code]).toEqual([413, 'payload_too_large']);
      const text = await fetch(url(), {
        method: 'POST',
        headers: { ...auth, 'content-type': 'text/plain' },
        body: JSON.stringify(report()),
      });
      expect(text.status).toBe(415);
      expect(await countRows(store)).toBe(0);
    });
  });
}
