import type { CatalogEntry } from './skill-names.js';
import type { SkillCategory, WorkflowPhase } from './types.js';

/** An ordered skill sequence that sessions follow, with the phase of each step. */
export interface Workflow {
  name: string;
  skills: string[];
  phases: WorkflowPhase[];
}

type Step = readonly [skill: string, phase: WorkflowPhase];

/** Sequences seen in real agent sessions. Steps whose skill a workload lacks are dropped. */
const TEMPLATES: readonly (readonly [name: string, steps: readonly Step[]])[] = [
  [
    'python-quality',
    [
      ['ruff-check', 'setup'],
      ['black-format', 'execution'],
      ['mypy-check', 'verification'],
    ],
  ],
  [
    'test-coverage',
    [
      ['pytest-run', 'execution'],
      ['coverage-report', 'verification'],
    ],
  ],
  [
    'git-ship',
    [
      ['git-status', 'setup'],
      ['git-diff', 'execution'],
      ['git-commit', 'execution'],
      ['git-push', 'cleanup'],
    ],
  ],
  [
    'container-release',
    [
      ['docker-build', 'setup'],
      ['k8s-deploy', 'execution'],
      ['helm-upgrade', 'verification'],
    ],
  ],
  [
    'review-and-push',
    [
      ['git-diff', 'setup'],
      ['code-review', 'verification'],
      ['pr-summary', 'cleanup'],
    ],
  ],
  [
    'docs-build',
    [
      ['docstring-check', 'setup'],
      ['sphinx-build', 'execution'],
      ['markdown-lint', 'verification'],
    ],
  ],
  [
    'python-lint-full',
    [
      ['isort', 'setup'],
      ['pylint', 'execution'],
      ['bandit-security', 'verification'],
    ],
  ],
  [
    'js-quality',
    [
      ['npm-install', 'setup'],
      ['eslint-check', 'execution'],
      ['tsc-check', 'verification'],
      ['jest-run', 'verification'],
    ],
  ],
  [
    'refactor-loop',
    [
      ['refactoring-agent', 'execution'],
      ['pytest-run', 'verification'],
      ['git-commit', 'cleanup'],
    ],
  ],
  [
    'test-authoring',
    [
      ['test-creation-agent', 'execution'],
      ['pytest-run', 'verification'],
      ['coverage-report', 'verification'],
    ],
  ],
  [
    'js-format-test',
    [
      ['prettier-format', 'setup'],
      ['eslint-check', 'execution'],
      ['vitest-run', 'verification'],
    ],
  ],
  [
    'sync-branch',
    [
      ['git-pull', 'setup'],
      ['git-rebase', 'execution'],
      ['git-push', 'cleanup'],
    ],
  ],
  [
    'python-types',
    [
      ['uv-sync', 'setup'],
      ['pyright-check', 'verification'],
    ],
  ],
  [
    'infra-change',
    [
      ['terraform-plan', 'setup'],
      ['terraform-apply', 'execution'],
      ['ansible-playbook', 'cleanup'],
    ],
  ],
  [
    'python-setup-test',
    [
      ['pip-install', 'setup'],
      ['pytest-run', 'execution'],
    ],
  ],
  [
    'security-sweep',
    [
      ['dependency-audit', 'verification'],
      ['secret-scan', 'verification'],
      ['semgrep-scan', 'verification'],
    ],
  ],
  [
    'debug-fix',
    [
      ['debugging-agent', 'execution'],
      ['pytest-run', 'verification'],
      ['git-diff', 'cleanup'],
    ],
  ],
  [
    'docs-agent',
    [
      ['documentation-agent', 'execution'],
      ['docstring-check', 'verification'],
      ['mkdocs-build', 'cleanup'],
    ],
  ],
  [
    'rust-check',
    [
      ['cargo-build', 'setup'],
      ['clippy-check', 'execution'],
      ['cargo-test', 'verification'],
    ],
  ],
  [
    'go-check',
    [
      ['gofmt', 'setup'],
      ['go-test', 'verification'],
    ],
  ],
  [
    'pre-commit',
    [
      ['pre-commit-run', 'verification'],
      ['git-commit', 'cleanup'],
    ],
  ],
  [
    'release',
    [
      ['changelog-update', 'setup'],
      ['release-tag', 'execution'],
      ['git-push', 'cleanup'],
    ],
  ],
];

/** Phases of a generated workflow of 2, 3 or 4 steps. */
const GENERATED_PHASES: Readonly<Record<number, readonly WorkflowPhase[]>> = {
  2: ['execution', 'verification'],
  3: ['setup', 'execution', 'verification'],
  4: ['setup', 'execution', 'verification', 'cleanup'],
};

/**
 * The workflows of a workload: the realistic templates restricted to its skills (kept when two
 * or more steps remain), then chains of 2–4 generated skills of one category, in catalogue order.
 */
export function buildWorkflows(catalog: readonly CatalogEntry[]): Workflow[] {
  const present = new Set(catalog.map((entry) => entry.name));
  const workflows: Workflow[] = [];
  for (const [name, steps] of TEMPLATES) {
    const kept = steps.filter(([skill]) => present.has(skill));
    if (kept.length >= 2) {
      workflows.push({ name, skills: kept.map(([skill]) => skill), phases: kept.map(([, phase]) => phase) });
    }
  }

  const generatedByCategory = new Map<SkillCategory, string[]>();
  for (const entry of catalog) {
    if (!entry.name.includes('-tool-')) continue;
    const names = generatedByCategory.get(entry.category) ?? [];
    names.push(entry.name);
    generatedByCategory.set(entry.category, names);
  }
  const lengths = [3, 2, 4];
  let made = 0;
  for (const [category, names] of generatedByCategory) {
    for (let at = 0; at < names.length; ) {
      const length = Math.min(lengths[made % lengths.length] as number, names.length - at);
      if (length < 2) break;
      workflows.push({
        name: `${category}-flow-${made + 1}`,
        skills: names.slice(at, at + length),
        phases: (GENERATED_PHASES[length] as readonly WorkflowPhase[]).slice(),
      });
      at += length;
      made++;
    }
  }
  return workflows;
}
