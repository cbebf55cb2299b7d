import { afterAll, describe, expect, it } from 'vitest';
import {
  forgetUserInteractions,
  hasUserPseudonyms,
  type openStore,
  recordInvocations,
  StorageError,
  StoreOpenError,
  userPseudonym,
  UserPseudonymSecretError,
  verifyRollups,
  type InvocationInput,
  type RecordedEvent,
} from '../src/index.js';
import { T0, storeFactories } from './helpers.js';

const SECRET = 'a-secret-of-at-least-16-bytes';

const item = (id: string, user: string | null, skill: string, completed: boolean, at = 0): InvocationInput => ({
  id,
  skill_name: skill,
  invoked_at: T0 + at,
  session_id: `s-${user ?? 'anon'}`,
  user_id: user,
  completed,
});

const interactions = async (store: Awaited<ReturnType<typeof openStore>>) =>
  store.db
    .selectFrom('skill_user_interactions')
    .select(['user_id', 'skill_name', 'invocation_count', 'completed_count', 'first_used', 'last_used'])
    .orderBy('user_id')
    .orderBy('skill_name')
    .execute();

describe.each(storeFactories)('user pseudonyms and interactions [$name]', (factory) => {
  afterAll(() => factory.cleanup());

  it('keeps interactions under keyed pseudonyms, never the raw id', async () => {
    const { store } = await factory.create({ userPseudonymSecret: SECRET });
    try {
      const events: RecordedEvent[] = [];
      store.onRecorded((event) => events.push(event));
      await recordInvocations(store, [
        item('1', 'ann', 'lint', true, 10),
        item('2', 'ann', 'lint', false, 5),
        item('3', 'ann', 'test', true, 20),
        item('4', 'bob', 'lint', true, 30),
        item('5', null, 'lint', true, 40),
      ]);
      const ann = userPseudonym(store, 'ann');
      const bob = userPseudonym(store, 'bob');
      expect(ann).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(ann).not.toBe(bob);
      expect(hasUserPseudonyms(store)).toBe(true);
      expect(await interactions(store)).toEqual(
        [
          { user_id: ann, skill_name: 'lint', invocation_count: 2, completed_count: 1, first_used: T0 + 5, last_used: T0 + 10 },
          { user_id: ann, skill_name: 'test', invocation_count: 1, completed_count: 1, first_used: T0 + 20, last_used: T0 + 20 },
          { user_id: bob, skill_name: 'lint', invocation_count: 1, completed_count: 1, first_used: T0 + 30, last_used: T0 + 30 },
        ].sort((a, b) => (a.user_id < b.user_id ? -1 : a.user_id > b.user_id ? 1 : a.skill_name < b.skill_name ? -1 : 1)),
      );
      expect(events.at(-1)!.users.sort()).toEqual([ann, bob].sort());
      // A repeated batch changes nothing.
      await recordInvocations(store, [item('1', 'ann', 'lint', true, 10)]);
      expect((await interactions(store)).find((r) => r.user_id === ann && r.skill_name === 'lint')!.invocation_count).toBe(2);
      expect(await verifyRollups(store)).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('first open with a secret builds interactions from what is stored; a different secret is refused', async () => {
    const { store, reopen } = await factory.create();
    let secured: Awaited<ReturnType<typeof openStore>> | undefined;
    try {
      expect(hasUserPseudonyms(store)).toBe(false);
      expect(() => userPseudonym(store, 'ann')).toThrow(/userPseudonymSecret/);
      await recordInvocations(store, [
        item('1', 'ann', 'lint', true, 1),
        item('2', 'ann', 'lint', true, 2),
        item('3', 'cy', 'docs', false, 3),
      ]);
      expect(await interactions(store)).toEqual([]);

      secured = await reopen({ userPseudonymSecret: SECRET });
      expect((await interactions(secured)).map((r) => [r.user_id, r.skill_name, r.invocation_count, r.completed_count]).sort()).toEqual(
        [
          [userPseudonym(secured, 'ann'), 'lint', 2, 2],
          [userPseudonym(secured, 'cy'), 'docs', 1, 0],
        ].sort(),
      );
      expect(await verifyRollups(secured)).toEqual([]);

      // Still a StoreOpenError with this message, now also saying why in `reason`.
      await expect(reopen({ userPseudonymSecret: 'another-secret-16-bytes' })).rejects.toThrow(StoreOpenError);
      await expect(reopen({ userPseudonymSecret: 'another-secret-16-bytes' })).rejects.toThrow(
        new UserPseudonymSecretError(
          'different-secret',
          "userPseudonymSecret does not match the secret this store's user pseudonyms were made with",
        ),
      );
      await expect(reopen({ userPseudonymSecret: 'short' })).rejects.toThrow('userPseudonymSecret: expected at least 16 bytes (got 5)');

      // The store opened before the secret was set can no longer record: its batch would miss the interactions.
      const before = await store.db
        .selectFrom('skill_invocation')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      await expect(recordInvocations(store, [item('9', 'ann', 'lint', true, 9)])).rejects.toThrow(StorageError);
      await expect(recordInvocations(store, [item('9', 'ann', 'lint', true, 9)])).rejects.toThrow(
        /open it with the same userPseudonymSecret/,
      );
      const after = await store.db
        .selectFrom('skill_invocation')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(after.n)).toBe(Number(before.n));
    } finally {
      await secured?.close();
      await store.close();
    }
  });

  it('forgetUserInteractions removes the user now and keeps them out of later batches', async () => {
    const { store, reopen } = await factory.create({ userPseudonymSecret: SECRET });
    try {
      await recordInvocations(store, [item('1', 'ann', 'lint', true), item('2', 'ann', 'test', true), item('3', 'bob', 'lint', true)]);
      expect(await forgetUserInteractions(store, 'ann')).toBe(2);
      expect(await forgetUserInteractions(store, 'ann')).toBe(0);
      await recordInvocations(store, [item('4', 'ann', 'docs', true), item('5', 'bob', 'docs', true)]);
      const bob = userPseudonym(store, 'bob');
      expect((await interactions(store)).map((r) => [r.user_id, r.skill_name])).toEqual([
        [bob, 'docs'],
        [bob, 'lint'],
      ]);
      expect(await verifyRollups(store)).toEqual([]);
      const again = await reopen({ userPseudonymSecret: SECRET });
      expect((await interactions(again)).map((r) => r.user_id)).toEqual([bob, bob]);
      await again.close();
      await expect(forgetUserInteractions(store, ' ')).rejects.toThrow('userId: expected a non-empty string');
    } finally {
      await store.close();
    }
  });
});
