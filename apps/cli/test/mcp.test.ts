import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { exerciseEveryTool } from '@skills/mcp-tools/testing';
import { savePredictor, trainPredictor } from '@skills/predictor';
import { listInvocations, openStore, recordInvocations } from '@skills/storage';
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
        arguments: {
          id: 'stdio-1',
          skill_name: 'pytest-run',
          session_id: 's1',
          user_id: 'ann',
          invoked_at: at,
          completed: true,
          duration_seconds: 2,
        },
      })) as CallToolResult;
      expect(recorded.structuredContent).toEqual({ success: true, inserted: 1, duplicates: 0, ids: ['stdio-1'] });

      const metrics = (await client.callTool({ name: 'get_real_time_metrics', arguments: {} })) as CallToolResult;
      expect(metrics.structuredContent).toMatchObject({
        success: true,
        message: 'Found 1 skills in the last 1 hours',
        top_skills: [
          {
            skill_name: 'pytest-run',
            invocation_count: 1,
            completed_count: 1,
            avg_duration: 2,
            last_invocation_at: new Date(at).toISOString(),
          },
        ],
      });

      const bad = (await client.callTool({ name: 'get_real_time_metrics', arguments: { limit: -1 } })) as CallToolResult;
      expect(bad.isError).toBe(true);
      expect(bad.structuredContent).toMatchObject({
        success: false,
        message: 'Invalid arguments for get_real_time_metrics: limit: expected an integer from 1 to 1000',
      });
    } finally {
      await client.close();
    }
    // No tool failed unexpectedly (those are reported on stderr as `skills mcp: <tool>: …`).
    expect(stderr).not.toContain('skills mcp:');
    const store = await openStore(db, { userPseudonymSecret: 'stdio-test-secret-0123456789' });
    try {
      expect((await listInvocations(store)).items.map((i) => i.id)).toEqual(['stdio-1']);
    } finally {
      await store.close();
    }
  });

  it('holds every tool over stdio to the in-memory checks: listed schemas, a valid call, a bad one', async () => {
    const db = join(tempDir(), 'every-tool.db');
    const secret = 'stdio-test-secret-0123456789';
    const seeded = await openStore(db, { userPseudonymSecret: secret });
    const now = Date.now();
    const items = Array.from({ length: 240 }, (_, i) => ({
      skill_name: ['pytest-run', 'lint', 'git-commit'][i % 3]!,
      session_id: `session-${Math.floor(i / 3)}`,
      user_id: `user-${i % 7}`,
      invoked_at: now - (240 - i) * 600_000,
      completed: i % 5 !== 0,
      duration_seconds: 1 + (i % 4),
      workflow_phase: 'execution',
      user_query: i % 2 === 0 ? 'run the auth tests' : 'lint the parser',
    }));
    await recordInvocations(seeded, items);
    await savePredictor(seeded, await trainPredictor(seeded, { trees: 5 }));
    await seeded.close();

    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, 'mcp', '--db', db],
      env: { PATH: process.env.PATH ?? '', SKILLS_PSEUDONYM_SECRET: secret },
      stderr: 'pipe',
    });
    const client = new Client({ name: 'stdio-every-tool', version: '1.0.0' });
    await client.connect(transport);
    try {
      const reports = await exerciseEveryTool(client, {
        skill: 'pytest-run',
        session: 'session-0',
        user: 'user-1',
        word: 'auth',
        experiment: 'stdio-exercise',
        model: true,
      });
      expect(reports.length).toBe(18);
    } finally {
      await client.close();
    }
  });
});
