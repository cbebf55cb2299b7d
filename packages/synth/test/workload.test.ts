import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateWorkload, type SyntheticInvocation } from '../src/index.js';
import { generateAll } from './fixtures.js';

const options = { invocations: 30_000, users: 60, skills: 40, days: 5, seed: 2026 };
const { truth, invocations } = generateAll(options);

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const KEYS = [
  'id',
  'skill_name',
  'invoked_at',
  'session_id',
  'user_id',
  'workflow_path',
  'workflow_phase',
  'workflow_step_id',
  'completed',
  'duration_seconds',
  'user_query',
  'alternatives_considered',
  'selection_rank',
  'follow_up_actions',
  'error_type',
];

describe('generateWorkload', () => {
  it('is deterministic: the same options give deep-equal truth and invocations', () => {
    const again = generateAll(options);
    expect(again.truth).toEqual(truth);
    expect(again.invocations).toEqual(invocations);
  });

  it('starts over, with the same invocations, each time batches() is called', () => {
    const workload = generateWorkload({ ...options, invocations: 3000 });
    const first = [...workload.batches()].flat();
    const second = [...workload.batches()].flat();
    expect(second).toEqual(first);
  });

  it('gives different invocations, ids and truth for a different seed', () => {
    const other = generateAll({ ...options, invocations: 1000, seed: 2027 });
    const mine = invocations.slice(0, 1000);
    expect(other.invocations.map((i) => i.skill_name)).not.toEqual(mine.map((i) => i.skill_name));
    expect(other.invocations.some((invocation) => mine.some((m) => m.id === invocation.id))).toBe(false);
    expect(other.truth.skills[0]?.baseSuccessRate).not.toBe(truth.skills[0]?.baseSuccessRate);
  });

  it('produces byte-identical output to the recorded reference for seed 1', () => {
    const { invocations: reference } = generateAll({ invocations: 2000, users: 20, skills: 12, days: 2, seed: 1 });
    expect(reference[0]).toEqual({
      id: '01KDVDYWNHN00SJ90000000000',
      skill_name: 'git-diff',
      invoked_at: 1767225914033,
      session_id: '01KDVDYWNH8X548J0000000000',
      user_id: 'user-001',
      workflow_path: 'ci',
      workflow_phase: 'cleanup',
      workflow_step_id: null,
      completed: true,
      duration_seconds: 1.877,
      user_query: null,
      alternatives_considered: ['git-commit'],
      selection_rank: 1,
      follow_up_actions: ['open pull request'],
      error_type: null,
    });
    // Other packages' tests rely on this output: change it only on purpose.
    const digest = createHash('sha256').update(JSON.stringify(reference)).digest('hex');
    expect(digest).toBe('0e2c27faca5719a155f0972686c446abebcb7cfcf359f063a778bc450c2e9e88');
  });

  it.each([
    { invocations: 7, users: 3, skills: 2, days: 30, seed: 1 },
    { invocations: 50_000, users: 10, skills: 3, days: 1, seed: 2 },
    { invocations: 20_000, users: 500, skills: 300, days: 60, seed: 3, incidents: 40 },
    { invocations: 1, users: 1, skills: 1, days: 1, seed: 4 },
  ])('generates exactly the requested number of invocations (%o)', (shape) => {
    expect(generateAll(shape).invocations).toHaveLength(shape.invocations);
  });

  it('generates exactly the requested number even with large volume spikes', () => {
    const spike = { skill: 'git-diff', kind: 'volume_spike' as const, magnitude: 10 };
    const incidents = [
      { ...spike, start: truth.start, end: truth.start + 86_400_000 },
      { ...spike, skill: 'k8s-deploy', start: truth.start + 3_600_000, end: truth.end },
    ];
    expect(generateAll({ ...options, incidents }).invocations).toHaveLength(options.invocations);
  });

  it('yields invocations in nondecreasing invoked_at order, inside the window', () => {
    let previous = truth.start;
    let ordered = true;
    for (const invocation of invocations) {
      if (invocation.invoked_at < previous) ordered = false;
      previous = invocation.invoked_at;
    }
    expect(ordered).toBe(true);
    expect(invocations[0]?.invoked_at).toBeGreaterThanOrEqual(truth.start);
    expect(previous).toBeLessThan(truth.end);
  });

  it('gives every invocation a unique ULID-shaped id, sorting in output order', () => {
    const ids = invocations.map((invocation) => invocation.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => ULID.test(id))).toBe(true);
    expect(ids.every((id, i) => i === 0 || (ids[i - 1] as string) < id)).toBe(true);
  });

  it('emits exactly the storage keys on every invocation', () => {
    expect(invocations.every((invocation) => Object.keys(invocation).join() === KEYS.join())).toBe(true);
  });

  it('fills every field with a valid value', () => {
    const skills = new Map(truth.skills.map((skill) => [skill.name, skill]));
    const users = new Set(truth.users.map((user) => user.userId));
    const steps = new Set(
      truth.workflowNames.flatMap((name, w) =>
        (truth.workflows[w] as string[]).flatMap((_, i) => [`${name}/${i + 1}`, `${name}/${i + 1}/rollback`]),
      ),
    );
    const problems: string[] = [];
    const check = (ok: boolean, what: string, invocation: SyntheticInvocation): void => {
      if (!ok) problems.push(`${what}: ${JSON.stringify(invocation)}`);
    };
    for (const invocation of invocations) {
      const skill = skills.get(invocation.skill_name);
      check(skill !== undefined, 'skill', invocation);
      check(ULID.test(invocation.session_id), 'session', invocation);
      check(users.has(invocation.user_id), 'user', invocation);
      check([null, 'quick', 'comprehensive', 'ci'].includes(invocation.workflow_path), 'path', invocation);
      check([null, 'setup', 'execution', 'verification', 'cleanup', 'rollback'].includes(invocation.workflow_phase), 'phase', invocation);
      check(invocation.workflow_step_id === null || steps.has(invocation.workflow_step_id), 'step', invocation);
      check(typeof invocation.completed === 'boolean', 'completed', invocation);
      check(
        invocation.duration_seconds === null || (invocation.duration_seconds > 0 && Number.isFinite(invocation.duration_seconds)),
        'duration',
        invocation,
      );
      check(invocation.user_query === null || invocation.user_query.length > 5, 'query', invocation);
      check(
        invocation.completed ? invocation.error_type === null : skill?.errorTypes.includes(invocation.error_type ?? '') === true,
        'error',
        invocation,
      );
      const alternatives = invocation.alternatives_considered;
      check(
        alternatives === null
          ? invocation.selection_rank === null
          : alternatives.length > 0 &&
              alternatives.every((name) => skills.has(name) && name !== invocation.skill_name) &&
              invocation.selection_rank !== null &&
              invocation.selection_rank >= 1 &&
              invocation.selection_rank <= alternatives.length + 1,
        'alternatives',
        invocation,
      );
      const followUps = invocation.follow_up_actions;
      check(followUps === null || (followUps.length > 0 && followUps.every((a) => a.length > 0)), 'follow-ups', invocation);
      if (problems.length > 5) break;
    }
    expect(problems).toEqual([]);
  });

  it('leaves about 3% of durations unknown', () => {
    const unknown = invocations.filter((invocation) => invocation.duration_seconds === null).length / invocations.length;
    expect(unknown).toBeGreaterThan(0.02);
    expect(unknown).toBeLessThan(0.04);
  });

  it('uses error types with dots and brackets, and follow-ups with several actions', () => {
    const errors = new Set(invocations.map((invocation) => invocation.error_type));
    expect([...errors].some((error) => error?.includes('.'))).toBe(true);
    expect([...errors].some((error) => error?.includes('['))).toBe(true);
    expect(invocations.some((invocation) => (invocation.follow_up_actions?.length ?? 0) > 1)).toBe(true);
  });

  it('shares frozen list fields, so one consumer cannot change another invocation', () => {
    const withList = invocations.find((invocation) => invocation.alternatives_considered !== null);
    expect(Object.isFrozen(withList?.alternatives_considered)).toBe(true);
    expect(() => withList?.alternatives_considered?.push('x')).toThrow(TypeError);
  });
});
