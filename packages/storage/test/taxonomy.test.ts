import { afterAll, describe, expect, it } from 'vitest';
import { initializeTaxonomy, listTaxonomy, mapSkillToCategory, NotFoundError, ValidationError } from '../src/index.js';
import { storeFactories } from './helpers.js';

describe.each(storeFactories)('taxonomy [$name]', (factory) => {
  afterAll(() => factory.cleanup());

  it('loads the original set once; a second run adds nothing', async () => {
    const { store } = await factory.create();
    try {
      expect(await initializeTaxonomy(store, 1)).toEqual({ categories: 6, modalities: 4, dependencies: 4, mappings: 25 });
      expect(await initializeTaxonomy(store, 2)).toEqual({ categories: 0, modalities: 0, dependencies: 0, mappings: 0 });
      const taxonomy = await listTaxonomy(store);
      expect(taxonomy.categories.map((c) => [c.category_name, c.domain])).toEqual([
        ['Build & Deploy', 'deployment'],
        ['Code Quality', 'code'],
        ['Documentation', 'documentation'],
        ['Git & Version Control', 'code'],
        ['Linting & Formatting', 'code'],
        ['Testing', 'testing'],
      ]);
      expect(taxonomy.categories.find((c) => c.category_name === 'Testing')!.skills).toEqual([
        'coverage-report',
        'hypothesis-test',
        'pytest-run',
        'pytest-watch',
      ]);
      expect(taxonomy.modalities).toEqual([
        {
          skill_name: 'docker-build',
          modality_type: 'deployment',
          input_format: 'dockerfile',
          output_format: 'docker_image',
          requires_human_review: false,
        },
        {
          skill_name: 'pytest-run',
          modality_type: 'testing',
          input_format: 'python_tests',
          output_format: 'test_results',
          requires_human_review: false,
        },
        {
          skill_name: 'ruff-check',
          modality_type: 'code',
          input_format: 'python_source',
          output_format: 'diagnostics',
          requires_human_review: false,
        },
        {
          skill_name: 'sphinx-build',
          modality_type: 'documentation',
          input_format: 'rst_docs',
          output_format: 'html_docs',
          requires_human_review: true,
        },
      ]);
      expect(taxonomy.dependencies.map((d) => [d.skill_a, d.skill_b, d.lift_score, d.source])).toEqual([
        ['git-commit', 'git-push', 4.2, 'declared'],
        ['ruff-check', 'black-format', 3.5, 'declared'],
        ['pytest-run', 'coverage-report', 2.8, 'declared'],
        ['docker-build', 'k8s-deploy', 2.1, 'declared'],
      ]);
    } finally {
      await store.close();
    }
  });

  it('maps a skill to a category, and rejects unknown categories and bad confidence', async () => {
    const { store } = await factory.create();
    try {
      await initializeTaxonomy(store);
      await mapSkillToCategory(store, 'vitest-run', 'Testing', 0.8);
      await mapSkillToCategory(store, 'vitest-run', 'Testing', 0.9);
      const row = await store.db
        .selectFrom('skill_category_mapping')
        .select(['confidence'])
        .where('skill_name', '=', 'vitest-run')
        .execute();
      expect(row).toEqual([{ confidence: 0.9 }]);
      await expect(mapSkillToCategory(store, 'x', 'Nope')).rejects.toThrow(NotFoundError);
      await expect(mapSkillToCategory(store, 'x', 'Testing', 2)).rejects.toThrow(ValidationError);
      await expect(mapSkillToCategory(store, ' ', 'Testing')).rejects.toThrow(/skill: must not be empty/);
    } finally {
      await store.close();
    }
  });
});
