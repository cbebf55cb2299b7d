import { describe, expect, it } from 'vitest';
import { generateWorkload } from '../src/index.js';
import { generateAll } from './fixtures.js';

const base = { invocations: 60_000, users: 300, skills: 200, days: 7, seed: 12, incidents: 0 };

/** Share of each user's distinct skills that are their group's favourites, over all users. */
function favouriteShareOfSets(options: Parameters<typeof generateWorkload>[0]): number {
  const workload = generateWorkload(options);
  const groupOf = new Map(workload.truth.users.map((user) => [user.userId, user.group]));
  const favourites = workload.truth.groups.map((group) => new Set(group.favouriteSkills));
  const sets = new Map<string, Set<string>>();
  for (const batch of workload.batches()) {
    for (const row of batch) sets.set(row.user_id, (sets.get(row.user_id) ?? new Set()).add(row.skill_name));
  }
  let favourite = 0;
  let total = 0;
  for (const [user, skills] of sets) {
    for (const skill of skills) {
      total++;
      if (favourites[groupOf.get(user)!]!.has(skill)) favourite++;
    }
  }
  return favourite / total;
}

describe('favouriteShare and workflowShare options', () => {
  it('default to 0.75 and 0.45, are stored in the truth, and leave the default output unchanged', () => {
    const truth = generateWorkload({ ...base, invocations: 0 }).truth;
    expect([truth.favouriteShare, truth.workflowShare]).toEqual([0.75, 0.45]);
    const small = { invocations: 5000, users: 20, skills: 12, days: 2, seed: 1 };
    expect(generateAll({ ...small, favouriteShare: 0.75, workflowShare: 0.45 })).toEqual(generateAll(small));
  });

  it("make groups' habits stand out when raised (favourites) and lowered (workflows)", () => {
    const usual = favouriteShareOfSets(base);
    const grouped = favouriteShareOfSets({ ...base, favouriteShare: 0.95, workflowShare: 0.1 });
    expect(grouped).toBeGreaterThan(usual + 0.1);
  });

  it.each([
    ['favouriteShare', 1.5, '1.5'],
    ['favouriteShare', -0.1, '-0.1'],
    ['workflowShare', Number.NaN, 'NaN'],
    ['workflowShare', '0.2', '"0.2"'],
  ])('rejects %s = %o with a RangeError', (name, value, shown) => {
    expect(() => generateWorkload({ ...base, [name]: value })).toThrow(
      new RangeError(`options.${name} must be a number from 0 to 1 (got ${shown})`),
    );
  });
});
