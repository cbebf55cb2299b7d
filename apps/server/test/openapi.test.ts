import { openStore, type Store } from '@skills/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_ROUTES, type SkillsServer } from '../src/index.js';
import { serve } from './helpers.js';

describe('GET /openapi.json', () => {
  let store: Store;
  let server: SkillsServer;
  let document: any;
  beforeAll(async () => {
    store = await openStore(':memory:');
    server = await serve(store, 'sqlite');
    document = await (await fetch(`${server.url}/openapi.json`)).json();
  });
  afterAll(async () => {
    await server.close();
    await store.close();
  });

  it('is OpenAPI 3.1 with an operation for every API route and the probes', () => {
    expect(document.openapi).toBe('3.1.0');
    const operations = Object.entries(document.paths as Record<string, Record<string, { operationId: string }>>).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => `${method.toUpperCase()} ${path} ${op.operationId}`),
    );
    expect(operations).toEqual([
      'POST /v1/invocations recordInvocations',
      'GET /v1/invocations listInvocations',
      'GET /v1/skills/top topSkills',
      'GET /v1/skills/{skill} skillMetrics',
      'GET /v1/skills/{skill}/hourly skillHourlySeries',
      'GET /v1/skills/{skill}/trend skillTrend',
      'GET /v1/anomalies listAnomalies',
      'GET /v1/sessions/{session} sessionSummary',
      'GET /v1/search searchInvocations',
      'GET /v1/users/{user}/recommendations recommendSkills',
      'GET /v1/experiments/{experiment}/analysis analyzeExperiment',
      'GET /v1/dashboard/summary dashboardSummary',
      'GET /v1/dashboard/skills dashboardSkills',
      'GET /v1/dashboard/skills/{skill} dashboardSkillView',
      'GET /v1/dashboard/unused dashboardUnusedSkills',
      'GET /v1/dashboard/experiments dashboardExperiments',
      'GET /v1/dashboard/users/{user} dashboardUserView',
      'GET /v1/dashboard/filters dashboardFilters',
      'GET /healthz healthz',
      'GET /readyz readyz',
      'GET /metrics metrics',
      'GET /openapi.json openapi',
      'GET /ws websocket',
    ]);
    expect(API_ROUTES).toHaveLength(18);
  });

  it('describes the invocation body from the storage schema: required fields, types, no extra keys', () => {
    const body = document.paths['/v1/invocations'].post.requestBody.content['application/json'].schema;
    const [single, batch] = body.anyOf;
    expect(single.required).toEqual(['skill_name', 'invoked_at', 'session_id']);
    expect(single.additionalProperties).toBe(false);
    expect(single.properties.skill_name).toEqual({ type: 'string', minLength: 1, maxLength: 200 });
    expect(single.properties.invoked_at).toEqual({ type: ['number', 'string'] });
    expect(batch).toMatchObject({ type: 'array', maxItems: 10_000 });
    expect(Object.keys(document.paths['/v1/invocations'].post.responses)).toEqual(['200', '201', '400', '401', '403', '413', '415']);
  });

  it('lists query and path parameters with their constraints', () => {
    const top = document.paths['/v1/skills/top'].get.parameters;
    expect(top.map((p: { name: string; in: string; required: boolean }) => [p.name, p.in, p.required])).toEqual([
      ['since', 'query', false],
      ['until', 'query', false],
      ['limit', 'query', false],
      ['order_by', 'query', false],
    ]);
    expect(top[3].schema).toEqual({ type: 'string', enum: ['invocations', 'completion_rate', 'avg_duration', 'p95_duration'] });
    const search = document.paths['/v1/search'].get.parameters;
    expect(search[0]).toMatchObject({ name: 'q', in: 'query', required: true, description: 'words to find' });
    expect(document.paths['/v1/skills/{skill}'].get.parameters).toEqual([
      { name: 'skill', in: 'path', required: true, description: 'skill name', schema: { type: 'string', minLength: 1, maxLength: 200 } },
    ]);
  });

  it('types the answers of the read endpoints', () => {
    const top = document.paths['/v1/skills/top'].get.responses['200'].content['application/json'].schema;
    expect(top.type).toBe('array');
    expect(top.items.required).toEqual(['skill_name', 'invocations', 'completed', 'completion_rate', 'avg_duration_seconds', 'p95_duration_seconds']);
    expect(top.items.properties.completion_rate).toMatchObject({ type: 'number', minimum: 0, maximum: 1 });
    const page = document.paths['/v1/invocations'].get.responses['200'].content['application/json'].schema;
    expect(Object.keys(page.properties)).toEqual(['items', 'nextCursor']);
  });

  it('gives errors one schema', () => {
    const error = document.paths['/v1/skills/{skill}'].get.responses['404'].content['application/json'].schema;
    expect(error.properties.error.required).toEqual(['code', 'message']);
    expect(error.properties.error.properties.code.enum).toContain('validation_failed');
  });
});
