import { describe, expect, it } from 'vitest';
import { generateWorkload, trueSuccessProbability, type SyntheticInvocation, type WorkflowPhase } from '../src/index.js';
import { generateAll, successRate, utcHour } from './fixtures.js';

const logistic = (x: number): number => 1 / (1 + Math.exp(-x));
const logit = (p: number): number => Math.log(p / (1 - p));
const base = { invocations: 150_000, users: 150, skills: 20, days: 14, seed: 33, incidents: 0 };

describe('contextEffect option', () => {
  it('defaults to 1 and is stored in the truth', () => {
    expect(generateWorkload({ ...base, invocations: 0 }).truth.contextEffect).toBe(1);
    expect(generateWorkload({ ...base, invocations: 0, contextEffect: 2.5 }).truth.contextEffect).toBe(2.5);
  });

  it('leaves the default output unchanged when given as 1', () => {
    const options = { invocations: 5000, users: 20, skills: 12, days: 2, seed: 1 };
    expect(generateAll({ ...options, contextEffect: 1 })).toEqual(generateAll(options));
  });

  it.each([-0.5, Number.NaN, Number.POSITIVE_INFINITY, '2'])('rejects %o with a RangeError', (value) => {
    expect(() => generateWorkload({ ...base, contextEffect: value as number })).toThrow(
      new RangeError(`options.contextEffect must be a finite number ≥ 0 (got ${typeof value === 'string' ? '"2"' : String(value)})`),
    );
  });

  it('scales the phase, hour and group log-odds in trueSuccessProbability, not the base rate', () => {
    const one = generateWorkload({ ...base, invocations: 0 }).truth;
    const zero = generateWorkload({ ...base, invocations: 0, contextEffect: 0 }).truth;
    const two = generateWorkload({ ...base, invocations: 0, contextEffect: 2 }).truth;
    const phases: (WorkflowPhase | null)[] = [null, 'setup', 'execution', 'verification', 'cleanup', 'rollback'];
    for (const skill of one.skills.slice(0, 8)) {
      const skillBase = logit(skill.baseSuccessRate);
      for (const phase of phases) {
        for (const hour of [3, 14]) {
          for (const group of [0, 1, 2]) {
            const context = { skill: skill.name, phase, hour, group };
            expect(trueSuccessProbability(zero, context)).toBeCloseTo(skill.baseSuccessRate, 12);
            const deviation = logit(trueSuccessProbability(one, context)) - skillBase;
            expect(trueSuccessProbability(two, context)).toBeCloseTo(logistic(skillBase + 2 * deviation), 12);
          }
        }
      }
    }
  });

  describe('in the generated invocations', () => {
    const runs = [0, 1, 2].map((contextEffect) => generateAll({ ...base, contextEffect }));
    const top = runs[0]?.truth.skills[0]?.name as string;
    const ofTop = (invocations: SyntheticInvocation[], keep: (i: SyntheticInvocation) => boolean): number =>
      successRate(invocations.filter((i) => i.skill_name === top && keep(i)));
    const phaseGap = (invocations: SyntheticInvocation[]): number =>
      ofTop(invocations, (i) => i.workflow_phase === 'setup') - ofTop(invocations, (i) => i.workflow_phase === 'verification');
    const groupSpread = (run: (typeof runs)[number]): number => {
      const groupOf = new Map(run.truth.users.map((user) => [user.userId, user.group]));
      const rates = run.truth.groups.map((group) =>
        ofTop(run.invocations, (i) => i.workflow_phase === null && groupOf.get(i.user_id) === group.id),
      );
      return Math.max(...rates) - Math.min(...rates);
    };

    it('follow the truth exactly: the completion rate matches the mean true probability', () => {
      for (const { truth, invocations } of runs) {
        const groupOf = new Map(truth.users.map((user) => [user.userId, user.group]));
        let expected = 0;
        for (const i of invocations) {
          expected += trueSuccessProbability(truth, {
            skill: i.skill_name,
            phase: i.workflow_phase,
            hour: utcHour(i.invoked_at),
            group: groupOf.get(i.user_id) as number,
          });
        }
        expect(Math.abs(successRate(invocations) - expected / invocations.length)).toBeLessThan(0.005);
      }
    });

    it('contextEffect 0 removes the dependence on phase, hour and group', () => {
      const { truth, invocations } = runs[0] as (typeof runs)[number];
      const skill = truth.skills[0];
      const rate = skill?.baseSuccessRate as number;
      for (const phase of [null, 'setup', 'execution', 'verification']) {
        expect(Math.abs(ofTop(invocations, (i) => i.workflow_phase === phase) - rate)).toBeLessThan(0.02);
      }
      for (const hours of [
        [0, 1, 2, 3, 4, 5],
        [12, 13, 14, 15, 16, 17],
      ]) {
        expect(Math.abs(ofTop(invocations, (i) => hours.includes(utcHour(i.invoked_at))) - rate)).toBeLessThan(0.02);
      }
      expect(groupSpread(runs[0] as (typeof runs)[number])).toBeLessThan(0.04);
    });

    it('contextEffect 2 strengthens it', () => {
      const [zero, one, two] = runs.map((run) => phaseGap(run.invocations)) as [number, number, number];
      expect(Math.abs(zero)).toBeLessThan(0.03);
      expect(one).toBeGreaterThan(0.05);
      expect(two).toBeGreaterThan(one + 0.05);
      expect(groupSpread(runs[2] as (typeof runs)[number])).toBeGreaterThan(groupSpread(runs[1] as (typeof runs)[number]));
    });
  });
});
