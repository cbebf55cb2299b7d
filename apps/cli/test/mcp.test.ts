import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { listInvocations, openStore } from '@skills/storage';
import { describe, expect, it } from 'vitest';
import { BIN, tempDir } from './helpers.js';

describe('skills mcp', () => {
  it('serves every tool over stdio to the SDK client, records an invocation and reads it back', async () => {
    const db = join(tempDir(), 'mcp.db');
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, 'mcp', '--db', db],
      env: { PATH: process.env.PATH ?? '', SKILLS_PSEUDONYM_SECRET: 'stdio-test-secret-0123456789' },
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const client = new Client({ name: 'stdio-test', version: '1.0.0' });
    await client.connect(transport);
    try {
      expect(client.getServerVersion()?.name).toBe('skills');
      const { tools } = await client.listTools();
      expect(tools.length).toBe(18);
      expect(tools.every((t) => t.inputSchema.type === 'object' && t.outputSchema?.type === 'object')).toBe(true);

      const at = Date.now() - 60_000;
      const recorded = (await client.callTool({
        name: 'record_skill_invocation',
        arguments: { id: 'stdio-1', skill_name: 'pytest-run', session_id: 's1', user_id: 'ann', invoked_at: at, completed: true, duration_seconds: 2 },
      })) as CallToolResult;
      expect(recorded.structuredContent).toEqual({ success: true, inserted: 1, duplicates: 0, ids: ['stdio-1'] });

      const metrics = (await client.callTool({ name: 'get_real_time_metrics', arguments: {} })) as CallToolResult;
      expect(metrics.structuredContent).toMatchObject({
        success: true,
        message: 'Found 1 skills in the last 1 hours',
        top_skills: [{ skill_name: 'pytest-run', invocation_count: 1, completed_count: 1, avg_duration: 2, last_invocation_at: new Date(at).toISOString() }],
      });

      const bad = (await client.callTool({ name: 'get_real_time_metrics', arguments: { limit: -1 } })) as CallToolResult;
      expect(bad.isError).toBe(true);
      expect(bad.structuredContent).toMatchObject({ success: false, message: 'Invalid arguments for get_real_time_metrics: limit: expected an integer from 1 to 1000' });
    } finally {
      await client.close();
    }
    expect(stderr).toBe('');
    const store = await openStore(db, { userPseudonymSecret: 'stdio-test-secret-0123456789' });
    try {
      expect((await listInvocations(store)).items.map((i) => i.id)).toEqual(['stdio-1']);
    } finally {
      await store.close();
    }
  });
});
