import { describe, expect, it } from 'vitest';
import { buildSkillSets, createSkillIds } from '../src/index.js';

describe('buildSkillSets', () => {
  it('keeps each distinct completed skill once, sorted ascending', () => {
    const sets = buildSkillSets([
      { user: 'ann', skill: 30, completed: 3 },
      { user: 'ann', skill: 2, completed: 1 },
      { user: 'ann', skill: 11, completed: 7 },
    ]);
    expect([...sets.get('ann')!]).toEqual([2, 11, 30]);
  });

  it('leaves out skills and users with no successful invocation', () => {
    const sets = buildSkillSets([
      { user: 'ann', skill: 1, completed: 0 },
      { user: 'ann', skill: 2, completed: 1 },
      { user: 'bob', skill: 1, completed: 0 },
    ]);
    expect([...sets.keys()]).toEqual(['ann']);
    expect([...sets.get('ann')!]).toEqual([2]);
  });

  it('sums repeated rows before applying minSuccesses', () => {
    const sets = buildSkillSets(
      [
        { user: 'ann', skill: 1, completed: 1 },
        { user: 'ann', skill: 1, completed: 1 },
        { user: 'ann', skill: 2, completed: 1 },
      ],
      { minSuccesses: 2 },
    );
    expect([...sets.get('ann')!]).toEqual([1]);
  });

  it('returns Uint32Arrays', () => {
    const sets = buildSkillSets([{ user: 'ann', skill: 4_000_000_000, completed: 1 }]);
    expect(sets.get('ann')).toBeInstanceOf(Uint32Array);
    expect(sets.get('ann')![0]).toBe(4_000_000_000);
  });

  it('rejects a minSuccesses below 1', () => {
    expect(() => buildSkillSets([], { minSuccesses: 0 })).toThrow(/minSuccesses/);
  });

  it('rejects a skill id that is not a uint32', () => {
    expect(() => buildSkillSets([{ user: 'ann', skill: -1, completed: 1 }])).toThrow(/user ann/);
  });
});

describe('createSkillIds', () => {
  it('assigns ids in first-seen order and maps them back', () => {
    const ids = createSkillIds(['lint', 'test', 'lint']);
    expect(ids.idOf('test')).toBe(1);
    expect(ids.idOf('deploy')).toBe(2);
    expect(ids.nameOf(0)).toBe('lint');
    expect(ids.nameOf(9)).toBeUndefined();
    expect(ids.size).toBe(3);
  });
});
