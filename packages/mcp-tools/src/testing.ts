import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { failureSchema, resultSchema, toolJsonSchemas } from './tool-definition.js';
import { SKILLS_TOOLS } from './tools/index.js';

/**
 * Test support (`@skills/mcp-tools/testing`): the same checks over any transport, so stdio and
 * HTTP are held to what the in-memory tests hold the tools to. Not for production code.
 */

/** Names that exist in the store under test, and a fresh experiment name. */
export interface ExerciseContext {
  skill: string;
  session: string;
  user: string;
  /** A word that occurs in recorded user queries. */
  word: string;
  /** Unused experiment name, created by the run. */
  experiment: string;
  /** Whether a predictor model is saved (predict_skill_success answers only then). */
  model: boolean;
}

export interface ToolReport {
  tool: string;
  ok: CallToolResult;
  bad: CallToolResult;
}

function fail(message: string): never {
  throw new Error(message);
}

/**
 * List the tools and check each listed schema equals the definition's; then call every tool once
 * with valid arguments (result must be `success: true` and match the tool's result schema) and
 * once with a bad argument (must be `isError` with `error.type: invalid_input`). Throws on the
 * first difference, naming the tool. Returns every result for further checks.
 */
export async function exerciseEveryTool(client: Client, context: ExerciseContext): Promise<ToolReport[]> {
  const { tools } = await client.listTools();
  const names = tools.map((t) => t.name);
  const expected = SKILLS_TOOLS.map((t) => t.name);
  if (JSON.stringify(names) !== JSON.stringify(expected)) fail(`tools/list: expected ${expected.join(', ')}, got ${names.join(', ')}`);
  for (const definition of SKILLS_TOOLS) {
    const listed = tools.find((t) => t.name === definition.name)!;
    const schemas = toolJsonSchemas(definition);
    if (JSON.stringify(listed.inputSchema) !== JSON.stringify(schemas.input))
      fail(`${definition.name}: listed input schema differs from its definition`);
    if (JSON.stringify(listed.outputSchema) !== JSON.stringify(schemas.output))
      fail(`${definition.name}: listed output schema differs from its definition`);
  }
  const now = Date.now();
  const valid: Record<string, Record<string, unknown>> = {
    get_real_time_metrics: { time_window_hours: 24 },
    detect_anomalies: { threshold: 2 },
    get_skill_trend: { skill_name: context.skill },
    get_collaborative_recommendations: { user_id: context.user },
    get_community_baselines: {},
    get_skill_dependencies: { skill_name: context.skill, min_lift: 0 },
    record_skill_invocation: {
      id: `exercise-${now}`,
      skill_name: context.skill,
      session_id: context.session,
      user_id: context.user,
      invoked_at: now - 1000,
      completed: true,
      duration_seconds: 1,
    },
    record_skill_invocations: {
      invocations: [
        {
          id: `exercise-batch-${now}`,
          skill_name: context.skill,
          session_id: context.session,
          invoked_at: new Date(now - 2000).toISOString(),
        },
      ],
    },
    predict_skill_success: { skill_name: context.skill, user_query: context.word, workflow_phase: 'execution', user_id: context.user },
    recommend_skills_for_query: { query: context.word },
    get_skill_metrics: { skill_name: context.skill },
    search_invocations: { query: context.word },
    get_session_summary: { session_id: context.session },
    list_skill_taxonomy: {},
    create_ab_test: { test_name: context.experiment, control_strategy: 'semantic', treatment_strategy: 'workflow-aware' },
    assign_ab_test_group: { test: context.experiment, user_id: context.user },
    record_ab_test_outcome: { test: context.experiment, user_id: context.user, completed: true, duration_seconds: 2 },
    analyze_ab_test: { test: context.experiment },
  };
  const reports: ToolReport[] = [];
  for (const definition of SKILLS_TOOLS) {
    const ok = (await client.callTool({
      name: definition.name,
      arguments: valid[definition.name] ?? fail(`no valid call for ${definition.name}`),
    })) as CallToolResult;
    const noModel = definition.name === 'predict_skill_success' && !context.model;
    if (noModel) {
      if (!ok.isError || (ok.structuredContent as { error?: { type?: string } } | undefined)?.error?.type !== 'not_found')
        fail(`${definition.name}: expected not_found without a model`);
    } else {
      if (ok.isError) fail(`${definition.name}: ${JSON.stringify(ok.content)}`);
      const parsed = resultSchema(definition).safeParse(ok.structuredContent);
      if (!parsed.success || (ok.structuredContent as { success?: unknown }).success !== true)
        fail(`${definition.name}: result does not match its schema: ${JSON.stringify(ok.structuredContent).slice(0, 300)}`);
    }
    const bad = (await client.callTool({
      name: definition.name,
      arguments: { ...valid[definition.name], misspelt_argument: 1 },
    })) as CallToolResult;
    const failure = failureSchema.safeParse(bad.structuredContent);
    if (!bad.isError || !failure.success || failure.data.error.type !== 'invalid_input')
      fail(`${definition.name}: a bad argument did not give an invalid_input result: ${JSON.stringify(bad)}`);
    reports.push({ tool: definition.name, ok, bad });
  }
  return reports;
}
