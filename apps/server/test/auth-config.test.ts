import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '@skills/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, openServerStore, resolveServerConfig, type SkillsServer } from '../src/index.js';
import { countRows, invocation, postJson, serve } from './helpers.js';

const READ = 'read-token-0123456789';
const WRITE = 'write-token-0123456789';
const T0 = Date.UTC(2026, 11, 1, 10);

describe('bearer tokens', () => {
  let store: Store;
  let server: SkillsServer;
  beforeAll(async () => {
    store = await openStore(':memory:');
    server = await serve(store, 'sqlite', { readTokens: READ, writeTokens: WRITE });
  });
  afterAll(async () => {
    await server.close();
    await store.close();
  });

  it('refuses a read without a token with 401 and WWW-Authenticate: Bearer', async () => {
    const response = await fetch(`${server.url}/v1/skills/top`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(await response.json()).toEqual({
      error: { code: 'unauthorized', message: 'missing Authorization header: expected "Bearer <token>"' },
    });
  });

  it('refuses a wrong token, a token in the query string and a malformed header with 401', async () => {
    const wrong = await fetch(`${server.url}/v1/skills/top`, { headers: { authorization: 'Bearer read-token-0123456788' } });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: { code: 'unauthorized', message: 'unknown token' } });
    const query = await fetch(`${server.url}/v1/skills/top?token=${READ}`);
    expect(query.status).toBe(401);
    const basic = await fetch(`${server.url}/v1/skills/top`, { headers: { authorization: `Basic ${READ}` } });
    expect(basic.status).toBe(401);
    expect(await basic.json()).toEqual({ error: { code: 'unauthorized', message: 'Authorization header: expected "Bearer <token>"' } });
  });

  it('lets a read token and a write token read', async () => {
    for (const token of [READ, WRITE]) {
      const response = await fetch(`${server.url}/v1/skills/top`, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(200);
    }
  });

  it('refuses a write with a read token (403) or none (401) before reading the body, and writes nothing', async () => {
    const none = await postJson(`${server.url}/v1/invocations`, [invocation('x1', T0)]);
    expect(none.status).toBe(401);
    const readOnly = await postJson(`${server.url}/v1/invocations`, [invocation('x1', T0)], { authorization: `Bearer ${READ}` });
    expect(readOnly.status).toBe(403);
    expect(await readOnly.json()).toEqual({
      error: { code: 'forbidden', message: 'this token may read but not write: use a write token' },
    });
    expect(await countRows(store)).toBe(0);
    const written = await postJson(`${server.url}/v1/invocations`, [invocation('x1', T0)], { authorization: `Bearer ${WRITE}` });
    expect(written.status).toBe(201);
    expect(await countRows(store)).toBe(1);
  });

  it('keeps /healthz, /readyz and /openapi.json open', async () => {
    for (const path of ['/healthz', '/readyz', '/openapi.json']) expect((await fetch(`${server.url}${path}`)).status).toBe(200);
  });
});

describe('resolveServerConfig', () => {
  it('uses the defaults: ./skills.db on 127.0.0.1:8765, no tokens, 1 MiB bodies, the anomaly job on', () => {
    expect(resolveServerConfig({}, {})).toEqual({
      db: './skills.db',
      host: '127.0.0.1',
      port: 8765,
      readTokens: [],
      writeTokens: [],
      allowedOrigins: [],
      pseudonymSecretFile: undefined,
      pseudonymSecret: undefined,
      bodyLimitBytes: 1_048_576,
      logLevel: 'info',
      anomalyJob: true,
      shutdownTimeoutMs: 10_000,
      tickMs: 1000,
      claudeCodePrompts: false,
      claudeCodeAllTools: false,
      claudeCodeUserHeader: 'x-skills-user',
      claudeCodePhasesFile: undefined,
      otlpPort: undefined,
    });
  });

  it('takes SKILLS_* variables, and flags over them', () => {
    const env = {
      SKILLS_DB_URL: 'postgres://u@h/db',
      SKILLS_PORT: '9000',
      SKILLS_HOST: '0.0.0.0',
      SKILLS_WRITE_TOKENS: `${WRITE}, ${READ}`,
      SKILLS_BODY_LIMIT: '4mb',
      SKILLS_ANOMALY_JOB: 'off',
      SKILLS_PSEUDONYM_SECRET: 's'.repeat(20),
    };
    const config = resolveServerConfig({ port: '9001', db: 'sqlite:./x.db' }, env);
    expect(config).toMatchObject({
      db: 'sqlite:./x.db',
      port: 9001,
      host: '0.0.0.0',
      writeTokens: [WRITE, READ],
      bodyLimitBytes: 4 * 1024 * 1024,
      anomalyJob: false,
      pseudonymSecret: 's'.repeat(20),
    });
    expect(resolveServerConfig({}, { SKILLS_PORT: '' }).port).toBe(8765);
  });

  it('names the flag or the variable of a bad value', () => {
    const error = (flags: Record<string, string>, env: Record<string, string> = {}) => {
      try {
        resolveServerConfig(flags, env);
      } catch (caught) {
        expect(caught).toBeInstanceOf(ConfigError);
        return (caught as Error).message;
      }
      throw new Error('expected a ConfigError');
    };
    expect(error({ port: '70000' })).toBe('--port: expected an integer from 0 to 65535 (got "70000")');
    expect(error({}, { SKILLS_PORT: 'http' })).toBe('SKILLS_PORT: expected an integer from 0 to 65535 (got "http")');
    expect(error({}, { SKILLS_DB_URL: 'mysql://x/y' })).toBe(
      'SKILLS_DB_URL: unsupported store URL scheme in "mysql://x/y": expected sqlite: or postgres://',
    );
    expect(error({ readTokens: 'short' })).toBe('--read-tokens: token 1 is 5 characters long: expected at least 16');
    expect(error({}, { SKILLS_BODY_LIMIT: 'lots' })).toBe(
      'SKILLS_BODY_LIMIT: expected a size from 1kb to 1024mb, e.g. 1048576, 512kb or 4mb (got "lots")',
    );
    expect(error({ anomalyJob: 'sometimes' })).toBe('--anomaly-job: expected on or off (got "sometimes")');
    expect(error({}, { SKILLS_LOG_LEVEL: 'loud' })).toBe(
      'SKILLS_LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent (got "loud")',
    );
    expect(error({ allowedOrigins: 'dashboard.example.com' })).toBe(
      '--allowed-origins: expected origins such as https://dashboard.example.com (got "dashboard.example.com")',
    );
  });
});

describe('openServerStore: the user-pseudonym secret', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skills-server-secret-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the key file beside a new SQLite store, as the CLI does, and opens with it again', async () => {
    const db = join(dir, 'a.db');
    const first = await openServerStore(resolveServerConfig({ db }, {}));
    expect(first.secretSource).toBe('key file');
    await first.store.close();
    expect(statSync(`${db}.secret`).mode & 0o777).toBe(0o600);
    const again = await openServerStore(resolveServerConfig({ db }, {}));
    expect(again.secretSource).toBe('key file');
    await again.store.close();
  });

  it('names SKILLS_PSEUDONYM_SECRET or the secret file when the store refuses the secret', async () => {
    const db = join(dir, 'a.db');
    const env = { SKILLS_PSEUDONYM_SECRET: 'another-secret-of-enough-bytes' };
    await expect(openServerStore(resolveServerConfig({ db }, env))).rejects.toThrow(
      /^SKILLS_PSEUDONYM_SECRET: .*: give the secret this store was made with$/,
    );
    await expect(openServerStore(resolveServerConfig({ db }, { SKILLS_PSEUDONYM_SECRET: 'short' }))).rejects.toThrow(
      'SKILLS_PSEUDONYM_SECRET: expected at least 16 bytes (got 5)',
    );
    await expect(openServerStore(resolveServerConfig({ db, pseudonymSecretFile: join(dir, 'missing') }, {}))).rejects.toThrow(
      `--pseudonym-secret-file: no such file: ${join(dir, 'missing')}`,
    );
    const file = join(dir, 'secret.txt');
    writeFileSync(file, readFileSync(`${db}.secret`, 'utf8'));
    const fromFile = await openServerStore(resolveServerConfig({ db, pseudonymSecretFile: file }, env));
    expect(fromFile.secretSource).toBe('secret file');
    await fromFile.store.close();
  });
});
