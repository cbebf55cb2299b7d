import { writeFileSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { OTLPLogExporter as JsonExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { listInvocations, type Store } from '@skills/storage';
import { encodeLogsRequest } from '@skills/integrations';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, type SkillsServer } from '../src/index.js';
import { countRows, postJson, serve, storeFactories } from './helpers.js';

const WRITE = 'w'.repeat(24);
const SESSION = 'sess-0001';
const auth = { authorization: `Bearer ${WRITE}` };

/** A hook input as Claude Code posts it (docs/hooks.md). */
const hook = (event: string, more: Record<string, unknown> = {}) => ({
  session_id: SESSION,
  prompt_id: 'p1',
  cwd: '/work/app',
  hook_event_name: event,
  tool_name: 'Skill',
  tool_input: { skill: 'pdf' },
  tool_use_id: 'toolu_e2e1',
  ...more,
});

/** Log records the way Claude Code emits them, through the real OpenTelemetry SDK and exporter (0.223, Node 20). */
async function exportToolResult(exporter: JsonExporter | ProtoExporter, toolUseId: string, skill: string) {
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'claude-code', 'service.version': '2.1.0' }),
    processors: [new BatchLogRecordProcessor({ exporter })],
  });
  provider.getLogger('com.anthropic.claude_code.events').emit({
    body: 'claude_code.tool_result',
    timestamp: Date.UTC(2026, 11, 2, 9),
    attributes: {
      'event.name': 'tool_result',
      'session.id': SESSION,
      'user.id': 'u-42',
      'app.version': '2.1.0',
      tool_name: 'Skill',
      tool_use_id: toolUseId,
      success: 'false',
      duration_ms: 1500,
      error_type: 'skill_error',
      tool_parameters: JSON.stringify({ skill_name: skill }),
    },
  });
  await provider.forceFlush();
  await provider.shutdown();
}

for (const factory of storeFactories) {
  describe(`Claude Code on the server (${factory.name})`, () => {
    let store: Store;
    let server: SkillsServer;
    beforeEach(async () => {
      store = (await factory.create()).store;
      server = await serve(store, factory.name, { writeTokens: WRITE });
    });
    afterEach(async () => {
      await server.close();
      await store.close();
    });
    afterAll(() => factory.cleanup());

    const hooksUrl = () => `${server.url}/v1/integrations/claude-code/hooks`;

    it('records a skill run from its PreToolUse and PostToolUse hooks, with the user from x-skills-user', async () => {
      const opened = await postJson(hooksUrl(), hook('PreToolUse'), { ...auth, 'x-skills-user': 'alice' });
      expect(opened.status).toBe(200);
      expect(await opened.json()).toMatchObject({ received: 1, opened: 1, recorded: 0 });
      const closed = await postJson(hooksUrl(), hook('PostToolUse', { tool_response: {}, duration_ms: 2500 }), {
        ...auth,
        'x-skills-user': 'alice',
      });
      expect(await closed.json()).toMatchObject({ recorded: 1 });
      const [row] = (await listInvocations(store, { limit: 5 })).items;
      expect(row).toMatchObject({
        id: 'cc:toolu_e2e1',
        skill_name: 'pdf',
        user_id: 'alice',
        session_id: SESSION,
        completed: true,
        duration_seconds: 2.5,
      });
    });

    it('takes OTLP logs from the real exporter, as JSON and as protobuf, joined with the hooks by tool_use_id', async () => {
      await postJson(hooksUrl(), hook('PreToolUse', { tool_use_id: 'toolu_json' }), auth);
      await exportToolResult(new JsonExporter({ url: `${server.url}/v1/logs`, headers: auth }), 'toolu_json', 'pdf');
      await exportToolResult(new ProtoExporter({ url: `${server.url}/v1/logs`, headers: auth }), 'toolu_proto', 'xlsx');
      const rows = new Map((await listInvocations(store, { limit: 10 })).items.map((r) => [r.id, r]));
      expect(rows.get('cc:toolu_json')).toMatchObject({
        skill_name: 'pdf',
        completed: false,
        error_type: 'skill_error',
        duration_seconds: 1.5,
      });
      expect(rows.get('cc:toolu_proto')).toMatchObject({ skill_name: 'xlsx', user_id: 'u-42', completed: false });
      expect(rows.size).toBe(2);
      const sources = await store.db
        .selectFrom('integration_runs')
        .select(['invocation_id', 'sources', 'client_version'])
        .orderBy('invocation_id')
        .execute();
      expect(sources).toEqual([
        { invocation_id: 'cc:toolu_json', sources: 'hooks,otlp', client_version: '2.1.0' },
        { invocation_id: 'cc:toolu_proto', sources: 'otlp', client_version: '2.1.0' },
      ]);
    });

    it('reads gzip OTLP bodies and answers a partial success naming what it refused', async () => {
      const request = {
        resourceLogs: [
          {
            scopeLogs: [
              {
                logRecords: [
                  {
                    body: { stringValue: 'claude_code.tool_result' },
                    attributes: [
                      { key: 'session.id', value: { stringValue: SESSION } },
                      { key: 'tool_name', value: { stringValue: 'Skill' } },
                      { key: 'tool_use_id', value: { stringValue: 'toolu_gz' } },
                      { key: 'success', value: { stringValue: 'true' } },
                      { key: 'tool_parameters', value: { stringValue: '{"skill_name":"docx"}' } },
                    ],
                  },
                ],
              },
            ],
          },
        ],
      };
      const response = await fetch(`${server.url}/v1/logs`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json', 'content-encoding': 'gzip' },
        body: gzipSync(JSON.stringify(request)),
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({});
      expect((await listInvocations(store, { limit: 5 })).items.map((r) => r.skill_name)).toEqual(['docx']);
    });

    it('refuses bad input with the right status and writes nothing', async () => {
      expect((await postJson(hooksUrl(), hook('PreToolUse'))).status).toBe(401);
      expect((await postJson(hooksUrl(), hook('PreToolUse'), { authorization: 'Bearer wrong-token-of-24-chars' })).status).toBe(401);
      const malformed = await postJson(hooksUrl(), '{"hook_event_name": ', auth);
      expect(malformed.status).toBe(400);
      const noId = await postJson(hooksUrl(), hook('PostToolUse', { tool_use_id: undefined }), auth);
      expect(noId.status).toBe(400);
      expect(await noId.json()).toMatchObject({ error: { code: 'validation_failed', issues: [{ index: 0, field: 'tool_use_id' }] } });
      const unknown = await postJson(hooksUrl(), hook('SomethingNew'), auth);
      expect(unknown.status).toBe(200);
      expect(await unknown.json()).toMatchObject({ ignored: { 'unknown hook event SomethingNew': 1 } });
      const text = await fetch(hooksUrl(), { method: 'POST', headers: { ...auth, 'content-type': 'text/plain' }, body: 'x' });
      expect(text.status).toBe(415);
      const big = await postJson(hooksUrl(), hook('PreToolUse', { padding: 'x'.repeat(1_100_000) }), auth);
      expect(big.status).toBe(413);
      const notLogs = await postJson(`${server.url}/v1/logs`, { resourceLogs: 'nope' }, auth);
      expect(notLogs.status).toBe(400);
      expect(await notLogs.json()).toEqual({ code: 3, message: 'not an OTLP logs request: resourceLogs: expected an array' });
      const garbage = await fetch(`${server.url}/v1/logs`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/x-protobuf' },
        body: Buffer.from([0xff, 0xff, 0xff, 0x01]),
      });
      expect(garbage.status).toBe(400);
      expect(await countRows(store)).toBe(0);
      expect(await store.db.selectFrom('integration_pending').selectAll().execute()).toEqual([]);
    });

    it('a protobuf body the test encodes itself gives the same run as the JSON one', async () => {
      const request = {
        resourceLogs: [
          {
            scopeLogs: [
              {
                logRecords: [
                  {
                    eventName: 'claude_code.tool_result',
                    timeUnixNano: String(BigInt(Date.UTC(2026, 11, 2)) * 1_000_000n),
                    attributes: [
                      { key: 'session.id', value: { stringValue: SESSION } },
                      { key: 'tool_name', value: { stringValue: 'Agent' } },
                      { key: 'tool_use_id', value: { stringValue: 'toolu_pb' } },
                      { key: 'success', value: { stringValue: 'true' } },
                      { key: 'duration_ms', value: { intValue: '3000' } },
                      { key: 'tool_parameters', value: { stringValue: '{"subagent_type":"planner"}' } },
                    ],
                  },
                ],
              },
            ],
          },
        ],
      };
      const response = await fetch(`${server.url}/v1/logs`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/x-protobuf' },
        body: Buffer.from(encodeLogsRequest(request)),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/x-protobuf');
      expect((await listInvocations(store, { limit: 5 })).items).toMatchObject([
        { id: 'cc:toolu_pb', skill_name: 'agent:planner', invoked_at: Date.UTC(2026, 11, 2) - 3000, duration_seconds: 3 },
      ]);
    });
  });
}

/** A port nobody listens on right now. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('Claude Code phases and the OTLP port (sqlite)', () => {
  const factory = storeFactories.find((f) => f.name === 'sqlite')!;
  const dir = mkdtempSync(join(tmpdir(), 'skills-phases-'));

  it('gives skills the phase the rules file names, and serves OTLP logs on their own port', async () => {
    const rules = join(dir, 'phases.json');
    writeFileSync(rules, JSON.stringify({ 'pdf*': 'execution' }));
    const { store } = await factory.create();
    const otlpPort = await freePort();
    const server = await serve(store, 'sqlite', { writeTokens: WRITE, claudeCodePhasesFile: rules, otlpPort: String(otlpPort) });
    try {
      await postJson(`${server.url}/v1/integrations/claude-code/hooks`, hook('PostToolUse', { tool_response: {} }), auth);
      await exportToolResult(new JsonExporter({ url: `http://127.0.0.1:${otlpPort}/v1/logs`, headers: auth }), 'toolu_port', 'xlsx');
      const rows = new Map((await listInvocations(store, { limit: 5 })).items.map((r) => [r.id, r]));
      expect(rows.get('cc:toolu_e2e1')).toMatchObject({ skill_name: 'pdf', workflow_phase: 'execution' });
      expect(rows.get('cc:toolu_port')).toMatchObject({ skill_name: 'xlsx', workflow_phase: null });
      expect(
        (
          await fetch(`http://127.0.0.1:${otlpPort}/v1/logs`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{}',
          })
        ).status,
      ).toBe(401);
    } finally {
      await server.close();
      await store.close();
    }
  });

  it('names the flag and the file when the rules are wrong', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ pdf: 7 }));
    const { store } = await factory.create();
    try {
      await expect(serve(store, 'sqlite', { claudeCodePhasesFile: bad })).rejects.toThrow(
        new ConfigError('--claude-code-phases', `${bad}: pdf: expected a phase name (a non-empty string of at most 100 characters)`),
      );
      await expect(serve(store, 'sqlite', { claudeCodePhasesFile: join(dir, 'missing.json') })).rejects.toThrow(ConfigError);
    } finally {
      await store.close();
    }
  });
});
