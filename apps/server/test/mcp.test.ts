import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { exerciseEveryTool } from '@skills/mcp-tools/testing';
import { recordInvocations } from '@skills/storage';
import { afterAll, describe, expect, it } from 'vitest';
import { countRows, serve, storeFactories, WsClient } from './helpers.js';

const SECRET = 'server-mcp-test-secret-0123456789';
const READER = 'reader-token-0123456789';
const WRITER = 'writer-token-0123456789';

afterAll(async () => {
  for (const factory of storeFactories) await factory.cleanup();
});

async function connect(url: string, token?: string): Promise<Client> {
  const client = new Client({ name: 'server-mcp-test', version: '1.0.0' });
  const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
  await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers } }));
  return client;
}

describe.each(storeFactories)('MCP at /mcp of the real server [$name]', (factory) => {
  it('serves every tool over Streamable HTTP behind the read and write tokens', async () => {
    const { store } = await factory.create({ userPseudonymSecret: SECRET });
    const server = await serve(store, factory.name, { readTokens: READER, writeTokens: WRITER });
    try {
      // No token: 401 before anything is read.
      const anonymous = await fetch(`${server.url}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');

      const reader = await connect(server.url, READER);
      const writer = await connect(server.url, WRITER);
      try {
        expect((await reader.listTools()).tools.length).toBe(18);
        // A read token cannot record …
        const at = Date.now() - 60_000;
        const args = {
          id: 'mcp-http-1',
          skill_name: 'pytest-run',
          session_id: 's1',
          user_id: 'alice',
          invoked_at: at,
          completed: true,
          duration_seconds: 3,
        };
        await expect(reader.callTool({ name: 'record_skill_invocation', arguments: args })).rejects.toThrow(
          'this token may read but not write: use a write token',
        );
        expect(await countRows(store)).toBe(0);
        // … a write token can; a subscriber of the WebSocket feed hears of it, and a read token then sees it.
        const feed = await WsClient.open(`${server.wsUrl}?token=${READER}`);
        await feed.next('connected');
        feed.send({ type: 'subscribe', channel: 'invocations' });
        await feed.next('subscription_confirmed');
        const recorded = (await writer.callTool({ name: 'record_skill_invocation', arguments: args })) as CallToolResult;
        expect(recorded.structuredContent).toEqual({ success: true, inserted: 1, duplicates: 0, ids: ['mcp-http-1'] });
        const tail = await feed.next('invocations', (m) => m.data.invocations.some((i: { id: string }) => i.id === 'mcp-http-1'));
        expect(tail.data.invocations).toEqual([
          expect.objectContaining({ id: 'mcp-http-1', skill_name: 'pytest-run', completed: true, duration_seconds: 3, session_id: 's1' }),
        ]);
        feed.close();
        const metrics = (await reader.callTool({ name: 'get_real_time_metrics', arguments: {} })) as CallToolResult;
        expect(metrics.structuredContent).toMatchObject({
          success: true,
          message: 'Found 1 skills in the last 1 hours',
          top_skills: [
            {
              skill_name: 'pytest-run',
              invocation_count: 1,
              completed_count: 1,
              avg_duration: 3,
              last_invocation_at: new Date(at).toISOString(),
            },
          ],
        });
        const trend = (await reader.callTool({ name: 'get_skill_trend', arguments: { skill_name: 'nope' } })) as CallToolResult;
        expect(trend).toMatchObject({ isError: true, structuredContent: { success: false, message: 'skill not found: nope' } });
      } finally {
        await reader.close();
        await writer.close();
      }
    } finally {
      await server.close();
      await store.close();
    }
  });

  it('holds every tool over Streamable HTTP to the in-memory checks: listed schemas, a valid call, a bad one', async () => {
    const { store } = await factory.create({ userPseudonymSecret: SECRET });
    const now = Date.now();
    await recordInvocations(
      store,
      Array.from({ length: 60 }, (_, i) => ({
        skill_name: ['pytest-run', 'lint'][i % 2]!,
        session_id: `session-${Math.floor(i / 2)}`,
        user_id: `user-${i % 5}`,
        invoked_at: now - (60 - i) * 600_000,
        completed: i % 4 !== 0,
        duration_seconds: 2,
        user_query: 'run the auth tests',
      })),
    );
    const server = await serve(store, factory.name, { readTokens: READER, writeTokens: WRITER });
    const client = await connect(server.url, WRITER);
    try {
      const reports = await exerciseEveryTool(client, {
        skill: 'pytest-run',
        session: 'session-0',
        user: 'user-1',
        word: 'auth',
        experiment: 'http-exercise',
        model: false,
      });
      expect(reports.length).toBe(18);
    } finally {
      await client.close();
      await server.close();
      await store.close();
    }
  });
});
