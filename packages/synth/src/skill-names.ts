import type { SkillCategory } from './types.js';

/** The largest number of skills a workload (and `skillNames`) supports. */
export const MAX_SKILLS = 5000;

export const SKILL_CATEGORIES: readonly SkillCategory[] = [
  'testing',
  'linting',
  'formatting',
  'typing',
  'git',
  'review',
  'build',
  'deploy',
  'infrastructure',
  'docs',
  'security',
  'packaging',
  'agent',
];

/** Real-world skills, roughly most used first; later skills get generated names. */
const REALISTIC_SKILLS: readonly (readonly [string, SkillCategory])[] = [
  ['pytest-run', 'testing'],
  ['ruff-check', 'linting'],
  ['black-format', 'formatting'],
  ['mypy-check', 'typing'],
  ['coverage-report', 'testing'],
  ['git-commit', 'git'],
  ['git-push', 'git'],
  ['git-status', 'git'],
  ['git-diff', 'git'],
  ['code-review', 'review'],
  ['docker-build', 'build'],
  ['k8s-deploy', 'deploy'],
  ['terraform-apply', 'infrastructure'],
  ['sphinx-build', 'docs'],
  ['docstring-check', 'docs'],
  ['markdown-lint', 'linting'],
  ['isort', 'formatting'],
  ['pylint', 'linting'],
  ['bandit-security', 'security'],
  ['npm-install', 'packaging'],
  ['jest-run', 'testing'],
  ['eslint-check', 'linting'],
  ['tsc-check', 'typing'],
  ['refactoring-agent', 'agent'],
  ['test-creation-agent', 'agent'],
  ['prettier-format', 'formatting'],
  ['vitest-run', 'testing'],
  ['git-pull', 'git'],
  ['git-rebase', 'git'],
  ['pyright-check', 'typing'],
  ['terraform-plan', 'infrastructure'],
  ['helm-upgrade', 'deploy'],
  ['pip-install', 'packaging'],
  ['uv-sync', 'packaging'],
  ['dependency-audit', 'security'],
  ['secret-scan', 'security'],
  ['debugging-agent', 'agent'],
  ['documentation-agent', 'agent'],
  ['mkdocs-build', 'docs'],
  ['cargo-build', 'build'],
  ['clippy-check', 'linting'],
  ['cargo-test', 'testing'],
  ['gofmt', 'formatting'],
  ['go-test', 'testing'],
  ['pre-commit-run', 'linting'],
  ['semgrep-scan', 'security'],
  ['ansible-playbook', 'infrastructure'],
  ['pr-summary', 'review'],
  ['changelog-update', 'docs'],
  ['release-tag', 'deploy'],
];

export interface CatalogEntry {
  name: string;
  category: SkillCategory;
}

/**
 * The first `n` skills with their categories: the realistic list first, then generated
 * `<category>-tool-<number>` names, the number being the skill's 1-based position.
 */
export function skillCatalog(n: number): CatalogEntry[] {
  if (!Number.isInteger(n) || n < 0 || n > MAX_SKILLS) {
    throw new RangeError(`n must be an integer from 0 to ${MAX_SKILLS} (got ${String(n)})`);
  }
  const entries: CatalogEntry[] = [];
  for (let i = 0; i < n; i++) {
    const known = REALISTIC_SKILLS[i];
    if (known) {
      entries.push({ name: known[0], category: known[1] });
    } else {
      const category = SKILL_CATEGORIES[i % SKILL_CATEGORIES.length] as SkillCategory;
      entries.push({ name: `${category}-tool-${i + 1}`, category });
    }
  }
  return entries;
}

/**
 * The first `n` skill names a workload with `skills: n` uses (0 ≤ n ≤ 5000): 50 realistic
 * names, most used first, then generated `<category>-tool-<position>` names.
 *
 * @example
 * skillNames(3);        // ['pytest-run', 'ruff-check', 'black-format']
 * skillNames(60)[59];   // 'deploy-tool-60'
 */
export function skillNames(n: number): string[] {
  return skillCatalog(n).map((entry) => entry.name);
}
