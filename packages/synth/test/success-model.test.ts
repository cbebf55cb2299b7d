import { describe, expect, it } from 'vitest';
import { generateWorkload, trueSuccessProbability, type SyntheticInvocation, type WorkloadTruth } from '../src/index.js';
import { generateAll, successRate, utcHour } from './fixtures.js';

const logistic = (x: number): number => 1 / (1 + Math.exp(-x));
const logit = (p: number): number => Math.log(p / (1 - p));

describe('trueSuccessProbability', () => {
  const { truth } = generateWorkload({ invocations: 0, users: 10, skills: 5, days: 1, seed: 7 });

  it('computes the documented example', () => {
    const p = trueSuccessProbability(truth, { skill: 'pytest-run', phase: 'execution', hour: 14, group: 0 });
    expect(p).toBeCloseTo(logistic(logit(0.854) - 0.067 + 0.161), 12);
    expect(p).toBeCloseTo(0.8653, 4);
  });

  it('adds the base log-odds, phase effect, night effect and group level', () => {
    const skill = truth.skills.find((s) => s.hourEffect < 0);
    if (!skill) throw new Error('fixture needs a night-sensitive skill');
    const level = truth.groups[1]?.skillLevels[skill.name] as number;
    const logOdds = logit(skill.baseSuccessRate) + skill.phaseEffects.rollback + level;
    const at = (hour: number): number => trueSuccessProbability(truth, { skill: skill.name, phase: 'rollback', hour, group: 1 });
    expect(at(3)).toBeCloseTo(logistic(logOdds + skill.hourEffect), 12);
    expect(at(0)).toBeCloseTo(logistic(logOdds + skill.hourEffect * 0.5), 12);
    expect(at(15)).toBeCloseTo(logistic(logOdds), 12);
    expect(at(9)).toBeCloseTo(logistic(logOdds), 12);
  });

  it('adds nothing for a null phase', () => {
    const skill = truth.skills[2];
    const p = trueSuccessProbability(truth, { skill: skill?.name as string, phase: null, hour: 12, group: 0 });
    const level = truth.groups[0]?.skillLevels[skill?.name as string] as number;
    expect(p).toBeCloseTo(logistic(logit(skill?.baseSuccessRate as number) + level), 12);
  });

  it('multiplies by the magnitude of a success drop active at `at`', () => {
    const drop = { skill: 'pytest-run', kind: 'success_drop' as const, start: truth.start, end: truth.start + 7_200_000, magnitude: 0.3 };
    const withDrop: WorkloadTruth = { ...truth, incidents: [drop] };
    const context = { skill: 'pytest-run', phase: 'execution' as const, hour: 0, group: 0 };
    const normal = trueSuccessProbability(withDrop, context);
    expect(trueSuccessProbability(withDrop, { ...context, at: drop.start })).toBeCloseTo(normal * 0.3, 12);
    expect(trueSuccessProbability(withDrop, { ...context, at: drop.end })).toBe(normal);
  });

  it('returns the coin’s probability under the random model', () => {
    const random = generateWorkload({ invocations: 0, users: 10, skills: 5, days: 1, seed: 7, successModel: 'random' }).truth;
    expect(random.randomSuccessRate).toBe(0.75);
    expect(trueSuccessProbability(random, { skill: 'pytest-run', phase: 'rollback', hour: 3, group: 1 })).toBe(0.75);
  });

  it('rejects an unknown skill, group, hour or phase with a RangeError', () => {
    const context = { skill: 'pytest-run', phase: null, hour: 1, group: 0 };
    expect(() => trueSuccessProbability(truth, { ...context, skill: 'nope' })).toThrow(
      new RangeError('skill "nope" is not a skill of this workload'),
    );
    expect(() => trueSuccessProbability(truth, { ...context, group: 2 })).toThrow(
      new RangeError('group must be an integer from 0 to 1 (got 2)'),
    );
    expect(() => trueSuccessProbability(truth, { ...context, hour: 24 })).toThrow(
      new RangeError('hour must be a UTC hour of day from 0 to 23 (got 24)'),
    );
    expect(() => trueSuccessProbability(truth, { ...context, phase: 'deploy' as never })).toThrow(RangeError);
  });
});

describe('structured success model', () => {
  const { truth, invocations } = generateAll({ invocations: 300_000, users: 150, skills: 30, days: 14, seed: 21 });
  const groupOf = new Map(truth.users.map((user) => [user.userId, user.group]));
  const predicted = (i: SyntheticInvocation): number =>
    trueSuccessProbability(truth, {
      skill: i.skill_name,
      phase: i.workflow_phase,
      hour: utcHour(i.invoked_at),
      group: groupOf.get(i.user_id) as number,
      at: i.invoked_at,
    });

  it('is calibrated: in every decile of the true probability, the observed rate matches it', () => {
    const scored = invocations.map((i) => ({ p: predicted(i), completed: i.completed })).sort((a, b) => a.p - b.p);
    const size = Math.floor(scored.length / 10);
    for (let d = 0; d < 10; d++) {
      const bin = scored.slice(d * size, (d + 1) * size);
      const expected = bin.reduce((sum, s) => sum + s.p, 0) / bin.length;
      const observed = bin.filter((s) => s.completed).length / bin.length;
      expect(Math.abs(observed - expected)).toBeLessThan(0.01);
    }
  });

  it('makes rollback and verification harder than setup', () => {
    const rate = (phase: string): number => successRate(invocations.filter((i) => i.workflow_phase === phase));
    expect(rate('rollback')).toBeLessThan(rate('verification'));
    expect(rate('verification')).toBeLessThan(rate('setup'));
  });

  it('makes night hours worse for night-sensitive skills only', () => {
    const sensitive = new Set(truth.skills.filter((s) => s.hourEffect < -0.8).map((s) => s.name));
    const night = (i: SyntheticInvocation): boolean => [1, 2, 3, 4, 5].includes(utcHour(i.invoked_at));
    const day = (i: SyntheticInvocation): boolean => [12, 13, 14, 15, 16].includes(utcHour(i.invoked_at));
    const of = (keep: (i: SyntheticInvocation) => boolean) => invocations.filter(keep);
    const gap = (inSet: boolean): number =>
      successRate(of((i) => sensitive.has(i.skill_name) === inSet && day(i))) -
      successRate(of((i) => sensitive.has(i.skill_name) === inSet && night(i)));
    expect(gap(true)).toBeGreaterThan(0.08);
    expect(Math.abs(gap(false))).toBeLessThan(0.05);
  });
});

describe('random success model', () => {
  const { truth, invocations } = generateAll({
    invocations: 200_000,
    users: 150,
    skills: 30,
    days: 14,
    seed: 21,
    successModel: 'random',
  });

  it('has the same success rate in every phase, within 0.02', () => {
    for (const phase of [null, 'setup', 'execution', 'verification', 'cleanup']) {
      const rate = successRate(invocations.filter((i) => i.workflow_phase === phase));
      expect(Math.abs(rate - truth.randomSuccessRate)).toBeLessThan(0.02);
    }
  });

  it('has the same success rate at every hour band and for every top skill, within 0.02', () => {
    for (const hours of [
      [0, 1, 2, 3, 4, 5],
      [6, 7, 8, 9, 10, 11],
      [12, 13, 14, 15, 16, 17],
      [18, 19, 20, 21, 22, 23],
    ]) {
      const rate = successRate(invocations.filter((i) => hours.includes(utcHour(i.invoked_at))));
      expect(Math.abs(rate - 0.75)).toBeLessThan(0.02);
    }
    for (const skill of truth.skills.slice(0, 5)) {
      const rate = successRate(invocations.filter((i) => i.skill_name === skill.name));
      expect(Math.abs(rate - 0.75)).toBeLessThan(0.02);
    }
  });

  it('injects no success drops by default', () => {
    expect(truth.incidents.length).toBeGreaterThan(0);
    expect(truth.incidents.some((incident) => incident.kind === 'success_drop')).toBe(false);
  });
});
