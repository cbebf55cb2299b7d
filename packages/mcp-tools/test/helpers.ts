import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { recordInvocations, type InvocationInput, type Store } from '@skills/storage';
import { createStoreFactories, seededRandom } from '@skills/storage/testing';
import { createSkillsServer, type SkillsToolsDeps } from '../src/index.js';

/** SQLite always; PostgreSQL when SKILLS_TEST_PG_URL is set (CI sets it). */
export const storeFactories = createStoreFactories({ postgresUrl: process.env.SKILLS_TEST_PG_URL, prefix: 'skills-mcp-' });

/** The user-pseudonym secret the tests open stores with (the collaborative tools need one). */
export const SECRET = 'mcp-tools-test-secret-0123456789';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
/** Wednesday 11 March 2026, 12:30 UTC: "now" of every test. */
export const NOW = Date.UTC(2026, 2, 11, 12, 30);
/** The last complete hour ends here; trend windows end here. */
export const UNTIL = Date.UTC(2026, 2, 11, 12, 0);

/** A client of the full server over an in-memory transport pair. */
export async function connect(deps: SkillsToolsDeps): Promise<{ client: Client; close(): Promise<void> }> {
  const server = createSkillsServer(deps);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'mcp-tools-test', version: '1.0.0' });
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  return {
    client,
    async close() {
      await client.close();
      await server.close();
    },
  };
}

/** Call a tool; the client has already checked structuredContent against the tool's output schema. */
export async function call(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
): Promise<{ result: CallToolResult; data: Record<string, unknown> }> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  return { result, data: (result.structuredContent ?? {}) as Record<string, unknown> };
}

/**
 * pytest-run over the 5 days before UNTIL, 10 invocations a day completing 5, 6, 7, 8, 9 of 10
 * (each day a session with coverage-report, which completes every time); 260 invocations of
 * lint, git-commit, git-push and docker-build over 10 days with a seeded mix of outcomes; and in
 * the last half hour (after UNTIL) 3 git-commit (2 completed, 1.5 s and 2.5 s) and 1 pytest-run.
 */
export function seedInvocations(): InvocationInput[] {
  const items: InvocationInput[] = [];
  for (let day = 0; day < 5; day++) {
    const start = UNTIL - (5 - day) * DAY + 2 * HOUR;
    for (let i = 0; i < 10; i++) {
      const session = `trend-${day}-${i % 2}`;
      const user = `user-${i % 3}`;
      items.push({
        id: `pytest-${day}-${i}`,
        skill_name: 'pytest-run',
        session_id: session,
        user_id: user,
        invoked_at: start + i * 60_000,
        completed: i < 5 + day,
        duration_seconds: 10 + i,
        workflow_phase: 'verification',
        user_query: i % 2 === 0 ? 'run the failing auth tests' : 'run unit tests for the parser',
        error_type: i < 5 + day ? null : 'AssertionError',
      });
      items.push({
        id: `coverage-${day}-${i}`,
        skill_name: 'coverage-report',
        session_id: session,
        user_id: user,
        invoked_at: start + i * 60_000 + 30_000,
        completed: true,
        duration_seconds: 3,
        workflow_phase: 'verification',
        user_query: 'coverage for the auth tests',
      });
    }
  }
  const random = seededRandom(7);
  const skills = ['lint', 'git-commit', 'git-push', 'docker-build'];
  for (let i = 0; i < 260; i++) {
    const skill = skills[i % skills.length]!;
    const at = UNTIL - 10 * DAY + Math.floor(random() * (10 * DAY - 2 * HOUR));
    const rate = skill === 'docker-build' ? 0.4 : 0.85;
    items.push({
      id: `bulk-${i}`,
      skill_name: skill,
      session_id: `bulk-session-${Math.floor(i / 4)}`,
      user_id: `user-${(i * 7) % 5}`,
      invoked_at: at,
      completed: random() < rate,
      duration_seconds: Math.round(random() * 100) / 10,
      workflow_phase: skill === 'docker-build' ? 'execution' : 'setup',
      user_query: skill === 'docker-build' ? 'build the docker image for release' : `prepare the ${skill} step`,
    });
  }
  items.push(
    {
      id: 'recent-1',
      skill_name: 'git-commit',
      session_id: 'recent',
      user_id: 'user-0',
      invoked_at: UNTIL + 5 * 60_000,
      completed: true,
      duration_seconds: 1.5,
    },
    {
      id: 'recent-2',
      skill_name: 'git-commit',
      session_id: 'recent',
      user_id: 'user-0',
      invoked_at: UNTIL + 10 * 60_000,
      completed: true,
      duration_seconds: 2.5,
    },
    {
      id: 'recent-3',
      skill_name: 'git-commit',
      session_id: 'recent',
      user_id: 'user-0',
      invoked_at: UNTIL + 15 * 60_000,
      completed: false,
    },
    {
      id: 'recent-4',
      skill_name: 'pytest-run',
      session_id: 'recent',
      user_id: 'user-0',
      invoked_at: UNTIL + 20 * 60_000,
      completed: true,
      duration_seconds: 12,
    },
  );
  return items;
}

export async function seed(store: Store): Promise<InvocationInput[]> {
  const items = seedInvocations();
  await recordInvocations(store, items, { now: NOW });
  return items;
}
