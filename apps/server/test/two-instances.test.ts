import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invocation, PG_URL, postJson, spawnServer, WsClient, type ServerProcess } from './helpers.js';

/** A PostgreSQL URL whose connections use `schema` (created here, dropped after). */
function schemaUrl(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('options', `-c search_path=${schema}`);
  return parsed.toString();
}

describe.skipIf(!PG_URL)('two skills-server processes on one PostgreSQL', () => {
  const schema = `t_two_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  const servers: ServerProcess[] = [];
  beforeAll(async () => {
    await admin.connect();
    await admin.query(`create schema ${schema}`);
  });
  afterAll(async () => {
    for (const server of servers) if (server.child.exitCode === null) server.child.kill('SIGTERM');
    await Promise.all(servers.map((server) => server.exited));
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.end();
  });

  it('a batch posted to one reaches a WebSocket client of the other within a second', async () => {
    const url = schemaUrl(PG_URL!, schema);
    const secret = 'a-shared-secret-of-the-two-servers';
    // One after the other: the first migrates the schema.
    servers.push(await spawnServer(['--db', url, '--anomaly-job', 'off', '--log-level', 'warn'], { SKILLS_PSEUDONYM_SECRET: secret }));
    servers.push(await spawnServer(['--db', url, '--anomaly-job', 'off', '--log-level', 'warn'], { SKILLS_PSEUDONYM_SECRET: secret }));
    const [first, second] = servers as [ServerProcess, ServerProcess];

    const client = await WsClient.open(second.wsUrl);
    await client.next('connected');
    client.send({ type: 'subscribe', channel: 'invocations' });
    await client.next('subscription_confirmed');

    const response = await postJson(`${first.url}/v1/invocations`, [
      invocation('far-1', Date.now()),
      invocation('far-2', Date.now(), { skill_name: 'commit' }),
    ]);
    expect(response.status).toBe(201);
    const posted = Date.now();
    const message = await client.next('invocations', (m) => m.data.invocations.some((i: { id: string }) => i.id === 'far-1'), 5000);
    expect(Date.now() - posted).toBeLessThan(1000);
    expect(message.data.source).toBe('remote');
    expect(message.data.invocations.map((i: { id: string; skill_name: string }) => [i.id, i.skill_name])).toEqual([
      ['far-1', 'pytest-run'],
      ['far-2', 'commit'],
    ]);
    // The other instance reads the same rows.
    const top = (await (await fetch(`${second.url}/v1/skills/top`)).json()) as { skill_name: string; invocations: number }[];
    expect(top.map((s) => [s.skill_name, s.invocations])).toEqual([
      ['commit', 1],
      ['pytest-run', 1],
    ]);
    client.close();
  }, 150_000);
});
