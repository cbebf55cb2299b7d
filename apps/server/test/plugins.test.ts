import { openStore, recordInvocations, topSkills, type Store } from '@skills/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerPlugin, SkillsServer } from '../src/index.js';
import { invocation, serve } from './helpers.js';

const READ = 'read-token-0123456789';

/** A router as another package would mount it (MCP at /mcp, the dashboard). */
const busiest: ServerPlugin = async (app, { store, checkAccess }) => {
  app.get('/busiest', async (request) => {
    checkAccess(request, 'read');
    return (await topSkills(store, { limit: 1, since: 0 }))[0] ?? null;
  });
};

describe('plugins', () => {
  let store: Store;
  let server: SkillsServer;
  beforeAll(async () => {
    store = await openStore(':memory:');
    await recordInvocations(store, [invocation('p-1', Date.now() - 60_000)]);
    server = await serve(store, 'sqlite', { readTokens: READ }, { plugins: [busiest] });
  });
  afterAll(async () => {
    await server.close();
    await store.close();
  });

  it('mounts a router with one line, with the store and the API token checks', async () => {
    const refused = await fetch(`${server.url}/busiest`);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({
      error: { code: 'unauthorized', message: 'missing Authorization header: expected "Bearer <token>"' },
    });
    const answer = await fetch(`${server.url}/busiest`, { headers: { authorization: `Bearer ${READ}` } });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ skill_name: 'pytest-run', invocations: 1 });
  });
});
