import { describe, expect, it } from 'vitest';
import type { SyntheticInvocation } from '../src/index.js';
import { generateAll } from './fixtures.js';

const { truth, invocations } = generateAll({ invocations: 60_000, users: 100, skills: 50, days: 7, seed: 11, incidents: 0 });

const sessions = new Map<string, SyntheticInvocation[]>();
for (const invocation of invocations) {
  const list = sessions.get(invocation.session_id) ?? [];
  list.push(invocation);
  sessions.set(invocation.session_id, list);
}
const all = [...sessions.values()];

describe('sessions', () => {
  it('hold 1 to 15 invocations, one user and one path each', () => {
    const lengths = all.map((session) => session.length);
    expect(Math.min(...lengths)).toBe(1);
    expect(Math.max(...lengths)).toBe(15);
    expect(all.every((s) => new Set(s.map((i) => i.user_id)).size === 1)).toBe(true);
    expect(all.every((s) => new Set(s.map((i) => i.workflow_path)).size === 1)).toBe(true);
  });

  it('average a few invocations, most sessions being short', () => {
    const mean = invocations.length / all.length;
    expect(mean).toBeGreaterThan(2.5);
    expect(mean).toBeLessThan(6);
  });

  it('span minutes: 95% of multi-invocation sessions last under 30 minutes', () => {
    const spans = all
      .filter((s) => s.length > 1)
      .map((s) => ((s.at(-1) as SyntheticInvocation).invoked_at - (s[0] as SyntheticInvocation).invoked_at) / 60_000)
      .sort((a, b) => a - b);
    expect(spans[Math.floor(spans.length * 0.95)]).toBeLessThan(30);
    expect(spans[Math.floor(spans.length * 0.5)]).toBeGreaterThan(0.5);
  });

  it('follow workflow templates step by step, with the template skill at each step', () => {
    const stepRe = /^(.+)\/(\d+)$/;
    const mismatches: string[] = [];
    for (const session of all) {
      session.forEach((invocation, i) => {
        const match = stepRe.exec(invocation.workflow_step_id ?? '');
        if (!match) return;
        const [, name, step] = match as unknown as [string, string, string];
        const w = truth.workflowNames.indexOf(name);
        if (truth.workflows[w]?.[Number(step) - 1] !== invocation.skill_name) mismatches.push(`skill ${invocation.id}`);
        if (step !== '1' && session[i - 1]?.workflow_step_id !== `${name}/${Number(step) - 1}`) {
          mismatches.push(`order ${invocation.id}`);
        }
      });
    }
    expect(mismatches).toEqual([]);
  });

  it('run workflows such as ruff-check → black-format → mypy-check and git-status → … → git-push', () => {
    const index = truth.workflowNames.indexOf('python-quality');
    expect(truth.workflows[index]).toEqual(['ruff-check', 'black-format', 'mypy-check']);
    expect(truth.workflows[truth.workflowNames.indexOf('git-ship')]).toEqual(['git-status', 'git-diff', 'git-commit', 'git-push']);
    const runs = invocations.filter((i) => i.workflow_step_id === 'git-ship/4').length;
    expect(runs).toBeGreaterThan(100);
  });

  it('assign phases along a workflow: setup first, then execution, verification, cleanup', () => {
    const phases = (step: string): Set<string | null> =>
      new Set(invocations.filter((i) => i.workflow_step_id === step).map((i) => i.workflow_phase));
    expect(phases('git-ship/1')).toEqual(new Set(['setup']));
    expect(phases('git-ship/3')).toEqual(new Set(['execution']));
    expect(phases('git-ship/4')).toEqual(new Set(['cleanup']));
    expect(phases('python-quality/3')).toEqual(new Set(['verification']));
  });

  it('roll back only right after a failed execution step of the same skill', () => {
    const rollbacks = all.flatMap((session) =>
      session.flatMap((invocation, i) => (invocation.workflow_phase === 'rollback' ? [[session[i - 1], invocation] as const] : [])),
    );
    expect(rollbacks.length).toBeGreaterThan(20);
    for (const [before, rollback] of rollbacks) {
      expect(before?.skill_name).toBe(rollback.skill_name);
      expect(before?.workflow_phase).toBe('execution');
      expect(before?.completed).toBe(false);
      expect(rollback.workflow_step_id).toBe(`${before?.workflow_step_id}/rollback`);
    }
  });

  it('leave user queries empty in CI sessions', () => {
    const ci = invocations.filter((i) => i.workflow_path === 'ci');
    expect(ci.length).toBeGreaterThan(1000);
    expect(ci.every((i) => i.user_query === null)).toBe(true);
  });
});
