/**
 * CI stages and the workflow phases they map to. The phase vocabulary is the store's (migration
 * V3, the predictor's PHASES): setup, execution, verification, cleanup, rollback. The original
 * mapped deploy and publish to "deployment", which is not one of them; the repository's own
 * workloads (@skills/synth) record deploy skills as execution, and so do we. The stage itself is
 * kept (`workflow_step_id`, `ci_jobs.stage`), so reports still say "deploy".
 */
export const CI_STAGES = ['build', 'test', 'lint', 'security', 'deploy', 'publish'] as const;
export type CiStage = (typeof CI_STAGES)[number];

export const STAGE_PHASES: Readonly<Record<CiStage, string>> = {
  build: 'setup',
  test: 'execution',
  lint: 'verification',
  security: 'verification',
  deploy: 'execution',
  publish: 'execution',
};

/** The skills a stage usually runs (the original's STAGE_SKILLS): a stage in a report gets a low-priority hint naming those of them it never used. */
export const STAGE_SKILLS: Readonly<Record<CiStage, readonly string[]>> = {
  build: ['uv-install', 'npm-install', 'docker-build', 'compile'],
  test: ['pytest-run', 'jest-run', 'test-discovery', 'coverage-report'],
  lint: ['ruff-check', 'mypy-check', 'eslint-check', 'tsc-check'],
  security: ['bandit-security', 'safety-check', 'npm-audit'],
  deploy: ['docker-push', 'helm-deploy', 'terraform-apply'],
  publish: ['npm-publish', 'pypi-publish'],
};

export function isCiStage(value: string): value is CiStage {
  return (CI_STAGES as readonly string[]).includes(value);
}

// Word-ish matches on a job or stage name, most specific first: "publish" before "deploy",
// "security" before "test" ("security tests" is a security job). A word starts after anything
// but a letter or digit, so `run_tests` and `auto_deploy:start` match (`\b` counts `_` as a letter).
const STAGE_WORDS: readonly [CiStage, RegExp][] = [
  ['security', /(?<![a-z0-9])(security|codeql|audit|sast|dast|bandit|snyk|trivy|gitleaks|secret[-_ ]?scan|dependency[-_ ]?scan|semgrep)/i],
  ['publish', /(?<![a-z0-9])(publish|release|npm[-_ ]?publish|pypi)/i],
  ['deploy', /(?<![a-z0-9])(deploy|deployment|rollout|production|staging|helm|terraform[-_ ]?apply)/i],
  ['lint', /(?<![a-z0-9])(lint|linters?|format|fmt|style|prettier|eslint|ruff|mypy|tsc|type[-_ ]?check|typecheck|pyright|codespell)/i],
  ['test', /(?<![a-z0-9])(tests?|spec|e2e|unit|integration|coverage|pytest|jest|vitest|mocha)/i],
  ['build', /(?<![a-z0-9])(build|compile|install|setup|bundle|package|docker[-_ ]?build|image)/i],
];

/**
 * The stage a job's name (or its stage's name, or its workflow's name) says, or null.
 * @example inferStage('linters') // 'lint'
 */
export function inferStage(...names: (string | null | undefined)[]): CiStage | null {
  for (const name of names) {
    if (!name) continue;
    const exact = name.trim().toLowerCase();
    if (isCiStage(exact)) return exact;
    for (const [stage, pattern] of STAGE_WORDS) if (pattern.test(name)) return stage;
  }
  return null;
}
