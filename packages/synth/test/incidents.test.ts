import { describe, expect, it } from 'vitest';
import { generateWorkload, type SyntheticInvocation } from '../src/index.js';
import { generateAll, HOUR, median, successRate } from './fixtures.js';

const base = { invocations: 200_000, users: 100, skills: 30, days: 10, seed: 13 };
const start = Date.UTC(2026, 0, 1);
const inside = (incident: { start: number; end: number }) => (i: SyntheticInvocation) =>
  i.invoked_at >= incident.start && i.invoked_at < incident.end;

describe('default incidents', () => {
  it('number max(1, round(days × skills / 100))', () => {
    const count = (days: number, skills: number): number =>
      generateWorkload({ invocations: 0, users: 5, skills, days, seed: 1 }).truth.incidents.length;
    expect(count(30, 50)).toBe(15);
    expect(count(1, 5)).toBe(1);
    expect(count(7, 10)).toBe(1);
    expect(count(365, 200)).toBe(730);
  });

  it('can be turned off', () => {
    expect(generateWorkload({ ...base, invocations: 0, incidents: 0 }).truth.incidents).toEqual([]);
  });

  it('last 2–12 whole hours inside the window, rotate kinds and meet head, middle and tail skills with each kind', () => {
    const { truth } = generateWorkload({ ...base, invocations: 0, skills: 200, days: 30, incidents: 30 });
    const rank = new Map([...truth.skills].sort((a, b) => b.popularity - a.popularity).map((skill, i) => [skill.name, i]));
    for (const incident of truth.incidents) {
      const hours = (incident.end - incident.start) / HOUR;
      expect(Number.isInteger(hours) && hours >= 2 && hours <= 12).toBe(true);
      expect((incident.start - truth.start) % HOUR).toBe(0);
      expect(incident.start).toBeGreaterThanOrEqual(truth.start);
      expect(incident.end).toBeLessThanOrEqual(truth.end);
    }
    const kinds = truth.incidents.map((incident) => incident.kind);
    for (let block = 0; block < 10; block++) {
      expect(new Set(kinds.slice(block * 3, block * 3 + 3)).size).toBe(3);
    }
    expect(kinds[0]).toBe('success_drop');
    const ranks = truth.incidents.map((incident) => rank.get(incident.skill) as number);
    const tierOf = (r: number): string => (r < 20 ? 'head' : r < 100 ? 'middle' : 'tail');
    expect(ranks.slice(0, 3).map(tierOf)).toEqual(['head', 'middle', 'tail']);
    const combinations = new Set(truth.incidents.map((incident, i) => `${incident.kind} ${tierOf(ranks[i] as number)}`));
    expect(combinations.size).toBe(9);
    const starts = truth.incidents.map((incident) => incident.start);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
  });

  it('draw magnitudes in the documented ranges', () => {
    const { truth } = generateWorkload({ ...base, invocations: 0, skills: 300, days: 30 });
    for (const { kind, magnitude } of truth.incidents) {
      const [low, high] = { success_drop: [0.2, 0.6], volume_spike: [3, 10], latency_regression: [2, 5] }[kind];
      expect(magnitude).toBeGreaterThanOrEqual(low as number);
      expect(magnitude).toBeLessThanOrEqual(high as number);
    }
  });
});

describe('injected incidents', () => {
  const drop = { skill: 'pytest-run', kind: 'success_drop' as const, start: start + 50 * HOUR, end: start + 62 * HOUR, magnitude: 0.3 };
  const spike = { skill: 'git-diff', kind: 'volume_spike' as const, start: start + 100 * HOUR, end: start + 110 * HOUR, magnitude: 6 };
  const slow = {
    skill: 'ruff-check',
    kind: 'latency_regression' as const,
    start: start + 150 * HOUR,
    end: start + 160 * HOUR,
    magnitude: 4,
  };
  const { truth, invocations } = generateAll({ ...base, incidents: [drop, spike, slow] });

  it('are listed in the truth exactly as given', () => {
    expect(truth.incidents).toEqual([drop, spike, slow]);
  });

  it('lower the success rate of the skill inside a success-drop window', () => {
    const ofSkill = invocations.filter((i) => i.skill_name === drop.skill);
    const during = successRate(ofSkill.filter(inside(drop)));
    const otherwise = successRate(ofSkill.filter((i) => !inside(drop)(i)));
    expect(during / otherwise).toBeGreaterThan(0.2);
    expect(during / otherwise).toBeLessThan(0.4);
  });

  it('leave the other skills’ success unchanged during a success drop', () => {
    const others = invocations.filter((i) => i.skill_name !== drop.skill);
    const during = successRate(others.filter(inside(drop)));
    const otherwise = successRate(others.filter((i) => !inside(drop)(i)));
    expect(Math.abs(during - otherwise)).toBeLessThan(0.04);
  });

  it('multiply the traffic share of the skill during a volume spike, taking it from the others', () => {
    const share = (list: SyntheticInvocation[]): number => list.filter((i) => i.skill_name === spike.skill).length / list.length;
    const p = truth.skills.find((s) => s.name === spike.skill)?.popularity as number;
    const ratio = share(invocations.filter(inside(spike))) / share(invocations.filter((i) => !inside(spike)(i)));
    const expected = spike.magnitude / (1 + (spike.magnitude - 1) * p);
    expect(ratio / expected).toBeGreaterThan(0.8);
    expect(ratio / expected).toBeLessThan(1.2);
  });

  it('multiply durations of the skill during a latency regression', () => {
    const durations = (keep: (i: SyntheticInvocation) => boolean): number[] =>
      invocations
        .filter((i) => i.skill_name === slow.skill && i.duration_seconds !== null && keep(i))
        .map((i) => i.duration_seconds as number);
    const ratio = median(durations(inside(slow))) / median(durations((i) => !inside(slow)(i)));
    expect(ratio).toBeGreaterThan(3.2);
    expect(ratio).toBeLessThan(4.8);
  });
});
