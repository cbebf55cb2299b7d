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
    const operations = Object.entries(document.paths as Record<string, Record<string, { operationId: string }>>).flatMap(
      ([path, methods]) => Object.entries(methods).map(([method, op]) => `${method.toUpperCase()} ${path} ${op.operationId}`),
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
      'POST /v1/integrations/github githubWebhook',
      'POST /v1/integrations/gitlab gitlabWebhook',
      'POST /v1/integrations/ci recordCiRun',
      'GET /v1/integrations/ci/pipelines listCiPipelines',
      'GET /v1/integrations/ci/report ciPipelineReport',
      'GET /v1/integrations/ci/deliveries ciDeliveryCounts',
      'POST /v1/integrations/ide/recommendations ideRecommendations',
      'POST /v1/integrations/ide/feedback ideFeedback',
      'POST /v1/integrations/quality recordQualityRun',
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
    expect(top.items.required).toEqual([
      'skill_name',
      'invocations',
      'completed',
      'completion_rate',
      'avg_duration_seconds',
      'p95_duration_seconds',
    ]);
    expect(top.items.properties.completion_rate).toMatchObject({ type: 'number', minimum: 0, maximum: 1 });
    const page = document.paths['/v1/invocations'].get.responses['200'].content['application/json'].schema;
    expect(Object.keys(page.properties)).toEqual(['items', 'nextCursor']);
  });

  it("describes the integration endpoints: the generic CI run from its zod schema, bearer tokens for the JSON endpoints, the webhooks' own headers", () => {
    const ci = document.paths['/v1/integrations/ci'].post;
    expect(ci.security).toEqual([{ bearer: [] }, {}]);
    expect(Object.keys(ci.responses)).toEqual(['200', '400', '401', '403', '413', '415']);
    const run = ci.requestBody.content['application/json'].schema;
    expect(run.required).toEqual(['pipeline', 'run_id', 'jobs']);
    expect(run.additionalProperties).toBe(false);
    expect(Object.keys(run.properties)).toEqual([
      'provider',
      'pipeline',
      'run_id',
      'attempt',
      'repository',
      'commit',
      'branch',
      'actor',
      'jobs',
    ]);
    expect(run.properties.provider).toEqual({ default: 'ci', type: 'string', pattern: '^[a-z][a-z0-9_-]{0,39}$' });
    expect(run.properties.attempt).toEqual({ default: 1, type: 'integer', minimum: 1, maximum: 1000 });
    expect(run.properties.jobs).toMatchObject({ type: 'array', minItems: 1, maxItems: 1000 });
    const job = run.properties.jobs.items;
    expect(job.required).toEqual(['name', 'stage', 'status', 'started_at']);
    expect(job.properties.status.enum).toEqual(['success', 'passed', 'failure', 'failed', 'cancelled', 'canceled', 'timed_out', 'skipped']);
    expect(job.properties.phase.enum).toEqual(['setup', 'execution', 'verification', 'cleanup', 'rollback']);
    const report = document.paths['/v1/integrations/ci/report'].get;
    expect(report.parameters.map((p: { name: string; in: string; required: boolean }) => [p.name, p.in, p.required])).toEqual([
      ['pipeline', 'query', true],
      ['since', 'query', false],
      ['until', 'query', false],
    ]);
    expect(report.responses['200'].content['application/json'].schema.properties.bottlenecks.items.properties.severity).toEqual({
      type: 'string',
      enum: ['high', 'medium'],
    });
    const feedback = document.paths['/v1/integrations/ide/feedback'].post;
    expect(feedback.requestBody.content['application/json'].schema.required).toEqual([
      'session_id',
      'recommended',
      'selected',
      'completed',
    ]);
    expect(Object.keys(feedback.responses)).toEqual(['200', '400', '401', '403']);
    expect(Object.keys(document.paths['/v1/integrations/ide/recommendations'].post.responses)).toEqual(['200', '400', '401']);

    const github = document.paths['/v1/integrations/github'].post;
    expect(github.security).toEqual([{ githubSignature: [] }]);
    expect(github.parameters.map((p: { name: string; in: string; required: boolean }) => [p.name, p.in, p.required])).toEqual([
      ['X-GitHub-Event', 'header', true],
      ['X-GitHub-Delivery', 'header', false],
    ]);
    expect(Object.keys(github.responses)).toEqual(['200', '202', '400', '401', '413', '415']);
    expect(document.paths['/v1/integrations/gitlab'].post.security).toEqual([{ gitlabToken: [] }]);
    expect(document.components.securitySchemes.githubSignature).toMatchObject({
      type: 'apiKey',
      in: 'header',
      name: 'X-Hub-Signature-256',
    });
    expect(document.components.securitySchemes.gitlabToken).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-Gitlab-Token' });
  });

  it('gives errors one schema', () => {
    const error = document.paths['/v1/skills/{skill}'].get.responses['404'].content['application/json'].schema;
    expect(error.properties.error.required).toEqual(['code', 'message']);
    expect(error.properties.error.properties.code.enum).toContain('validation_failed');
  });
});
