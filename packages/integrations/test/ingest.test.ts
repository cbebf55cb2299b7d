import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listInvocations, type Store } from '@skills/storage';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createClaudeCodeIngest, importTranscripts, invocationIdOf, type ClaudeCodeIngest } from '../src/index.js';
import * as f from './fixtures/claude-code.js';
import { storeFactories } from './helpers.js';

const T = Date.UTC(2026, 11, 2, 10);

for (const factory of storeFactories) {
  describe(`Claude Code ingest (${factory.name})`, () => {
    let store: Store;
    let now: number;
    let ingest: ClaudeCodeIngest;
    beforeEach(async () => {
      store = await factory.create();
      now = T;
      ingest = createClaudeCodeIngest(store, { now: () => now, abandonAfterMs: 60_000, placeholderGraceMs: 10_000 });
    });
    afterAll(() => factory.cleanup());

    const rows = async () => (await listInvocations(store, { limit: 100 })).items;
    const run = (id: string) => store.db.selectFrom('integration_runs').selectAll().where('invocation_id', '=', id).executeTakeFirst();

    it('records a skill run when it ends: start from PreToolUse, duration from the close', async () => {
      expect(await ingest.hooks(f.preSkill, { userId: 'alice' })).toMatchObject({ received: 1, opened: 1, recorded: 0 });
      expect(await ingest.pending()).toBe(1);
      now = T + 5000;
      expect(await ingest.hooks(f.postSkill, { userId: 'alice' })).toMatchObject({ recorded: 1 });
      const [row] = await rows();
      expect(row).toMatchObject({
        id: invocationIdOf(f.TOOL_USE),
        skill_name: 'pdf',
        session_id: f.SESSION,
        user_id: 'alice',
        invoked_at: T,
        completed: true,
        duration_seconds: 4.2,
        error_type: null,
      });
      expect(await ingest.pending()).toBe(0);
      expect(await run(invocationIdOf(f.TOOL_USE))).toMatchObject({
        source: 'hooks',
        sources: 'hooks',
        tool_name: 'Skill',
        project: '/home/alice/app',
      });
    });

    it('records a close without an open, and a failure with its error type', async () => {
      await ingest.hooks([f.olderPost, f.failedSkill]);
      const byId = new Map((await rows()).map((r) => [r.id, r]));
      expect(byId.get('cc:toolu_04old')).toMatchObject({ skill_name: 'xlsx', completed: true, duration_seconds: null, invoked_at: T });
      expect(byId.get('cc:toolu_02fail')).toMatchObject({
        skill_name: 'pdf',
        completed: false,
        error_type: 'Exit code 1',
        duration_seconds: 0.9,
        invoked_at: T - 900,
      });
    });

    it('records an open run as abandoned when no close arrives in time (kept in the store across restarts)', async () => {
      await ingest.hooks(f.subagentPre);
      const restarted = createClaudeCodeIngest(store, { now: () => now, abandonAfterMs: 60_000 });
      now = T + 30_000;
      expect(await restarted.sweep()).toBe(0);
      now = T + 61_000;
      expect(await restarted.sweep()).toBe(1);
      expect((await rows())[0]).toMatchObject({
        skill_name: 'agent:code-reviewer',
        completed: false,
        error_type: 'timeout',
        duration_seconds: null,
      });
      expect(await restarted.pending()).toBe(0);
    });

    it('a typed /name ends with the turn; a session end abandons what is still open', async () => {
      await ingest.hooks(f.slashExpansion);
      await ingest.hooks(f.preSkill);
      now = T + 8000;
      await ingest.hooks(f.stop);
      expect(await rows()).toMatchObject([{ skill_name: 'deploy', completed: true, duration_seconds: 8 }]);
      await ingest.hooks(f.sessionEnd);
      const all = await rows();
      expect(all.find((r) => r.skill_name === 'pdf')).toMatchObject({ completed: false, error_type: 'session_ended' });
    });

    it('keeps prompts only when asked', async () => {
      await ingest.hooks([f.promptSubmit, f.postSkill]);
      expect((await rows())[0]!.user_query).toBeNull();
      const withPrompts = createClaudeCodeIngest(store, { now: () => now, recordPrompts: true });
      await withPrompts.hooks([f.promptSubmit, { ...f.postSkill, tool_use_id: 'toolu_p2' }]);
      expect((await rows()).find((r) => r.id === 'cc:toolu_p2')!.user_query).toBe('summarise the quarterly report');
    });

    it('one run reported by hooks, OpenTelemetry and a transcript is one invocation', async () => {
      await ingest.hooks(f.preSkill);
      now = T + 4300;
      await ingest.hooks(f.postSkill);
      const report = await ingest.logs(f.otlpJson([{ name: 'tool_result', attributes: f.toolResultAttributes, timeMs: T + 4250 }]));
      expect(report).toMatchObject({ received: 1, recorded: 0, joined: 1 });
      const dir = mkdtempSync(join(tmpdir(), 'cc-projects-'));
      mkdirSync(join(dir, '-home-alice-app'));
      const file = join(dir, '-home-alice-app', `${f.SESSION}.jsonl`);
      writeFileSync(
        file,
        [
          JSON.stringify({
            type: 'assistant',
            sessionId: f.SESSION,
            timestamp: new Date(T).toISOString(),
            message: { content: [{ type: 'tool_use', id: f.TOOL_USE, name: 'Skill', input: { skill: 'pdf' } }] },
          }),
          JSON.stringify({
            type: 'user',
            sessionId: f.SESSION,
            timestamp: new Date(T + 4200).toISOString(),
            message: { content: [{ type: 'tool_result', tool_use_id: f.TOOL_USE, content: 'ok' }] },
          }),
        ].join('\n'),
      );
      utimesSync(file, new Date(T - 3_600_000), new Date(T - 3_600_000));
      const [summary] = await importTranscripts(store, dir, { now: T + 10_000 });
      expect(summary).toMatchObject({ project: '-home-alice-app', files: 1, runs: 1, recorded: 0, alreadyKnown: 1 });
      expect(await rows()).toHaveLength(1);
      expect((await run(invocationIdOf(f.TOOL_USE)))!.sources).toBe('hooks,otlp,transcript');
    });

    it('an OpenTelemetry close with the placeholder name waits for a hook to name the skill', async () => {
      const placeholder = { ...f.toolResultAttributes, tool_parameters: '{}' };
      await ingest.logs(f.otlpJson([{ name: 'tool_result', attributes: placeholder, timeMs: T }]));
      expect(await rows()).toHaveLength(0);
      await ingest.hooks(f.postSkill);
      expect(await rows()).toMatchObject([{ skill_name: 'pdf' }]);
      // Without a hook, the grace ends and the placeholder name is used.
      await ingest.logs(f.otlpJson([{ name: 'tool_result', attributes: { ...placeholder, tool_use_id: 'toolu_lonely' }, timeMs: T }]));
      now = T + 11_000;
      expect(await ingest.sweep()).toBe(1);
      expect((await rows()).find((r) => r.id === 'cc:toolu_lonely')).toMatchObject({
        skill_name: 'custom_skill',
        completed: true,
        duration_seconds: 4.2,
      });
    });

    it('refuses a run that breaks the storage rules alone, writing the others of the delivery', async () => {
      const long = { ...f.postSkill, tool_use_id: 'toolu_long', tool_input: { skill: 'x'.repeat(300) } };
      const report = await ingest.hooks([long, f.olderPost]);
      expect(report.recorded).toBe(1);
      expect(report.rejected).toEqual([{ index: -1, field: 'skill_name', message: expect.stringMatching(/^run toolu_long: /) }]);
      expect((await rows()).map((r) => r.id)).toEqual(['cc:toolu_04old']);
      expect(await run('cc:toolu_long')).toBeUndefined();
    });

    it('writes nothing for rejected or ignored records and says why', async () => {
      const report = await ingest.hooks([
        { ...f.preSkill, tool_use_id: undefined },
        { ...f.preSkill, hook_event_name: 'Unheard' },
        f.bashPre,
      ]);
      expect(report).toMatchObject({
        received: 3,
        recorded: 0,
        opened: 0,
        rejected: [{ index: 0, field: 'tool_use_id', message: 'required on PreToolUse: it keys the skill run' }],
        ignored: { 'unknown hook event Unheard': 1, 'PreToolUse of Bash (not a skill)': 1 },
      });
      expect(await ingest.pending()).toBe(0);
      expect(await rows()).toHaveLength(0);
    });
  });
}
