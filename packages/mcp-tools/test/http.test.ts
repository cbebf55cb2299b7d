import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Store } from '@skills/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessFor, createMcpHttpHandler } from '../src/index.js';
import { NOW, SECRET, seed, storeFactories, UNTIL } from './helpers.js';

afterAll(async () => {
  for (const factory of storeFactories) await factory.cleanup();
});

describe('accessFor', () => {
  it('asks for write access only for tools that write', () => {
    const callOf = (name: string) => ({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: {} } });
    expect(accessFor(callOf('record_skill_invocation'))).toBe('write');
    expect(accessFor(callOf('record_ab_test_outcome'))).toBe('write');
    expect(accessFor(callOf('get_real_time_metrics'))).toBe('read');
    expect(accessFor({ jsonrpc: '2.0', id: 1, method: 'tools/list' })).toBe('read');
    expect(accessFor([callOf('get_skill_trend'), callOf('create_ab_test')])).toBe('write');
    expect(accessFor(undefined)).toBe('read');
  });
});

describe.each(storeFactories)('Streamable HTTP on a plain node:http server [$name]', (factory) => {
  let store: Store;
  let server: Server;
  let url: URL;
  beforeAll(async () => {
    ({ store } = await factory.create({ userPseudonymSecret: SECRET }));
    await seed(store);
    const handle = createMcpHttpHandler({ store, now: () => NOW });
    server = createServer((req, res) => {
      if (req.url === '/mcp') void handle(req, res);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`);
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await store.close();
  });

  it('answers the SDK client statelessly: two clients, no session id, same answers', async () => {
    const clients = await Promise.all(
      [1, 2].map(async (i) => {
        const client = new Client({ name: `http-test-${i}`, version: '1.0.0' });
        const transport = new StreamableHTTPClientTransport(url);
        await client.connect(transport);
        expect(transport.sessionId).toBeUndefined();
        return client;
      }),
    );
    try {
      const [a, b] = clients as [Client, Client];
      expect((await a.listTools()).tools.length).toBe(18);
      const first = (await a.callTool({ name: 'get_real_time_metrics', arguments: {} })) as CallToolResult;
      const second = (await b.callTool({ name: 'get_real_time_metrics', arguments: {} })) as CallToolResult;
      expect(second.structuredContent).toEqual(first.structuredContent);
      expect(first.structuredContent).toMatchObject({ success: true, message: 'Found 2 skills in the last 1 hours' });

      const recorded = (await b.callTool({
        name: 'record_skill_invocation',
        arguments: { id: 'http-1', skill_name: 'http-skill', session_id: 'h', invoked_at: UNTIL + 25 * 60_000, completed: true },
      })) as CallToolResult;
      expect(recorded.structuredContent).toEqual({ success: true, inserted: 1, duplicates: 0, ids: ['http-1'] });
      const after = (await a.callTool({ name: 'get_real_time_metrics', arguments: {} })) as CallToolResult;
      expect(after.structuredContent).toMatchObject({ message: 'Found 3 skills in the last 1 hours' });

      const bad = (await a.callTool({ name: 'get_skill_trend', arguments: { skill_name: 'pytest-run', days: 0 } })) as CallToolResult;
      expect(bad).toMatchObject({
        isError: true,
        structuredContent: { success: false, message: 'Invalid arguments for get_skill_trend: days: expected an integer from 1 to 366' },
      });
    } finally {
      await Promise.all(clients.map((client) => client.close()));
    }
  });

  it('GET and DELETE answer 405: there are no sessions to stream to or end', async () => {
    for (const method of ['GET', 'DELETE']) {
      const response = await fetch(url, { method, headers: { accept: 'text/event-stream' } });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
      expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/^Method not allowed/);
    }
  });
});
