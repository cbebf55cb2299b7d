import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBin, runMain, tempDir } from './helpers.js';

describe('skills init', () => {
  const dir = tempDir();

  it('creates and migrates the store and loads the standard taxonomy', async () => {
    const db = join(dir, 'init.db');
    const result = await runBin(['init', '--db', db]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain(`Store ${db} is at schema 0012_read_paths (12 migrations applied).`);
    expect(result.stdout).toMatch(/│ categories\s+│\s+6 │/);
    expect(result.stdout).toMatch(/│ skill mappings\s+│\s+25 │/);
  });

  it('adds nothing when run again', async () => {
    const db = join(dir, 'init.db');
    const again = await runMain(['init', '--db', db, '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({
      store: db,
      created: false,
      migrations: [
        '0001_initial',
        '0002_search',
        '0003_workflow_correlation',
        '0004_analytics',
        '0005_abtest',
        '0006_predictor',
        '0007_collab',
        '0008_lean_ingest',
        '0009_integrations',
        '0010_ci_integrations',
        '0011_skill_phase_totals',
        '0012_read_paths',
      ],
      taxonomy: { categories: 0, modalities: 0, dependencies: 0, mappings: 0 },
    });
  });

  it('reads the store URL from SKILLS_DB_URL when --db is not given', async () => {
    const db = join(dir, 'from-env.db');
    const result = await runMain(['init', '--json'], { env: { SKILLS_DB_URL: db } });
    expect(JSON.parse(result.stdout).store).toBe(db);
  });
});

describe('skills taxonomy list', () => {
  const dir = tempDir();

  it('prints categories with their skills, modalities and dependencies as tables', async () => {
    const db = join(dir, 'tax.db');
    await runMain(['init', '--db', db]);
    const result = await runBin(['taxonomy', 'list', '--db', db]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/│ Testing\s+│ testing\s+│ coverage-report, hypothesis-test, pytest-run, pytest-watch │/);
    expect(result.stdout).toMatch(/│ sphinx-build\s+│ documentation\s+│ rst_docs\s+│ html_docs\s+│ yes/);
    expect(result.stdout).toMatch(/│ git-commit\s+│ git-push\s+│ declared\s+│\s+4\.20 │/);
  });

  it('prints the taxonomy as JSON with --json', async () => {
    const db = join(dir, 'tax.db');
    const result = await runMain(['taxonomy', 'list', '--db', db, '--json']);
    const taxonomy = JSON.parse(result.stdout);
    expect(taxonomy.categories.map((c: { category_name: string }) => c.category_name)).toEqual([
      'Build & Deploy',
      'Code Quality',
      'Documentation',
      'Git & Version Control',
      'Linting & Formatting',
      'Testing',
    ]);
    expect(taxonomy.modalities).toHaveLength(4);
    expect(taxonomy.dependencies[0]).toEqual({
      skill_a: 'git-commit',
      skill_b: 'git-push',
      source: 'declared',
      lift_score: 4.2,
      co_occurrence_count: 0,
    });
  });
});
