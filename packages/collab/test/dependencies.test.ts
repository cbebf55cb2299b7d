import { describe, expect, it } from 'vitest';
import { dependenciesFromSessions } from '../src/index.js';

describe('dependenciesFromSessions', () => {
  it('gives lift 2 to two skills each in half the sessions and always together', () => {
    const result = dependenciesFromSessions([['lint', 'test'], ['lint', 'test'], ['deploy'], ['docs']]);
    expect(result).toEqual([{ a: 'lint', b: 'test', sessions: 2, support: 0.5, confidenceAToB: 1, confidenceBToA: 1, lift: 2 }]);
  });

  it('counts sessions, not invocation pairs', () => {
    const result = dependenciesFromSessions([['lint', 'lint', 'lint', 'test', 'test'], ['lint', 'test'], ['docs'], ['deploy']]);
    expect(result[0]).toMatchObject({ a: 'lint', b: 'test', sessions: 2, support: 0.5, lift: 2 });
  });

  it('computes confidence both ways', () => {
    // build in 4 of 4 sessions, test in 2: P(test | build) = 0.5, P(build | test) = 1.
    const result = dependenciesFromSessions([['build', 'test'], ['build', 'test'], ['build'], ['build']]);
    expect(result).toEqual([{ a: 'build', b: 'test', sessions: 2, support: 0.5, confidenceAToB: 0.5, confidenceBToA: 1, lift: 1 }]);
  });

  it('drops pairs below minSupport so a rare pair cannot top the list', () => {
    const sessions = [
      ['rare-a', 'rare-b'],
      ...Array.from({ length: 20 }, () => ['lint', 'test']),
      ...Array.from({ length: 19 }, () => ['docs']),
    ];
    // rare pair: lift 40, support 1/40; lint+test: lift 2, support 0.5.
    expect(dependenciesFromSessions(sessions, { minSupport: 0 }).map((d) => d.lift)).toEqual([40, 2]);
    expect(dependenciesFromSessions(sessions, { minSupport: 0.05 }).map((d) => `${d.a}+${d.b}`)).toEqual(['lint+test']);
  });

  it('drops pairs below minLift', () => {
    const sessions = [['a', 'b'], ['a'], ['b'], ['c']];
    // support(a∧b) 0.25, support(a) = support(b) = 0.5 → lift 1.
    expect(dependenciesFromSessions(sessions, { minLift: 1 })).toHaveLength(1);
    expect(dependenciesFromSessions(sessions, { minLift: 1.5 })).toEqual([]);
  });

  it('sorts by lift, then support, then names', () => {
    const sessions = [
      ['x', 'y'],
      ['p', 'q'],
      ['m', 'n'],
      ['m', 'n'],
    ];
    // x+y and p+q: lift 4, support 0.25; m+n: lift 2, support 0.5.
    expect(dependenciesFromSessions(sessions).map((d) => `${d.a}+${d.b}`)).toEqual(['p+q', 'x+y', 'm+n']);
  });

  it('ignores empty sessions', () => {
    expect(dependenciesFromSessions([[], ['a', 'b'], ['c']])[0]).toMatchObject({ support: 0.5, lift: 2 });
  });
});
