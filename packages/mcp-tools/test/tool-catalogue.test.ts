import type { Store } from '@skills/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exerciseEveryTool } from '../src/testing.js';
import { call, connect, NOW, SECRET, seed, storeFactories } from './helpers.js';

afterAll(async () => {
  for (const factory of storeFactories) await factory.cleanup();
});

const NAMES = [
  'get_real_time_metrics',
  'detect_anomalies',
  'get_skill_trend',
  'get_collaborative_recommendations',
  'get_community_baselines',
  'get_skill_dependencies',
  'record_skill_invocation',
  'record_skill_invocations',
  'predict_skill_success',
  'recommend_skills_for_query',
  'get_skill_metrics',
  'search_invocations',
  'get_session_summary',
  'list_skill_taxonomy',
  'create_ab_test',
  'assign_ab_test_group',
  'record_ab_test_outcome',
  'analyze_ab_test',
];

const WRITES = ['record_skill_invocation', 'record_skill_invocations', 'create_ab_test', 'assign_ab_test_group', 'record_ab_test_outcome'];

/** One bad call per tool and the field its error must name. */
const BAD_CALLS: [string, Record<string, unknown>, string][] = [
  ['get_real_time_metrics', { limit: 0 }, 'limit: expected an integer from 1 to 1000'],
  ['detect_anomalies', { threshold: -1 }, 'threshold: expected a number greater than 0 and at most 100'],
  ['get_skill_trend', { skill_name: 'pytest-run', days: 1.5 }, 'days: expected an integer from 1 to 366'],
  ['get_collaborative_recommendations', {}, 'user_id: expected a non-empty string'],
  ['get_community_baselines', { limit: 'ten' }, 'limit: expected an integer from 1 to 10000'],
  ['get_skill_dependencies', { skill_name: 'pytest-run', min_lift: -2 }, 'min_lift: expected a number ≥ 0'],
  [
    'record_skill_invocation',
    { skill_name: 'x', session_id: 's', invoked_at: 'yesterday' },
    'invoked_at: expected epoch milliseconds (integer ≥ 0) or ISO-8601 text',
  ],
  [
    'record_skill_invocations',
    {
      invocations: [
        { skill_name: 'x', session_id: 's', invoked_at: 1 },
        { skill_name: '', session_id: 's', invoked_at: 1 },
      ],
    },
    'invocations.1.skill_name: must not be empty',
  ],
  [
    'record_skill_invocations',
    { invocations: [{ skill_name: 'x', session_id: 's', invoked_at: 'yesterday' }] },
    'invocations.0.invoked_at: expected epoch milliseconds (integer ≥ 0) or ISO-8601 text',
  ],
  [
    'record_skill_invocations',
    {
      invocations: [
        { skill_name: 'x', session_id: 's', invoked_at: 1 },
        { skill_name: 'x', session_id: 's', invoked_at: 1, created_at: 5 },
      ],
    },
    'invocations.1: Unrecognized key: "created_at"',
  ],
  ['record_skill_invocations', { invocations: [] }, 'invocations: expected at least one invocation'],
  ['record_skill_invocations', { invocations: [{ skill_name: 'x', session_id: 's', invoked_at: 1 }], extra: 1 }, 'extra'],
  ['predict_skill_success', { skill_name: 'pytest-run', session: { skills_used: -1 } }, 'session.skills_used'],
  ['recommend_skills_for_query', { query: '   ' }, 'query: must not be empty'],
  ['get_skill_metrics', { skill_name: 42 }, 'skill_name: expected a non-empty string'],
  ['search_invocations', { query: 'tests', limit: 5000 }, 'limit: expected an integer from 1 to 1000'],
  ['get_session_summary', {}, 'session_id: expected a non-empty string'],
  ['list_skill_taxonomy', { unexpected: 1 }, 'unexpected'],
  ['create_ab_test', { test_name: 't', control_strategy: 'a', treatment_strategy: 'b', assignment_ratio: 1.5 }, 'assignment_ratio'],
  ['assign_ab_test_group', { test: 'search-v2' }, 'user_id: expected a non-empty string'],
  ['record_ab_test_outcome', { test: 'search-v2', user_id: 'u', completed: 'yes' }, 'completed'],
  ['analyze_ab_test', { test: '' }, 'test: must not be empty'],
];

describe.each(storeFactories)('the tool catalogue [$name]', (factory) => {
  let store: Store;
  let session: Awaited<ReturnType<typeof connect>>;
  beforeAll(async () => {
    ({ store } = await factory.create({ userPseudonymSecret: SECRET }));
    await seed(store);
    session = await connect({ store, now: () => NOW });
  });
  afterAll(async () => {
    await session.close();
    await store.close();
  });

  it('lists every tool, the original six first, each with a description, input and output schema', async () => {
    const { tools } = await session.client.listTools();
    expect(tools.map((t) => t.name)).toEqual(NAMES);
    for (const tool of tools) {
      expect(tool.description!.length).toBeGreaterThan(80);
      expect(tool.inputSchema.type).toBe('object');
      expect(tool.outputSchema?.type).toBe('object');
      // Success and failure are told apart by `success`.
      const shapes = (tool.outputSchema as { oneOf?: { properties: { success: { const: boolean } } }[] }).oneOf!;
      expect(shapes.map((s) => s.properties.success.const)).toEqual([true, false]);
    }
  });

  it('the original six take the original arguments with the original defaults', async () => {
    const { tools } = await session.client.listTools();
    const props = (name: string) => {
      const schema = tools.find((t) => t.name === name)!.inputSchema as {
        properties: Record<string, { default?: unknown }>;
        required?: string[];
      };
      return {
        defaults: Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k, v.default])),
        required: schema.required ?? [],
      };
    };
    expect(props('get_real_time_metrics')).toEqual({ defaults: { limit: 10, time_window_hours: 1 }, required: [] });
    expect(props('detect_anomalies')).toEqual({
      defaults: { threshold: 2, time_window_hours: 24, metric: 'completion_rate', limit: 50 },
      required: [],
    });
    expect(props('get_skill_trend')).toEqual({ defaults: { skill_name: undefined, days: 7 }, required: ['skill_name'] });
    expect(props('get_collaborative_recommendations')).toEqual({ defaults: { user_id: undefined, limit: 5 }, required: ['user_id'] });
    expect(props('get_community_baselines')).toEqual({ defaults: { limit: 20 }, required: [] });
    expect(props('get_skill_dependencies')).toEqual({
      defaults: { skill_name: undefined, limit: 10, min_lift: 1.5 },
      required: ['skill_name'],
    });
  });

  it('marks reads read-only and recording by id idempotent', async () => {
    const { tools } = await session.client.listTools();
    for (const tool of tools) {
      expect(tool.annotations?.readOnlyHint, tool.name).toBe(!WRITES.includes(tool.name));
      expect(tool.annotations?.destructiveHint, tool.name).toBe(false);
    }
    const idempotent = tools.filter((t) => t.annotations?.idempotentHint).map((t) => t.name);
    expect(idempotent).toEqual(expect.arrayContaining(['record_skill_invocation', 'record_skill_invocations', 'assign_ab_test_group']));
    expect(idempotent).not.toContain('record_ab_test_outcome');
    expect(idempotent).not.toContain('create_ab_test');
  });

  it.each(BAD_CALLS)('%s with bad input is an isError result naming the field, not a protocol error', async (name, args, expected) => {
    const { result, data } = await call(session.client, name, args);
    expect(result.isError).toBe(true);
    expect(data.success).toBe(false);
    expect((data.error as { type: string }).type).toBe('invalid_input');
    expect(data.message).toContain(`Invalid arguments for ${name}: `);
    expect(data.message).toContain(expected);
    expect(result.content).toEqual([{ type: 'text', text: data.message }]);
  });

  it('a bad batch stores nothing', async () => {
    const before = await call(session.client, 'get_real_time_metrics');
    await call(session.client, 'record_skill_invocations', {
      invocations: [
        { skill_name: 'new-skill', session_id: 's', invoked_at: NOW },
        { skill_name: 'new-skill', session_id: 's', invoked_at: -5 },
      ],
    });
    const after = await call(session.client, 'get_real_time_metrics');
    expect(after.data.top_skills).toEqual(before.data.top_skills);
  });

  it('an unknown tool is the protocol error the specification asks for', async () => {
    await expect(session.client.callTool({ name: 'no_such_tool', arguments: {} })).rejects.toThrow('Unknown tool: no_such_tool');
  });

  it('unknown session, skill and experiment are isError results with not_found', async () => {
    for (const [name, args, message] of [
      ['get_session_summary', { session_id: 'nope' }, 'session not found: nope'],
      ['get_skill_metrics', { skill_name: 'nope' }, 'skill not found: nope'],
      ['analyze_ab_test', { test: 'nope' }, 'nope'],
      ['assign_ab_test_group', { test: 'nope', user_id: 'u' }, 'nope'],
    ] as const) {
      const { result, data } = await call(session.client, name, args);
      expect(result.isError, name).toBe(true);
      expect(data, name).toMatchObject({ success: false, error: { type: 'not_found' } });
      expect(data.message, name).toContain(message);
    }
  });

  it('predict_skill_success without a trained model says how to train one', async () => {
    const { result, data } = await call(session.client, 'predict_skill_success', { skill_name: 'pytest-run' });
    expect(result.isError).toBe(true);
    expect(data.message).toBe('predictor model not found: latest (none trained yet: run skills predict train)');
  });
});

describe.each(storeFactories)('a store opened without its pseudonym secret [$name]', (factory) => {
  it('the collaborative tools say why they cannot answer', async () => {
    const { store } = await factory.create();
    const session = await connect({ store, now: () => NOW });
    try {
      const { result, data } = await call(session.client, 'get_community_baselines');
      expect(result.isError).toBe(true);
      expect(data).toMatchObject({ success: false, error: { type: 'unavailable' } });
      expect(data.message).toMatch(/^this store was opened without its user-pseudonym secret/);
    } finally {
      await session.close();
      await store.close();
    }
  });
});

describe.each(storeFactories)('exerciseEveryTool in memory [$name]', (factory) => {
  it('every tool answers a valid call with its schema and a bad one with invalid_input', async () => {
    const { store } = await factory.create({ userPseudonymSecret: SECRET });
    await seed(store);
    const session = await connect({ store, now: () => NOW });
    try {
      const reports = await exerciseEveryTool(session.client, {
        skill: 'pytest-run',
        session: 'trend-4-0',
        user: 'user-1',
        word: 'auth',
        experiment: 'exercise',
        model: false,
      });
      expect(reports.map((r) => r.tool)).toEqual(NAMES);
    } finally {
      await session.close();
      await store.close();
    }
  });
});
