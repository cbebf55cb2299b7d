import { describe, expect, it } from 'vitest';
import { skillNames } from '../src/index.js';

describe('skillNames', () => {
  it('starts with the realistic names, most used first', () => {
    expect(skillNames(25)).toEqual([
      'pytest-run',
      'ruff-check',
      'black-format',
      'mypy-check',
      'coverage-report',
      'git-commit',
      'git-push',
      'git-status',
      'git-diff',
      'code-review',
      'docker-build',
      'k8s-deploy',
      'terraform-apply',
      'sphinx-build',
      'docstring-check',
      'markdown-lint',
      'isort',
      'pylint',
      'bandit-security',
      'npm-install',
      'jest-run',
      'eslint-check',
      'tsc-check',
      'refactoring-agent',
      'test-creation-agent',
    ]);
  });

  it('continues with generated <category>-tool-<position> names after the 50 realistic ones', () => {
    const names = skillNames(53);
    expect(names[49]).toBe('release-tag');
    expect(names.slice(50)).toEqual(['packaging-tool-51', 'agent-tool-52', 'testing-tool-53']);
  });

  it('gives 5000 distinct names, each a prefix of the longer lists', () => {
    const names = skillNames(5000);
    expect(new Set(names).size).toBe(5000);
    expect(names[4999]).toBe('deploy-tool-5000');
    expect(skillNames(100)).toEqual(names.slice(0, 100));
    expect(skillNames(0)).toEqual([]);
  });

  it('rejects counts outside 0 … 5000', () => {
    expect(() => skillNames(5001)).toThrow(new RangeError('n must be an integer from 0 to 5000 (got 5001)'));
    expect(() => skillNames(-1)).toThrow(RangeError);
    expect(() => skillNames(2.5)).toThrow(RangeError);
  });
});
