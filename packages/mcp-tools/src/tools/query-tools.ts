import {
  getSkillMetrics,
  invocationSchema,
  searchInvocations,
  sessionSummary,
  sessionSummarySchema,
  type Invocation,
  type Store,
  type Taxonomy,
} from '@skills/storage';
import { z } from 'zod';
import { defineTool } from '../tool-definition.js';
import { integer, iso, name } from './arguments.js';

const READ = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const;
const counts = z.record(z.string(), z.number());

export const getSkillMetricsTool = defineTool({
  name: 'get_skill_metrics',
  title: "One skill's figures",
  description:
    'Everything recorded about one skill over its whole history: invocations, completed and abandoned, completion rate ' +
    '(0–1), total and mean duration of completed runs (seconds), first and last use (epoch ms), and how often each ' +
    'workflow path, error type, follow-up action and workflow phase occurred. Use it when asked about a specific skill.',
  input: z.object({ skill_name: name('The skill, exactly as recorded.') }),
  output: z.object({
    skill_name: z.string(),
    total_invocations: z.number().int(),
    completed_invocations: z.number().int(),
    abandoned_invocations: z.number().int(),
    completion_rate: z.number(),
    total_duration_seconds: z.number(),
    avg_duration_seconds: z.number().nullable(),
    first_invoked: z.number().describe('epoch ms'),
    last_invoked: z.number().describe('epoch ms'),
    workflow_paths: counts,
    common_errors: counts,
    follow_up_actions: counts,
    workflow_phases: counts,
  }),
  annotations: READ,
  async run(args, deps) {
    const m = await getSkillMetrics(deps.store, args.skill_name);
    const rate = `${(m.completion_rate * 100).toFixed(1)}%`;
    return {
      result: { ...m },
      text: `${m.skill_name}: ${m.total_invocations} invocations, ${rate} completed, last ${iso(m.last_invoked)}`,
    };
  },
});

function plain(invocation: Invocation): z.input<typeof invocationSchema> {
  const { embedding: _embedding, ...rest } = invocation;
  return rest;
}

export const searchInvocationsTool = defineTool({
  name: 'search_invocations',
  title: 'Search past invocations by request text',
  description:
    'Full-text search over the `user_query` of past invocations (every word must match, English stemming), best match ' +
    'first. Use it to see which skills were used for requests like one you have now, and how they went.',
  input: z.object({
    query: name('Words to search for, e.g. "flaky auth tests".', 2000),
    limit: integer(1, 1000, 20, 'Most invocations (1–1000, default 20).'),
    skill_name: name('Only invocations of this skill.').optional(),
  }),
  output: z.object({ invocations: z.array(invocationSchema) }),
  annotations: READ,
  fieldNames: { fields: { text: 'query', skill: 'skill_name' } },
  async run(args, deps) {
    const found = await searchInvocations(deps.store, args.query, {
      limit: args.limit,
      ...(args.skill_name === undefined ? {} : { skill: args.skill_name }),
    });
    return { result: { invocations: found.map(plain) }, text: `Found ${found.length} invocations matching "${args.query}"` };
  },
});

export const getSessionSummary = defineTool({
  name: 'get_session_summary',
  title: 'What happened in a session',
  description:
    'One agent session: distinct skills, invocations, completed and abandoned counts, total duration of completed runs ' +
    '(seconds), first and last invocation (epoch ms), and per skill its count and first/last use.',
  input: z.object({ session_id: name('The session, as recorded on invocations.') }),
  output: sessionSummarySchema,
  annotations: READ,
  async run(args, deps) {
    const s = await sessionSummary(deps.store, args.session_id);
    return {
      result: { ...s },
      text: `Session ${s.session_id}: ${s.total_invocations} invocations of ${s.unique_skills} skills, ${s.completed_count} completed, ${s.abandoned_count} abandoned`,
    };
  },
});

export const listSkillTaxonomy = defineTool({
  name: 'list_skill_taxonomy',
  title: 'Skill categories, modalities and declared dependencies',
  description:
    'The skills taxonomy: categories (domain, description, parent, member skills), modalities (input and output format, ' +
    'whether a human must review) and the dependencies the taxonomy declares between skills (observed co-occurrence is ' +
    'get_skill_dependencies). Use it to find which skills exist for a kind of task.',
  input: z.object({}),
  output: z.object({
    categories: z.array(
      z.object({
        category_name: z.string(),
        domain: z.string(),
        description: z.string().nullable(),
        parent_category: z.string().nullable(),
        skills: z.array(z.string()),
      }),
    ),
    modalities: z.array(
      z.object({
        skill_name: z.string(),
        modality_type: z.string(),
        input_format: z.string().nullable(),
        output_format: z.string().nullable(),
        requires_human_review: z.boolean(),
      }),
    ),
    dependencies: z.array(
      z.object({ skill_a: z.string(), skill_b: z.string(), source: z.string(), lift_score: z.number(), co_occurrence_count: z.number() }),
    ),
  }),
  annotations: READ,
  async run(_args, deps) {
    const t = await declaredTaxonomy(deps.store);
    return {
      result: { ...t },
      text: `${t.categories.length} categories, ${t.modalities.length} modalities, ${t.dependencies.length} declared dependencies`,
    };
  },
});

/**
 * `listTaxonomy` of @skills/storage with only the declared dependencies: the observed ones (one
 * row per direction for every pair of skills seen together, thousands of them) are what
 * get_skill_dependencies answers per skill, and would swamp an agent's context here.
 */
export async function declaredTaxonomy(store: Store): Promise<Taxonomy> {
  const [categories, mappings, modalities, dependencies] = await Promise.all([
    store.db
      .selectFrom('skill_categories')
      .select(['category_name', 'domain', 'description', 'parent_category'])
      .orderBy('category_name')
      .execute(),
    store.db.selectFrom('skill_category_mapping').select(['skill_name', 'category_name']).orderBy('skill_name').execute(),
    store.db
      .selectFrom('skill_modalities')
      .select(['skill_name', 'modality_type', 'input_format', 'output_format', 'requires_human_review'])
      .orderBy('skill_name')
      .execute(),
    store.db
      .selectFrom('skill_dependencies')
      .select(['skill_a', 'skill_b', 'source', 'lift_score', 'co_occurrence_count'])
      .where('source', '=', 'declared')
      .orderBy('lift_score', 'desc')
      .orderBy('skill_a')
      .execute(),
  ]);
  return {
    categories: categories.map((category) => ({
      ...category,
      skills: mappings.filter((m) => m.category_name === category.category_name).map((m) => m.skill_name),
    })),
    modalities: modalities.map((m) => ({ ...m, requires_human_review: Number(m.requires_human_review) === 1 })),
    dependencies: dependencies.map((d) => ({ ...d, co_occurrence_count: Number(d.co_occurrence_count) })),
  };
}
