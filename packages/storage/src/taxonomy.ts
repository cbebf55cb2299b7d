import type { InsertResult } from 'kysely';
import { NotFoundError, ValidationError } from './errors.js';
import type { Store } from './store.js';
import { writeTransaction } from './write-transaction.js';

/** The original system's taxonomy; its example skills are stored as mappings (it only printed them). */
const CATEGORIES = [
  {
    name: 'Code Quality',
    domain: 'code',
    description: 'Tools for checking and improving code quality',
    skills: ['ruff-check', 'mypy', 'pylint', 'black-format', 'isort'],
  },
  {
    name: 'Testing',
    domain: 'testing',
    description: 'Test execution and coverage tools',
    skills: ['pytest-run', 'coverage-report', 'hypothesis-test', 'pytest-watch'],
  },
  {
    name: 'Documentation',
    domain: 'documentation',
    description: 'Documentation generation and checking',
    skills: ['sphinx-build', 'docstring-check', 'api-docs', 'markdown-lint'],
  },
  {
    name: 'Build & Deploy',
    domain: 'deployment',
    description: 'Build and deployment tools',
    skills: ['docker-build', 'k8s-deploy', 'terraform-apply', 'github-release'],
  },
  {
    name: 'Git & Version Control',
    domain: 'code',
    description: 'Git and version control operations',
    skills: ['git-commit', 'git-push', 'git-status', 'git-diff'],
  },
  {
    name: 'Linting & Formatting',
    domain: 'code',
    description: 'Code linting and auto-formatting',
    skills: ['ruff-check', 'black-format', 'isort', 'autopep8'],
  },
] as const;

const MODALITIES = [
  { skill: 'ruff-check', type: 'code', input: 'python_source', output: 'diagnostics', review: false },
  { skill: 'pytest-run', type: 'testing', input: 'python_tests', output: 'test_results', review: false },
  { skill: 'sphinx-build', type: 'documentation', input: 'rst_docs', output: 'html_docs', review: true },
  { skill: 'docker-build', type: 'deployment', input: 'dockerfile', output: 'docker_image', review: false },
] as const;

/** Declared dependencies with the original's expected lift. */
const DEPENDENCIES = [
  { from: 'ruff-check', to: 'black-format', lift: 3.5 },
  { from: 'pytest-run', to: 'coverage-report', lift: 2.8 },
  { from: 'git-commit', to: 'git-push', lift: 4.2 },
  { from: 'docker-build', to: 'k8s-deploy', lift: 2.1 },
] as const;

export interface TaxonomyInitResult {
  /** Rows added by this call (0 each on a re-run). */
  categories: number;
  modalities: number;
  dependencies: number;
  mappings: number;
}

/**
 * Load the standard taxonomy: 6 categories, 4 modalities, 4 declared dependencies and the
 * categories' example skills. Idempotent: a second call adds nothing and changes nothing.
 * @example await initializeTaxonomy(store) // { categories: 6, modalities: 4, dependencies: 4, mappings: 25 }
 */
export async function initializeTaxonomy(store: Store, now: number = Date.now()): Promise<TaxonomyInitResult> {
  return writeTransaction(store, async (trx) => {
    const count = (result: InsertResult[]) => result.reduce((sum, row) => sum + Number(row.numInsertedOrUpdatedRows ?? 0n), 0);
    const categories = await trx
      .insertInto('skill_categories')
      .values(
        CATEGORIES.map((c) => ({
          category_name: c.name,
          domain: c.domain,
          description: c.description,
          parent_category: null,
          created_at: now,
        })),
      )
      .onConflict((oc) => oc.column('category_name').doNothing())
      .execute();
    const mappings = await trx
      .insertInto('skill_category_mapping')
      .values(
        CATEGORIES.flatMap((c) => c.skills.map((skill) => ({ skill_name: skill, category_name: c.name, confidence: 1, created_at: now }))),
      )
      .onConflict((oc) => oc.columns(['skill_name', 'category_name']).doNothing())
      .execute();
    const modalities = await trx
      .insertInto('skill_modalities')
      .values(
        MODALITIES.map((m) => ({
          skill_name: m.skill,
          modality_type: m.type,
          input_format: m.input,
          output_format: m.output,
          requires_human_review: m.review ? 1 : 0,
          description: null,
        })),
      )
      .onConflict((oc) => oc.column('skill_name').doNothing())
      .execute();
    const dependencies = await trx
      .insertInto('skill_dependencies')
      .values(
        DEPENDENCIES.map((d) => ({
          skill_a: d.from,
          skill_b: d.to,
          source: 'declared',
          co_occurrence_count: 0,
          support: null,
          confidence: null,
          lift_score: d.lift,
          updated_at: now,
        })),
      )
      .onConflict((oc) => oc.columns(['skill_a', 'skill_b', 'source']).doNothing())
      .execute();
    return { categories: count(categories), modalities: count(modalities), dependencies: count(dependencies), mappings: count(mappings) };
  });
}

export interface Taxonomy {
  categories: { category_name: string; domain: string; description: string | null; parent_category: string | null; skills: string[] }[];
  modalities: {
    skill_name: string;
    modality_type: string;
    input_format: string | null;
    output_format: string | null;
    requires_human_review: boolean;
  }[];
  dependencies: { skill_a: string; skill_b: string; source: string; lift_score: number; co_occurrence_count: number }[];
}

/**
 * The whole taxonomy, categories with their skills.
 * @example (await listTaxonomy(store)).categories.map((c) => c.category_name)
 */
export async function listTaxonomy(store: Store): Promise<Taxonomy> {
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
    dependencies,
  };
}

/**
 * Put a skill in a category (or update its confidence).
 * @throws NotFoundError for an unknown category; ValidationError for an empty skill or a confidence outside 0–1.
 * @example await mapSkillToCategory(store, 'vitest-run', 'Testing')
 */
export async function mapSkillToCategory(
  store: Store,
  skill: string,
  category: string,
  confidence = 1,
  now: number = Date.now(),
): Promise<void> {
  if (typeof skill !== 'string' || skill.trim() === '') {
    throw new ValidationError([{ index: -1, field: 'skill', message: 'must not be empty' }]);
  }
  if (!(confidence >= 0 && confidence <= 1)) {
    throw new ValidationError([{ index: -1, field: 'confidence', message: 'expected a number from 0 to 1' }]);
  }
  const known = await store.db
    .selectFrom('skill_categories')
    .select('category_name')
    .where('category_name', '=', category)
    .executeTakeFirst();
  if (!known) throw new NotFoundError('category', category);
  await store.db
    .insertInto('skill_category_mapping')
    .values({ skill_name: skill.trim(), category_name: category, confidence, created_at: now })
    .onConflict((oc) => oc.columns(['skill_name', 'category_name']).doUpdateSet({ confidence }))
    .execute();
}
