import { describe, expect, it } from 'vitest';
import { assignmentPoint, chooseVariant, sampleRatioMismatch, type Variant } from '../src/index.js';

const fiftyFifty: Variant[] = [
  { name: 'control', strategy: 'semantic', weight: 0.5 },
  { name: 'treatment', strategy: 'workflow-aware', weight: 0.5 },
];

describe('chooseVariant', () => {
  it('puts 100,000 users at 50/50 within ±1% of the ratio, and the SRM check passes', () => {
    const counts = { control: 0, treatment: 0 };
    for (let i = 0; i < 100_000; i++) counts[chooseVariant(fiftyFifty, 'salt-1', `user-${i}`) as 'control' | 'treatment']++;
    expect(Math.abs(counts.control / 100_000 - 0.5)).toBeLessThanOrEqual(0.01);
    expect(sampleRatioMismatch([counts.control, counts.treatment], [0.5, 0.5]).mismatch).toBe(false);
  });

  it('respects uneven and multi-variant weights', () => {
    const three: Variant[] = [
      { name: 'control', strategy: 'a', weight: 0.2 },
      { name: 'b', strategy: 'b', weight: 0.3 },
      { name: 'c', strategy: 'c', weight: 0.5 },
    ];
    const counts = new Map<string, number>();
    for (let i = 0; i < 100_000; i++) {
      const v = chooseVariant(three, 'salt-3', `u${i}`);
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    expect(Math.abs(counts.get('control')! / 100_000 - 0.2)).toBeLessThanOrEqual(0.01);
    expect(Math.abs(counts.get('b')! / 100_000 - 0.3)).toBeLessThanOrEqual(0.01);
    expect(Math.abs(counts.get('c')! / 100_000 - 0.5)).toBeLessThanOrEqual(0.01);
  });

  it('is deterministic for a salt and user, and independent across salts', () => {
    expect(assignmentPoint('s', 'alice')).toBe(assignmentPoint('s', 'alice'));
    expect(assignmentPoint('s', 'alice')).not.toBe(assignmentPoint('t', 'alice'));
    let same = 0;
    for (let i = 0; i < 10_000; i++) if (chooseVariant(fiftyFifty, 'x', `u${i}`) === chooseVariant(fiftyFifty, 'y', `u${i}`)) same++;
    expect(Math.abs(same / 10_000 - 0.5)).toBeLessThan(0.02);
  });

  it('maps users into [0, 1)', () => {
    for (let i = 0; i < 1000; i++) {
      const p = assignmentPoint('s', String(i));
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThan(1);
    }
  });
});

describe('sampleRatioMismatch on a forced imbalance', () => {
  it('flags 45/55 of 10,000 users at a 50/50 design', () => {
    const r = sampleRatioMismatch([4500, 5500], [0.5, 0.5]);
    expect(r.mismatch).toBe(true);
    expect(r.pValue).toBeLessThan(0.001);
  });
});
