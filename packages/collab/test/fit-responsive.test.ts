import { userPseudonym, type Store } from '@skills/storage';
import { createStoreFactories } from '@skills/storage/testing';
import { createRandom } from '@skills/synth';
import { afterAll, describe, expect, it } from 'vitest';
import { buildEaseModel, recommendByItems, recommendSkills, similarUsers, type InteractionRow } from '../src/index.js';
import { easeModel, population, readTarget } from '../src/store/collab-cache.js';

const SECRET = 'collab-fit-responsive-secret';
const SKILLS = 500;
const USERS = 3_000;
const factories = createStoreFactories({ postgresUrl: process.env.SKILLS_TEST_PG_URL, prefix: 'skills-collab-fit-' });

/** 3,000 users in 60 groups, each with 16 of their group's 25 favourites and 4 skills from all 500. */
function interactionRows(): InteractionRow[] {
  const random = createRandom(17);
  const favourites = Array.from({ length: 60 }, () => {
    const chosen = new Set<number>();
    while (chosen.size < 25) chosen.add(random.int(SKILLS));
    return [...chosen];
  });
  const rows: InteractionRow[] = [];
  for (let u = 0; u < USERS; u++) {
    const group = favourites[u % favourites.length]!;
    const skills = new Set<number>();
    while (skills.size < 16) skills.add(group[random.int(group.length)]!);
    while (skills.size < 20) skills.add(random.int(SKILLS));
    for (const skill of skills) {
      const total = 1 + random.int(4);
      rows.push({ user: `user-${u}`, skill: `skill-${String(skill).padStart(3, '0')}`, total, completed: random.int(total + 1) });
    }
  }
  // Every skill used by someone, so the model is 500 × 500.
  for (let s = 0; s < SKILLS; s++) rows.push({ user: `user-${s}`, skill: `skill-${String(s).padStart(3, '0')}`, total: 1, completed: 1 });
  return rows;
}

async function fill(store: Store, rows: readonly InteractionRow[]): Promise<void> {
  const merged = new Map<string, InteractionRow>();
  for (const row of rows) {
    const key = `${row.user}\u0000${row.skill}`;
    const seen = merged.get(key);
    merged.set(key, seen ? { ...row, total: seen.total + row.total, completed: seen.completed + row.completed } : row);
  }
  const values = [...merged.values()].map((row) => ({
    user_id: userPseudonym(store, row.user),
    skill_name: row.skill,
    invocation_count: row.total,
    completed_count: row.completed,
    first_used: 0,
    last_used: 0,
  }));
  for (let at = 0; at < values.length; at += 1_000) {
    await store.db
      .insertInto('skill_user_interactions')
      .values(values.slice(at, at + 1_000))
      .execute();
  }
}

/** Runs `work` while a 5 ms timer measures the longest gap between its ticks (the event loop's longest stall). */
async function longestStall<T>(work: () => Promise<T>): Promise<{ value: T; stall: number; wall: number }> {
  let longest = 0;
  let last = performance.now();
  const probe = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 5);
  const start = performance.now();
  try {
    const value = await work();
    const wall = performance.now() - start;
    longest = Math.max(longest, performance.now() - last);
    return { value, stall: longest, wall };
  } finally {
    clearInterval(probe);
  }
}

describe.each(factories)('the EASE fit keeps the event loop responsive [$name]', (factory) => {
  afterAll(() => factory.cleanup());

  it("fits 500 skills × 3,000 users in slices (longest stall < 400 ms; the synchronous fit is one stall of > 1 s here), shared by concurrent callers, with the synchronous fit's answers", async () => {
    const { store } = await factory.create({ userPseudonymSecret: SECRET });
    try {
      const rows = interactionRows();
      await fill(store, rows);
      await similarUsers(store, 'user-1'); // loads the population: not what is measured
      const [first, second] = ['user-1', 'user-2'];
      const { value, stall, wall } = await longestStall(() =>
        Promise.all([recommendSkills(store, first, { limit: 5 }), recommendSkills(store, second, { limit: 5 })]),
      );
      // The reference: the synchronous fit over the population the store loaded.
      const entry = population(store, 1, 3_600_000, Date.now());
      const loaded = await entry.population;
      expect(loaded.skillIds.size).toBe(SKILLS);
      expect(loaded.users.length).toBe(USERS);
      const model = buildEaseModel(loaded);
      const expected = await Promise.all(
        [first, second].map(async (user) => recommendByItems(loaded, model, await readTarget(store, user), 5)),
      );
      expect(value).toEqual(expected);
      expect(value[0]!.length).toBe(5);
      expect(stall, `longest stall ${stall.toFixed(0)} ms of a ${wall.toFixed(0)} ms fit`).toBeLessThan(400);

      // Callers asking while the model is fitted get the same fit.
      entry.ease?.clear();
      const [a, b] = await Promise.all([easeModel(entry, undefined), easeModel(entry, undefined)]);
      expect(a).toBe(b);
      expect(Array.from(a.weights)).toEqual(Array.from(model.weights));
    } finally {
      await store.close();
    }
  }, 120_000);

  it('after the TTL, the EASE model in use is refitted on the fresh population before it replaces the old one', async () => {
    const { store } = await factory.create({ userPseudonymSecret: SECRET });
    try {
      await fill(store, interactionRows().slice(0, 2_000));
      const now = Date.now();
      const before = await recommendSkills(store, 'user-1', { limit: 3, now });
      const old = population(store, 1, 3_600_000, now);
      // Past the TTL: the old population answers and a fresh one loads in the background.
      expect(await recommendSkills(store, 'user-1', { limit: 3, now: now + 3_600_001 })).toEqual(before);
      let fresh = old;
      for (let i = 0; i < 2_000 && fresh === old; i++) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        fresh = population(store, 1, 3_600_000, now + 3_600_001);
      }
      expect(fresh).not.toBe(old);
      // Swapped in with its model already fitted: the same model object is handed out at once.
      const models = [...fresh.ease!.values()];
      expect(models.length).toBe(1);
      // (A fit still running would need hundreds of 8 ms slices, not one turn of the event loop.)
      let fitted = false;
      void models[0]!.then(() => (fitted = true));
      await new Promise((resolve) => setImmediate(resolve));
      expect(fitted).toBe(true);
      expect(await recommendSkills(store, 'user-1', { limit: 3, now: now + 3_600_002 })).toEqual(before);
    } finally {
      await store.close();
    }
  }, 120_000);
});
