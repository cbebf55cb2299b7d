import { initializeTaxonomy, recordInvocations, userPseudonym, type InvocationInput, type Store } from '@skills/storage';
import { createStoreFactories } from '@skills/storage/testing';
import { afterAll, describe, expect, it } from 'vitest';
import {
  communityBaselines,
  compareWithCommunity,
  forgetUser,
  recommendSkills,
  refreshSkillDependencies,
  similarUsers,
  skillDependencies,
} from '../src/index.js';

const SECRET = 'collab-store-test-secret';
const T0 = Date.UTC(2026, 2, 2);
const factories = createStoreFactories({ postgresUrl: process.env.SKILLS_TEST_PG_URL, prefix: 'skills-collab-' });

let serial = 0;
/** `times` invocations of `skill` by `user`, the first `completed` of them successful. */
function runs(
  user: string | null,
  skill: string,
  times: number,
  completed = times,
  extra: Partial<InvocationInput> = {},
): InvocationInput[] {
  return Array.from({ length: times }, (_, i) => ({
    id: `inv-${serial++}`,
    skill_name: skill,
    invoked_at: T0 + serial * 1000,
    session_id: `session-${user ?? 'anonymous'}`,
    user_id: user,
    completed: i < completed,
    ...extra,
  }));
}

async function record(store: Store, ...groups: InvocationInput[][]): Promise<void> {
  await recordInvocations(store, groups.flat());
}

const pseudonyms = (store: Store, ...users: string[]): string[] => users.map((user) => userPseudonym(store, user));

describe.each(factories)('collaborative queries on a store [$name]', (factory) => {
  afterAll(() => factory.cleanup());
  const open = async () => (await factory.create({ userPseudonymSecret: SECRET })).store;

  it('similarUsers: the original fixture gives user2 and user3 at 0.5, as pseudonyms', async () => {
    const store = await open();
    try {
      await record(
        store,
        ...['a', 'b', 'c'].map((s) => runs('user1', s, 1)),
        ...['a', 'b', 'd'].map((s) => runs('user2', s, 1)),
        ...['b', 'c', 'e'].map((s) => runs('user3', s, 1)),
      );
      const [user2, user3] = pseudonyms(store, 'user2', 'user3') as [string, string];
      expect(await similarUsers(store, 'user1', { k: 10 })).toEqual(
        [
          { user: user2, similarity: 0.5 },
          { user: user3, similarity: 0.5 },
        ].sort((x, y) => (x.user < y.user ? -1 : 1)),
      );
      expect(await similarUsers(store, 'user1', { k: 10, method: 'lsh' })).toEqual(
        await similarUsers(store, 'user1', { k: 10, method: 'exact' }),
      );
      expect(await similarUsers(store, 'nobody')).toEqual([]);
      // Equal scores are ordered by skill name, whatever order the pseudonyms load in.
      expect((await recommendSkills(store, 'user1', { limit: 3, model: 'user-knn' })).map((r) => [r.skill, r.score])).toEqual([
        ['d', 0.5],
        ['e', 0.5],
      ]);
      // EASE, λ = 0.25 × 1.8 users per skill: d and e tie up to rounding, so by name. Reference:
      // /usr/bin/python3 3.11.2, numpy 1.24.2, P = np.linalg.inv(G + 0.45 * np.eye(5)), as in test/ease.test.ts.
      expect(await recommendSkills(store, 'user1', { limit: 3 })).toEqual([
        {
          skill: 'd',
          score: expect.closeTo(0.21807662352112156, 12),
          basis: 'related-skills',
          reason: 'often used together with b and a, which you use',
        },
        {
          skill: 'e',
          score: expect.closeTo(0.21807662352112167, 12),
          basis: 'related-skills',
          reason: 'often used together with b and c, which you use',
        },
      ]);
    } finally {
      await store.close();
    }
  });

  it('similarUsers counts distinct skills, not rows: {a,b,c} once vs {a,b,c,d,e} three times is 0.6', async () => {
    const store = await open();
    try {
      await record(store, ...['a', 'b', 'c'].map((s) => runs('A', s, 1)), ...['a', 'b', 'c', 'd', 'e'].map((s) => runs('B', s, 3)));
      expect(await similarUsers(store, 'A')).toEqual([{ user: userPseudonym(store, 'B'), similarity: 0.6 }]);
      // A user "uses" a skill after minSuccesses successes: with 2, A uses nothing.
      expect(await similarUsers(store, 'B', { minSuccesses: 2 })).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it("recommendSkills: EASE by default, as numpy computes it, with the user's own skills as the reason", async () => {
    const store = await open();
    try {
      // The fixture of test/ease.test.ts: 6 users × skills a–e, plus a skill nobody completes.
      const used = [
        ['a', 'b', 'e'],
        ['a', 'b', 'c'],
        ['b', 'c', 'd'],
        ['a', 'd', 'e'],
        ['a', 'b', 'd'],
        ['c', 'd', 'e'],
      ];
      await record(store, ...used.flatMap((skills, u) => skills.map((s) => runs(`user${u}`, s, 1))), runs('user1', 'broken', 3, 0));
      // Too few users to hold any out: λ = 0.25 × mean users per skill = 0.9. Reference: /usr/bin/python3 3.11.2,
      // numpy 1.24.2: P = np.linalg.inv(G + 0.9 * np.eye(5)); B = -P / np.diag(P); np.fill_diagonal(B, 0); X[0] @ B
      const recommended = await recommendSkills(store, 'user0');
      expect(recommended).toEqual([
        {
          skill: 'd',
          score: expect.closeTo(0.585661393470212, 12),
          basis: 'related-skills',
          reason: 'often used together with e and a, which you use',
        },
        {
          skill: 'c',
          score: expect.closeTo(0.30529071777898537, 12),
          basis: 'related-skills',
          reason: 'often used together with b and e, which you use',
        },
      ]);
      // Never an invoked skill, never one nobody completes; a new user gets the popular ones.
      expect((await recommendSkills(store, 'user1')).map((r) => [r.skill, r.score])).toEqual([
        ['d', expect.closeTo(0.5856613934702121, 12)], // X[1] @ B: never a, b, c (invoked) nor broken (nobody completes it)
        ['e', expect.closeTo(0.3052907177789853, 12)],
      ]);
      const newcomer = await recommendSkills(store, 'never-seen', { limit: 3 });
      expect(newcomer.map((r) => [r.skill, r.basis])).toEqual([
        ['a', 'popularity'],
        ['b', 'popularity'],
        ['d', 'popularity'],
      ]);
      // user-kNN on request, and a fixed λ share.
      expect((await recommendSkills(store, 'user0', { model: 'user-knn' })).every((r) => r.basis === 'neighbours')).toBe(true);
      const fixed = await recommendSkills(store, 'user0', { lambdaShare: 0.25 });
      expect(fixed).toEqual(recommended);
    } finally {
      await store.close();
    }
  });

  it('recommendSkills (user-knn): neighbours first, never an invoked or a never-completed skill; popularity for cold start', async () => {
    const store = await open();
    try {
      await record(
        store,
        runs('me', 'a', 1),
        runs('me', 'b', 1),
        runs('n1', 'a', 1),
        runs('n1', 'b', 1),
        runs('n1', 'c', 1),
        runs('n1', 'd', 2, 0),
        runs('n2', 'a', 1),
        runs('n2', 'b', 2, 1),
        runs('n2', 'c', 1),
        runs('n2', 'x', 1),
        runs('tried-a', 'a', 1, 0),
      );
      expect(await recommendSkills(store, 'me', { model: 'user-knn' })).toEqual([
        { skill: 'c', score: 1, reason: 'used successfully by 2 of your 2 nearest users', basis: 'neighbours' },
        { skill: 'x', score: 0.5 / (2 / 3 + 0.5), reason: 'used successfully by 1 of your 2 nearest users', basis: 'neighbours' },
      ]);
      // Completed nothing yet: no neighbours, so the most-completed skills it has not invoked.
      expect(await recommendSkills(store, 'tried-a', { limit: 3, model: 'user-knn' })).toEqual([
        { skill: 'b', score: 3 / 4, reason: 'used successfully by 3 users (75% completion)', basis: 'popularity' },
        { skill: 'c', score: 1, reason: 'used successfully by 2 users (100% completion)', basis: 'popularity' },
        { skill: 'x', score: 1, reason: 'used successfully by 1 user (100% completion)', basis: 'popularity' },
      ]);
      const newcomer = await recommendSkills(store, 'never-seen', { limit: 10, model: 'user-knn' });
      expect(newcomer.map((r) => r.skill)).toEqual(['a', 'b', 'c', 'x']);
      expect(newcomer.every((r) => r.basis === 'popularity')).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('caches answers for the TTL, but recomputes at once when the asking user changes', async () => {
    const store = await open();
    try {
      await record(store, ...['a', 'b', 'c'].map((s) => runs('user1', s, 1)), ...['a', 'b', 'd'].map((s) => runs('user2', s, 1)));
      const [user2] = pseudonyms(store, 'user2') as [string];
      const now = Date.now();
      expect(await similarUsers(store, 'user1', { now })).toEqual([{ user: user2, similarity: 0.5 }]);
      await record(store, runs('user2', 'c', 1));
      // Another user's change waits for the TTL …
      expect(await similarUsers(store, 'user1', { now: now + 1000 })).toEqual([{ user: user2, similarity: 0.5 }]);
      // … after which the old population still answers while a fresh one loads in the background,
      expect(await similarUsers(store, 'user1', { now: now + 3_600_001 })).toEqual([{ user: user2, similarity: 0.5 }]);
      // … and the change is seen once it has loaded.
      let seen: number | undefined;
      for (let attempt = 0; attempt < 200 && seen !== 0.75; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        seen = (await similarUsers(store, 'user1', { now: now + 3_600_001, cacheTtlMs: 3_600_000 }))[0]?.similarity;
      }
      expect(seen).toBe(0.75);
      // The asking user's own change is seen immediately.
      await record(store, runs('user1', 'd', 1));
      expect(await similarUsers(store, 'user1', { now: now + 3_600_002 })).toEqual([{ user: user2, similarity: 1 }]);
    } finally {
      await store.close();
    }
  });

  it('forgetUser removes the user from every collaborative answer and table at once, and for good', async () => {
    const store = await open();
    try {
      await record(
        store,
        ...['a', 'b', 'c'].map((s) => runs('user1', s, 1)),
        ...['a', 'b', 'd'].map((s) => runs('user2', s, 1)),
        ...['b', 'c', 'e'].map((s) => runs('user3', s, 1)),
      );
      const [user2, user3] = pseudonyms(store, 'user2', 'user3') as [string, string];
      expect((await similarUsers(store, 'user1')).map((m) => m.user).sort()).toEqual([user2, user3].sort());
      expect(await forgetUser(store, 'user2')).toBe(3);
      expect(await similarUsers(store, 'user1')).toEqual([{ user: user3, similarity: 0.5 }]);
      await record(store, runs('user2', 'a', 1));
      expect(await store.db.selectFrom('skill_user_interactions').select('user_id').where('user_id', '=', user2).execute()).toEqual([]);
      expect(await similarUsers(store, 'user2')).toEqual([]);
      expect((await recommendSkills(store, 'user2')).every((r) => r.basis === 'popularity')).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('communityBaselines: users are users, written to skill_community_baselines, no user id anywhere', async () => {
    const store = await open();
    try {
      await record(
        store,
        runs('alice@example.com', 'a', 2, 1, { workflow_phase: 'setup', duration_seconds: 4 }),
        runs('bob@example.com', 'a', 1, 1, { workflow_phase: 'execution', duration_seconds: 1 }),
        runs(null, 'a', 1, 1, { workflow_phase: 'execution' }),
        runs('alice@example.com', 'b', 1, 0),
      );
      const now = T0 + 99;
      const baselines = await communityBaselines(store, { now });
      expect(baselines).toEqual([
        {
          skill: 'a',
          totalUsers: 2,
          totalInvocations: 4,
          completionRate: 0.75,
          avgDurationSeconds: 2.5,
          mostCommonPhase: 'execution',
          effectivenessPercentile: 75,
          updatedAt: now,
        },
        {
          skill: 'b',
          totalUsers: 1,
          totalInvocations: 1,
          completionRate: 0,
          avgDurationSeconds: null,
          mostCommonPhase: null,
          effectivenessPercentile: 25,
          updatedAt: now,
        },
      ]);
      const stored = await store.db.selectFrom('skill_community_baselines').selectAll().orderBy('skill_name').execute();
      expect(
        stored.map((row) => [
          row.skill_name,
          row.total_users,
          row.total_invocations,
          row.global_completion_rate,
          row.most_common_workflow_phase,
          row.effectiveness_percentile,
          row.updated_at,
        ]),
      ).toEqual([
        ['a', 2, 4, 0.75, 'execution', 75, now],
        ['b', 1, 1, 0, null, 25, now],
      ]);
      await refreshSkillDependencies(store, { minSessions: 1 });
      const collaborative = JSON.stringify([
        stored,
        await store.db.selectFrom('skill_user_interactions').selectAll().execute(),
        await store.db.selectFrom('skill_dependencies').selectAll().execute(),
        await recommendSkills(store, 'alice@example.com'),
        await similarUsers(store, 'alice@example.com'),
      ]);
      expect(collaborative).not.toMatch(/alice|bob|example\.com/);
    } finally {
      await store.close();
    }
  });

  it('compareWithCommunity: 2 of 3 against 80% is indistinguishable; 1 of 10 against 90% is below', async () => {
    const store = await open();
    try {
      await record(
        store,
        runs('me', 's', 3, 2),
        runs('others', 's', 10, 8),
        runs('me', 't', 10, 1),
        runs('others', 't', 100, 90),
        runs('me', 'solo', 2, 1),
      );
      await communityBaselines(store);
      const [s, solo, t] = await compareWithCommunity(store, 'me');
      // p-values: scipy.stats.binomtest(2, 3, 0.8) and binomtest(1, 10, 0.9), SciPy 1.17.1.
      expect(s).toMatchObject({
        skill: 's',
        userInvocations: 3,
        userCompleted: 2,
        communityInvocations: 10,
        globalRate: 0.8,
        significant: false,
        verdict: 'indistinguishable',
      });
      expect(s!.pValue).toBeCloseTo(0.48799999999999993, 12);
      expect(t).toMatchObject({
        skill: 't',
        userRate: 0.1,
        globalRate: 0.9,
        significant: true,
        verdict: 'below',
        effectivenessPercentile: expect.any(Number),
      });
      expect(t!.pValue / 9.09999999999998e-9).toBeCloseTo(1, 9);
      expect(solo).toMatchObject({
        skill: 'solo',
        communityInvocations: 0,
        globalRate: null,
        difference: null,
        pValue: 1,
        verdict: 'indistinguishable',
      });
      expect(await compareWithCommunity(store, 'never-seen')).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('skillDependencies: lift over sessions (2.0 for always-together halves); declared rows survive refresh', async () => {
    const store = await open();
    try {
      await initializeTaxonomy(store);
      const session = (id: string, skills: string[]) =>
        skills.map((skill) => ({ id: `${id}-${skill}`, skill_name: skill, invoked_at: T0, session_id: id, completed: true }));
      await recordInvocations(store, [
        ...session('s1', ['lint', 'test']),
        ...session('s2', ['lint', 'test', 'test-again']),
        ...session('s3', ['deploy']),
        ...session('s4', ['docs']),
      ]);
      expect(await refreshSkillDependencies(store)).toBe(2);
      const lint = await skillDependencies(store, 'lint', { minSessions: 2 });
      expect(lint).toEqual([{ skill: 'lint', partner: 'test', source: 'observed', sessions: 2, support: 0.5, confidence: 1, lift: 2 }]);
      // The default minimum of 5 sessions keeps rare pairs out.
      expect(await skillDependencies(store, 'lint')).toEqual([]);
      const declared = await skillDependencies(store, 'ruff-check');
      expect(declared).toEqual([
        { skill: 'ruff-check', partner: 'black-format', source: 'declared', sessions: 0, support: null, confidence: null, lift: 3.5 },
      ]);
      await refreshSkillDependencies(store);
      expect(
        await store.db
          .selectFrom('skill_dependencies')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('source', '=', 'declared')
          .executeTakeFirstOrThrow(),
      ).toEqual({ n: 4 });
    } finally {
      await store.close();
    }
  });

  it('rejects bad input with the field named, and needs the pseudonym secret', async () => {
    const store = await open();
    const { store: plain } = await factory.create();
    try {
      await expect(similarUsers(store, '')).rejects.toThrow('userId: expected a non-empty string');
      await expect(similarUsers(store, 'a', { k: 0 })).rejects.toThrow('k: expected an integer from 1 to 10000 (got 0)');
      await expect(similarUsers(store, 'a', { method: 'fast' as never })).rejects.toThrow('method: expected exact, lsh or auto (got fast)');
      await expect(recommendSkills(store, 'a', { limit: 1.5 })).rejects.toThrow('limit: expected an integer from 1 to 10000 (got 1.5)');
      await expect(recommendSkills(store, 'a', { model: 'svd' as never })).rejects.toThrow('model: expected ease or user-knn (got svd)');
      await expect(recommendSkills(store, 'a', { lambdaShare: 0 })).rejects.toThrow('lambdaShare: expected a number > 0 (got 0)');
      await expect(similarUsers(store, 'a', { minSuccesses: 0 })).rejects.toThrow('minSuccesses: expected an integer ≥ 1 (got 0)');
      await expect(compareWithCommunity(store, 'a', { alpha: 2 })).rejects.toThrow('alpha: expected a number between 0 and 1 (got 2)');
      await expect(skillDependencies(store, 'lint', { minSupport: 3 })).rejects.toThrow(
        'minSupport: expected a number from 0 to 1 (got 3)',
      );
      await expect(similarUsers(plain, 'a')).rejects.toThrow(/userPseudonymSecret/);
      await expect(communityBaselines(plain)).rejects.toThrow(/userPseudonymSecret/);
      await expect(forgetUser(plain, 'a')).rejects.toThrow(/userPseudonymSecret/);
    } finally {
      await plain.close();
      await store.close();
    }
  });
});
