import type { SkillCategory } from './types.js';

/** Parts of the code base that queries talk about. */
const SUBJECTS: readonly string[] = ['auth', 'billing', 'api', 'payments', 'user profile', 'search', 'notifications', 'data pipeline'];

/** Query templates per category; `%` is replaced by a subject. */
const QUERY_TEMPLATES: Readonly<Record<SkillCategory, readonly string[]>> = {
  testing: ['run the failing tests in % module', 'run tests for %', 'check whether the % tests pass now', 'rerun the flaky % test'],
  linting: ['lint the % code', 'fix lint warnings in %', 'check style of the % changes'],
  formatting: ['format the % files', 'reformat the changed % code', 'sort imports in %'],
  typing: ['type check the % package', 'fix type errors in %', 'check types after the % refactor'],
  git: ['tag the % release', 'clean up the % branch', 'check the % branch history'],
  review: ['review my % changes', 'summarize the % pull request', 'look for bugs in the % diff'],
  build: ['build the % image', 'rebuild % after dependency bump', 'compile the % service'],
  deploy: ['deploy % to staging', 'roll out the % release', 'ship % to production'],
  infrastructure: ['apply the % infra changes', 'provision % workers', 'configure the % hosts'],
  docs: ['build the % docs', 'update docstrings in %', 'fix broken links in % docs'],
  security: ['scan % for secrets', 'audit % dependencies', 'check % for vulnerabilities'],
  packaging: ['install % dependencies', 'upgrade the % lockfile', 'add a dependency to %'],
  agent: ['help me with the % module', 'automate the % chores', 'clean up the % code'],
};

/** Skills whose queries differ from the rest of their category. */
const SKILL_QUERY_TEMPLATES: Readonly<Record<string, readonly string[]>> = {
  'coverage-report': ['show coverage for %', 'which % lines are untested'],
  'git-commit': ['commit the % changes', 'commit the % fix with a message'],
  'git-push': ['push the % branch', 'push my % fix'],
  'git-status': ['what changed in %', 'show uncommitted % files'],
  'git-diff': ['show the diff for %', 'what did I change in %'],
  'git-pull': ['pull main into the % branch', 'sync % with main'],
  'git-rebase': ['rebase % onto main', 'squash the % commits'],
  'terraform-plan': ['plan the % infra changes', 'preview the % database migration'],
  'refactoring-agent': ['refactor the % module', 'split the % service into smaller functions'],
  'test-creation-agent': ['write tests for the % module', 'add edge-case tests for %'],
  'debugging-agent': ['find why % is slow', 'debug the failing % endpoint'],
  'documentation-agent': ['document the % public API', 'write a README for %'],
};

/** Follow-up actions after a success, per category; some lists have several entries. */
const SUCCESS_ACTIONS: Readonly<Record<SkillCategory, readonly (readonly string[])[]>> = {
  testing: [['open coverage report'], ['git-commit'], ['open coverage report', 'git-commit']],
  linting: [['git-commit'], ['black-format', 'git-commit']],
  formatting: [['git-diff'], ['git-diff', 'git-commit']],
  typing: [['pytest-run'], ['git-commit']],
  git: [['open pull request'], ['notify reviewers', 'open pull request']],
  review: [['apply suggestions'], ['approve', 'merge']],
  build: [['k8s-deploy'], ['push image', 'k8s-deploy']],
  deploy: [['check dashboards'], ['check dashboards', 'announce release']],
  infrastructure: [['check dashboards'], ['update runbook']],
  docs: [['publish docs'], ['open preview', 'publish docs']],
  security: [['git-commit'], ['close ticket']],
  packaging: [['pytest-run'], ['update lockfile', 'pytest-run']],
  agent: [['pytest-run'], ['code-review'], ['pytest-run', 'code-review', 'git-commit']],
};

/** Follow-up actions after a failure, per category. */
const FAILURE_ACTIONS: Readonly<Record<SkillCategory, readonly (readonly string[])[]>> = {
  testing: [['fix failing test'], ['fix failing test', 'rerun tests'], ['inspect traceback']],
  linting: [['fix lint errors'], ['ruff-check --fix', 'rerun lint']],
  formatting: [['fix syntax error'], ['fix syntax error', 'rerun formatter']],
  typing: [['add type annotations'], ['install stubs', 'rerun type check']],
  git: [['resolve conflicts'], ['git-pull', 'resolve conflicts', 'git-push']],
  review: [['split the change'], ['retry later']],
  build: [['inspect build log'], ['clear cache', 'rebuild']],
  deploy: [['roll back'], ['inspect pod logs', 'roll back']],
  infrastructure: [['unlock state'], ['inspect plan', 'retry apply']],
  docs: [['fix cross references'], ['fix docstring', 'rebuild docs']],
  security: [['rotate secret'], ['upgrade dependency', 'rerun scan']],
  packaging: [['pin versions'], ['clear cache', 'retry install']],
  agent: [['retry with smaller context'], ['inspect transcript', 'retry']],
};

const queryCache = new Map<string, readonly string[]>();

/** Every query text of a skill (its templates, else its category's, × subjects), built once. */
export function queriesFor(skill: string, category: SkillCategory): readonly string[] {
  const templates = SKILL_QUERY_TEMPLATES[skill];
  const key = templates ? skill : category;
  let queries = queryCache.get(key);
  if (!queries) {
    const built: string[] = [];
    for (const template of templates ?? QUERY_TEMPLATES[category]) {
      for (const subject of SUBJECTS) built.push(template.replace('%', subject));
    }
    queries = Object.freeze(built);
    queryCache.set(key, queries);
  }
  return queries;
}

/** Follow-up action lists of a category, frozen so invocations can share them. */
export function followUpsFor(category: SkillCategory, completed: boolean): string[][] {
  const lists = (completed ? SUCCESS_ACTIONS : FAILURE_ACTIONS)[category];
  return lists.map((list) => Object.freeze(list.slice()) as string[]);
}
