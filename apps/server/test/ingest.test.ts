import { listInvocations, type Store } from '@skills/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SkillsServer } from '../src/index.js';
import { countRows, invocation, postJson, serve, storeFactories } from './helpers.js';

const T0 = Date.UTC(2026, 11, 1, 10, 0, 0);

describe.each(storeFactories)('POST /v1/invocations [$name]', (factory) => {
  let store: Store;
  let server: SkillsServer;
  let url: string;
  beforeAll(async () => {
    store = (await factory.create()).store;
    server = await serve(store, factory.name, { bodyLimitBytes: '4kb' });
    url = `${server.url}/v1/invocations`;
  });
  afterAll(async () => {
    await server.close();
    await store.close();
    await factory.cleanup();
  });

  it('records a batch in one go and answers 201 with the ids in input order', async () => {
    const response = await postJson(url, [
      invocation('a-1', T0),
      invocation('a-2', T0 + 1000, { completed: false, error_type: 'Timeout' }),
    ]);
    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ inserted: 2, duplicates: 0, ids: ['a-1', 'a-2'] });
    const page = await listInvocations(store, { order: 'asc' });
    expect(page.items.map((item) => [item.id, item.completed, item.error_type])).toEqual([
      ['a-1', true, null],
      ['a-2', false, 'Timeout'],
    ]);
  });

  it('takes a single object too, and generates an id when it has none', async () => {
    const response = await postJson(url, { skill_name: 'commit', session_id: 's2', invoked_at: '2026-12-01T11:00:00Z', completed: true });
    expect(response.status).toBe(201);
    const body = (await response.json()) as { inserted: number; ids: string[] };
    expect(body.inserted).toBe(1);
    expect(body.ids[0]).toMatch(/^[0-9A-Z]{26}$/);
    expect((await listInvocations(store, { skill: 'commit' })).items.map((i) => i.invoked_at)).toEqual([T0 + 3_600_000]);
  });

  it('answers a retried batch with 200 and writes nothing twice', async () => {
    const before = await countRows(store);
    const response = await postJson(url, [invocation('a-1', T0), invocation('a-2', T0 + 1000)]);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ inserted: 0, duplicates: 2, ids: ['a-1', 'a-2'] });
    expect(await countRows(store)).toBe(before);
  });

  it('rejects a batch with bad items with 400, naming item and field of each error, and writes none of it', async () => {
    const before = await countRows(store);
    const response = await postJson(url, [
      invocation('b-1', T0),
      { ...invocation('b-2', T0), skill_name: '' },
      { ...invocation('b-3', T0), invoked_at: 'yesterday', extra: 1 },
    ]);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: {
        code: 'validation_failed',
        message:
          'item 1: skill_name: must not be empty; item 2: invoked_at: expected epoch milliseconds (integer ≥ 0) or ISO-8601 text; item 2: Unrecognized key: "extra"',
        issues: [
          { index: 1, field: 'skill_name', message: 'must not be empty' },
          { index: 2, field: 'invoked_at', message: 'expected epoch milliseconds (integer ≥ 0) or ISO-8601 text' },
          { index: 2, field: '', message: 'Unrecognized key: "extra"' },
        ],
      },
    });
    expect(await countRows(store)).toBe(before);
  });

  it('says "input" rather than an item index for a single bad object', async () => {
    const response = await postJson(url, { skill_name: 'x', invoked_at: T0 });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { issues: unknown[] } };
    expect(body.error.issues).toEqual([{ index: -1, field: 'session_id', message: 'Invalid input: expected string, received undefined' }]);
  });

  it('rejects bad JSON, an empty body and a JSON value that is not an invocation with 400', async () => {
    const before = await countRows(store);
    const bad = await postJson(url, '[{"skill_name": "x",');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: { code: 'invalid_json', message: 'body is not valid JSON' } });
    const empty = await postJson(url, '');
    expect(empty.status).toBe(400);
    expect(await empty.json()).toEqual({ error: { code: 'invalid_json', message: 'empty body: expected JSON' } });
    const number = await postJson(url, '42');
    expect(number.status).toBe(400);
    expect(await number.json()).toEqual({
      error: {
        code: 'validation_failed',
        message: 'input: expected an invocation object or an array of them',
        issues: [{ index: -1, field: '', message: 'expected an invocation object or an array of them' }],
      },
    });
    expect(await countRows(store)).toBe(before);
  });

  it('rejects a body over the limit with 413 and writes nothing', async () => {
    const before = await countRows(store);
    const items = Array.from({ length: 40 }, (_, i) => invocation(`big-${i}`, T0 + i));
    expect(JSON.stringify(items).length).toBeGreaterThan(4096);
    const response = await postJson(url, items);
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      error: { code: 'payload_too_large', message: 'request body larger than the limit of 4096 bytes' },
    });
    expect(await countRows(store)).toBe(before);
  });

  it('rejects another content type, or none, with 415 and writes nothing', async () => {
    const before = await countRows(store);
    const body = JSON.stringify([invocation('c-1', T0)]);
    const text = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body });
    expect(text.status).toBe(415);
    expect(await text.json()).toEqual({
      error: { code: 'unsupported_media_type', message: 'Content-Type "text/plain": expected application/json' },
    });
    const form = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' });
    expect(form.status).toBe(415);
    const none = await fetch(url, { method: 'POST', body: new Uint8Array(Buffer.from(body)) });
    expect(none.status).toBe(415);
    expect(await countRows(store)).toBe(before);
  });

  it('accepts application/json with a charset', async () => {
    const response = await postJson(url, [invocation('d-1', T0)], { 'content-type': 'application/json; charset=utf-8' });
    expect(response.status).toBe(201);
  });

  it('answers an unknown route with 404 in the same error shape', async () => {
    const response = await fetch(`${server.url}/v1/nothing`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: { code: 'not_found', message: 'no route GET /v1/nothing: see /openapi.json', kind: 'route', id: '/v1/nothing' },
    });
  });
});
