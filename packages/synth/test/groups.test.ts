import { describe, expect, it } from 'vitest';
import { generateWorkload } from '../src/index.js';
import { generateAll, jaccard } from './fixtures.js';

const groupCount = (users: number): number => generateWorkload({ invocations: 0, users, skills: 10, days: 1, seed: 1 }).truth.groups.length;

describe('user groups', () => {
  it('number about users / 50, at least 2 and at most 50', () => {
    expect(groupCount(1)).toBe(1);
    expect(groupCount(2)).toBe(2);
    expect(groupCount(60)).toBe(2);
    expect(groupCount(200)).toBe(4);
    expect(groupCount(1000)).toBe(20);
    expect(groupCount(5000)).toBe(50);
  });

  it('split users evenly, with ids user-001 … and positive activity', () => {
    const { truth } = generateWorkload({ invocations: 0, users: 203, skills: 10, days: 1, seed: 1 });
    const sizes = truth.groups.map((g) => truth.users.filter((u) => u.group === g.id).length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    expect(truth.users[0]?.userId).toBe('user-001');
    expect(truth.users[202]?.userId).toBe('user-203');
    expect(truth.users.every((u) => u.activity > 0)).toBe(true);
  });

  it('give each group about 1.5 √skills favourites (at most 15) and a level for every skill', () => {
    const { truth } = generateWorkload({ invocations: 0, users: 100, skills: 40, days: 1, seed: 1 });
    for (const group of truth.groups) {
      expect(group.favouriteSkills).toHaveLength(9);
      expect(new Set(group.favouriteSkills).size).toBe(9);
      expect(Object.keys(group.skillLevels)).toHaveLength(40);
    }
    const big = generateWorkload({ invocations: 0, users: 100, skills: 1000, days: 1, seed: 1 }).truth;
    expect(big.groups[0]?.favouriteSkills).toHaveLength(15);
  });

  describe('habits', () => {
    const { truth, invocations } = generateAll({ invocations: 60_000, users: 200, skills: 120, days: 7, seed: 17, incidents: 0 });
    const groupOf = new Map(truth.users.map((u) => [u.userId, u.group]));
    const skillsOf = new Map<string, Set<string>>();
    for (const i of invocations) {
      const set = skillsOf.get(i.user_id) ?? new Set<string>();
      set.add(i.skill_name);
      skillsOf.set(i.user_id, set);
    }

    it('make users of one group share more skills with each other than with other groups', () => {
      const users = [...skillsOf.keys()];
      let within = 0;
      let withinPairs = 0;
      let across = 0;
      let acrossPairs = 0;
      for (let a = 0; a < users.length; a++) {
        for (let b = a + 1; b < users.length; b++) {
          const similarity = jaccard(skillsOf.get(users[a] as string) as Set<string>, skillsOf.get(users[b] as string) as Set<string>);
          if (groupOf.get(users[a] as string) === groupOf.get(users[b] as string)) {
            within += similarity;
            withinPairs++;
          } else {
            across += similarity;
            acrossPairs++;
          }
        }
      }
      expect(within / withinPairs).toBeGreaterThan((across / acrossPairs) * 1.25);
    });

    it('send most of a group’s single draws to its favourites', () => {
      for (const group of truth.groups) {
        const favourites = new Set(group.favouriteSkills);
        const mine = invocations.filter((i) => i.workflow_step_id === null && groupOf.get(i.user_id) === group.id);
        const others = invocations.filter((i) => i.workflow_step_id === null && groupOf.get(i.user_id) !== group.id);
        const share = (list: typeof mine): number => list.filter((i) => favourites.has(i.skill_name)).length / list.length;
        expect(share(mine)).toBeGreaterThan(share(others) + 0.3);
      }
    });
  });
});
