import { analyzeExperiment, getExperiment } from '@skills/abtest';
import { loadPredictor, predictSuccess, savePredictor, trainPredictor } from '@skills/predictor';
import { getSkillMetrics, initializeTaxonomy, listTaxonomy, searchInvocations, sessionSummary, type Store } from '@skills/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recommendForQuery } from '../src/index.js';
import { call, connect, DAY, NOW, SECRET, seed, storeFactories, UNTIL } from './helpers.js';

afterAll(async () => {
  for (const factory of storeFactories) await factory.cleanup();
});

describe.each(storeFactories)('the tools beyond the original six [$name]', (factory) => {
  let store: Store;
  let session: Awaited<ReturnType<typeof connect>>;
  beforeAll(async () => {
    ({ store } = await factory.create({ userPseudonymSecret: SECRET }));
    await seed(store);
    await initializeTaxonomy(store, NOW);
    session = await connect({ store, now: () => NOW });
  });
  afterAll(async () => {
    await session.close();
    await store.close();
  });

  it('record_skill_invocation stores one, shows it in get_real_time_metrics, and ignores a retry with the same id', async () => {
    const item = {
      id: 'mcp-1',
      skill_name: 'mcp-skill',
      session_id: 'mcp-session',
      invoked_at: NOW - 60_000,
      completed: true,
      duration_seconds: 4,
    };
    const first = await call(session.client, 'record_skill_invocation', item);
    expect(first.data).toEqual({ success: true, inserted: 1, duplicates: 0, ids: ['mcp-1'] });
    expect(first.result.content).toEqual([{ type: 'text', text: 'Recorded mcp-skill as mcp-1' }]);
    const retry = await call(session.client, 'record_skill_invocation', item);
    expect(retry.data).toEqual({ success: true, inserted: 0, duplicates: 1, ids: ['mcp-1'] });
    const { data } = await call(session.client, 'get_real_time_metrics', { limit: 10 });
    expect(data.top_skills).toContainEqual({
      skill_name: 'mcp-skill',
      invocation_count: 1,
      completed_count: 1,
      completion_rate: 1,
      avg_duration: 4,
      last_invocation_at: new Date(NOW - 60_000).toISOString(),
    });
  });

  it('record_skill_invocations stores a batch in one call, ISO times included', async () => {
    const invocations = [0, 1, 2].map((i) => ({
      id: `batch-${i}`,
      skill_name: 'batch-skill',
      session_id: 'batch',
      invoked_at: new Date(NOW - (i + 1) * 60_000).toISOString(),
      completed: i !== 2,
    }));
    const { data } = await call(session.client, 'record_skill_invocations', { invocations });
    expect(data).toEqual({ success: true, inserted: 3, duplicates: 0, ids: ['batch-0', 'batch-1', 'batch-2'] });
    expect(await getSkillMetrics(store, 'batch-skill')).toMatchObject({ total_invocations: 3, completed_invocations: 2 });
  });

  it('get_skill_metrics is getSkillMetrics', async () => {
    const { data } = await call(session.client, 'get_skill_metrics', { skill_name: 'pytest-run' });
    expect(data).toEqual({ success: true, ...(await getSkillMetrics(store, 'pytest-run')) });
    expect(data).toMatchObject({ total_invocations: 51, completed_invocations: 36 });
  });

  it('search_invocations is searchInvocations, best match first', async () => {
    const { data } = await call(session.client, 'search_invocations', { query: 'auth tests', limit: 5, skill_name: 'pytest-run' });
    const expected = await searchInvocations(store, 'auth tests', { limit: 5, skill: 'pytest-run' });
    expect((data.invocations as { id: string }[]).map((i) => i.id)).toEqual(expected.map((i) => i.id));
    expect((data.invocations as { user_query: string }[]).every((i) => i.user_query === 'run the failing auth tests')).toBe(true);
  });

  it('search_invocations with no word to search for names the query', async () => {
    const { data } = await call(session.client, 'search_invocations', { query: '!!!' });
    expect(data).toMatchObject({
      success: false,
      message: 'Invalid arguments for search_invocations: query: expected at least one word to search for',
    });
  });

  it('get_session_summary is sessionSummary', async () => {
    const { data } = await call(session.client, 'get_session_summary', { session_id: 'trend-4-0' });
    expect(data).toEqual({ success: true, ...(await sessionSummary(store, 'trend-4-0')) });
    expect(data).toMatchObject({ unique_skills: 2, total_invocations: 10 });
  });

  it('list_skill_taxonomy is listTaxonomy with the declared dependencies only', async () => {
    const { data } = await call(session.client, 'get_skill_dependencies', { skill_name: 'pytest-run' }); // stores observed pairs
    expect((data.dependencies as unknown[]).length).toBeGreaterThan(0);
    const taxonomy = await listTaxonomy(store);
    expect(taxonomy.dependencies.some((d) => d.source === 'observed')).toBe(true);
    const listed = await call(session.client, 'list_skill_taxonomy');
    expect(listed.data).toEqual({ success: true, ...taxonomy, dependencies: taxonomy.dependencies.filter((d) => d.source === 'declared') });
    const data2 = listed.data;
    expect((data2.dependencies as unknown[]).length).toBe(4);
    expect((data2.categories as unknown[]).length).toBe(6);
  });

  it('recommend_skills_for_query ranks by past requests and history, each with a reason', async () => {
    const { data } = await call(session.client, 'recommend_skills_for_query', {
      query: 'run the auth tests',
      workflow_phase: 'verification',
      limit: 3,
    });
    const expected = await recommendForQuery(store, {
      query: 'run the auth tests',
      phase: 'verification',
      user: null,
      limit: 3,
      model: undefined,
      now: NOW,
    });
    expect(data.recommendations).toEqual(expected);
    const [first] = data.recommendations as { skill_name: string; reason: string; matched_queries: number; phase_share: number }[];
    // 25 past requests hold every word ("run the failing auth tests", 19 of them completed: i even
    // and i < 5 + day); that is enough, so single words are not searched; 50 of its 51 runs were in verification.
    expect(first).toMatchObject({ skill_name: 'pytest-run', matched_queries: 25, phase_share: 50 / 51 });
    expect(first!.reason).toBe(
      'used for 25 similar past requests (19 completed); completes 71% of 51 runs; 98% of its runs in verification',
    );
  });

  it('recommend_skills_for_query searches the longest words alone when the whole request matches few past ones', async () => {
    // No past request has both words; 25 have "failing", 25 have "parser", all pytest-run.
    const { data } = await call(session.client, 'recommend_skills_for_query', { query: 'failing parser', limit: 2 });
    const [first] = data.recommendations as { skill_name: string; matched_queries: number; relevance: number }[];
    expect(first).toMatchObject({ skill_name: 'pytest-run', matched_queries: 50, relevance: 1 });
  });

  it('the A/B tools create, assign (sticky), record and analyze as @skills/abtest does', async () => {
    const created = await call(session.client, 'create_ab_test', {
      test_name: 'search-v2',
      control_strategy: 'semantic',
      treatment_strategy: 'workflow-aware',
      min_sample_size: 2,
    });
    expect(created.data).toMatchObject({
      success: true,
      experiment: {
        name: 'search-v2',
        controlStrategy: 'semantic',
        treatmentStrategy: 'workflow-aware',
        minSampleSize: 2,
        status: 'running',
      },
    });
    expect(created.data.experiment).not.toHaveProperty('salt');
    const again = await call(session.client, 'create_ab_test', { test_name: 'search-v2', control_strategy: 'a', treatment_strategy: 'b' });
    expect(again.result.isError).toBe(true);
    expect(again.data).toMatchObject({ success: false, error: { type: 'conflict' } });

    const groups = new Map<string, string>();
    for (const user of ['ann', 'bob', 'cid', 'dee', 'eve', 'fay']) {
      const first = await call(session.client, 'assign_ab_test_group', { test: 'search-v2', user_id: user });
      const second = await call(session.client, 'assign_ab_test_group', { test: 'search-v2', user_id: user });
      expect(second.data.group).toBe(first.data.group);
      expect([first.data.is_new, second.data.is_new]).toEqual([true, false]);
      expect(first.data.strategy).toBe(first.data.group === 'control' ? 'semantic' : 'workflow-aware');
      groups.set(user, first.data.group as string);
      const outcome = await call(session.client, 'record_ab_test_outcome', {
        test: 'search-v2',
        user_id: user,
        completed: groups.get(user) === 'treatment',
        duration_seconds: 3,
      });
      expect(outcome.data).toEqual({ success: true, test: 'search-v2', user_id: user, recorded: 1 });
    }
    const unassigned = await call(session.client, 'record_ab_test_outcome', { test: 'search-v2', user_id: 'zed', completed: true });
    expect(unassigned.data).toMatchObject({ success: false, error: { type: 'not_found' } });

    const { data } = await call(session.client, 'analyze_ab_test', { test: 'search-v2' });
    const expected = await analyzeExperiment(store, await getExperiment(store, 'search-v2'), { now: NOW });
    expect(data).toEqual({ success: true, analysis: JSON.parse(JSON.stringify(expected)) });
  });

  it('predict_skill_success is predictSuccess of the newest model', async () => {
    await savePredictor(
      store,
      await trainPredictor(store, { since: UNTIL - 11 * DAY, until: NOW, now: NOW, trees: 5, minInvocations: 200 }),
      { now: NOW },
    );
    const args = { skill_name: 'docker-build', user_query: 'build the docker image', workflow_phase: 'execution', user_id: 'user-1' };
    const { data } = await call(session.client, 'predict_skill_success', args);
    const model = await loadPredictor(store);
    const expected = predictSuccess(model, {
      skill: 'docker-build',
      query: 'build the docker image',
      phase: 'execution',
      user: 'user-1',
      at: NOW,
    });
    expect(data).toEqual({
      success: true,
      skill_name: 'docker-build',
      ...JSON.parse(JSON.stringify(expected)),
      model_version: model.version,
    });
    const ranked = await call(session.client, 'recommend_skills_for_query', { query: 'build the docker image' });
    expect(ranked.data.model_version).toBe(model.version);
    expect(
      (ranked.data.recommendations as { predicted_success: number | null }[]).every((r) => typeof r.predicted_success === 'number'),
    ).toBe(true);
    // Scoring stops early once no candidate left can enter the top `limit`: the same answer as all scored.
    const all = await recommendForQuery(store, {
      query: 'build the docker image',
      phase: 'execution',
      user: 'user-1',
      limit: 50,
      model,
      now: NOW,
    });
    const top2 = await recommendForQuery(store, {
      query: 'build the docker image',
      phase: 'execution',
      user: 'user-1',
      limit: 2,
      model,
      now: NOW,
    });
    expect(all.length).toBe(8); // every skill of the store (the 6 seeded and the 2 recorded above)
    expect(top2).toEqual(all.slice(0, 2));
  });

  it('reads the resources skills://metrics/top and skills://skill/{name}', async () => {
    const { resources } = await session.client.listResources();
    expect(resources.map((r) => r.uri)).toContain('skills://metrics/top');
    expect(resources.map((r) => r.uri)).toContain('skills://skill/pytest-run');
    const top = await session.client.readResource({ uri: 'skills://metrics/top' });
    const body = JSON.parse((top.contents[0] as { text: string }).text) as { skills: { skill_name: string }[] };
    expect(body.skills[0]!.skill_name).toBe('pytest-run');
    const skill = await session.client.readResource({ uri: 'skills://skill/pytest-run' });
    const detail = JSON.parse((skill.contents[0] as { text: string }).text) as {
      metrics: { total_invocations: number };
      trend: { direction: string };
    };
    expect(detail.metrics.total_invocations).toBe(51);
    expect(detail.trend.direction).toBe('improving');
  });

  it('offers the prompt "review how my skills did this week"', async () => {
    const { prompts } = await session.client.listPrompts();
    expect(prompts.map((p) => p.name)).toEqual(['review_skills_week', 'choose_skill']);
    const prompt = await session.client.getPrompt({ name: 'review_skills_week', arguments: { skill_name: 'pytest-run' } });
    expect((prompt.messages[0]!.content as { text: string }).text).toContain('get_skill_trend for "pytest-run" with days 7');
  });
});
