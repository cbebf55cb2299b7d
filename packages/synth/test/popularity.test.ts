import { describe, expect, it } from 'vitest';
import { countBy, generateAll } from './fixtures.js';

const { truth, invocations } = generateAll({ invocations: 200_000, users: 200, skills: 100, days: 14, seed: 8, incidents: 0 });
const counts = countBy(invocations, (invocation) => invocation.skill_name);
const shares = truth.skills.map((skill) => (counts.get(skill.name) ?? 0) / invocations.length);

describe('skill popularity', () => {
  it('publishes expected traffic shares that sum to 1', () => {
    const total = truth.skills.reduce((sum, skill) => sum + skill.popularity, 0);
    expect(total).toBeCloseTo(1, 4);
  });

  it('matches the observed share of every skill above 1% within 10%', () => {
    const off = truth.skills
      .map((skill, i) => ({ name: skill.name, expected: skill.popularity, observed: shares[i] as number }))
      .filter((s) => s.expected > 0.01 && Math.abs(s.observed / s.expected - 1) > 0.1);
    expect(off).toEqual([]);
  });

  it('is Zipf-like: a few skills dominate and a long tail stays small', () => {
    const sorted = [...shares].sort((a, b) => b - a);
    const top10 = sorted.slice(0, 10).reduce((a, b) => a + b, 0);
    const medianShare = sorted[50] as number;
    expect(top10).toBeGreaterThan(0.5);
    expect((sorted[0] as number) / medianShare).toBeGreaterThan(30);
    expect(sorted[99]).toBeGreaterThan(0);
  });

  it('spreads base success rates over about 0.55–0.98 and durations log-normally around each median', () => {
    const rates = truth.skills.map((skill) => skill.baseSuccessRate);
    expect(Math.min(...rates)).toBeGreaterThanOrEqual(0.55);
    expect(Math.max(...rates)).toBeLessThanOrEqual(0.98);
    expect(Math.max(...rates) - Math.min(...rates)).toBeGreaterThan(0.35);

    const top = truth.skills[0];
    const durations = invocations
      .filter((i) => i.skill_name === top?.name && i.duration_seconds !== null)
      .map((i) => Math.log(i.duration_seconds as number));
    const mean = durations.reduce((a, b) => a + b, 0) / durations.length;
    const sd = Math.sqrt(durations.reduce((a, b) => a + (b - mean) ** 2, 0) / durations.length);
    expect(Math.exp(mean) / (top?.medianDurationSeconds as number)).toBeCloseTo(1, 1);
    expect(sd).toBeCloseTo(top?.durationLogSigma as number, 1);
  });
});
