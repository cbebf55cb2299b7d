import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  eraseUserInvocations,
  openStore,
  recordInvocations,
  searchInvocationOutcomes,
  searchInvocations,
  StoreReadOnlyError,
  type Store,
} from '../src/index.js';
import { T0, storeFactories } from './helpers.js';

const queries = [
  'run the failing auth tests',
  'auth tests pass',
  'lint the auth module',
  'the and or not',
  'run tests',
  'AND OR NEAR "quoted"',
  'Café crème and naïve résumé',
  'cafe creme, naive resume',
  'two cafés',
];

/** Six queries, each recorded five times, one second apart (ids q<query>-<n>). */
const items = queries.flatMap((query, q) =>
  Array.from({ length: 5 }, (_, n) => ({
    id: `q${q}-${n}`,
    skill_name: q % 2 === 0 ? 'pytest-run' : 'ruff-check',
    session_id: 's1',
    invoked_at: T0 + (q * 5 + n) * 1000,
    user_query: query,
  })),
);

/** The same questions on every database. */
const cases: [string, { limit?: number; skill?: string }][] = [
  ['auth AND tests', {}],
  ['auth tests', { limit: 3 }],
  ['the', {}],
  ['THE Auth', {}],
  ['tested', { skill: 'ruff-check' }],
  ['"quoted" OR near', {}],
  ['not auth', { limit: 4 }],
  ['cafe', {}],
  ['café', {}],
  ['CAFÉS naïve', {}],
  ['resume', { limit: 3 }],
  ['crème résumé', {}],
];

describe('searchInvocations gives the same answer on every database', () => {
  const answers = new Map<string, string[][]>();
  beforeAll(async () => {
    for (const factory of storeFactories) {
      const { store } = await factory.create();
      await recordInvocations(store, items);
      answers.set(
        factory.name,
        await Promise.all(cases.map(async ([text, options]) => (await searchInvocations(store, text, options)).map((i) => i.id))),
      );
      await store.close();
    }
  });
  afterAll(async () => {
    for (const factory of storeFactories) await factory.cleanup();
  });

  it('matches every word that is not a stop word, stemmed, newest first; operators are plain words', () => {
    expect(answers.get('sqlite')).toEqual([
      ['q1-4', 'q1-3', 'q1-2', 'q1-1', 'q1-0', 'q0-4', 'q0-3', 'q0-2', 'q0-1', 'q0-0'],
      ['q1-4', 'q1-3', 'q1-2'],
      [],
      ['q2-4', 'q2-3', 'q2-2', 'q2-1', 'q2-0', 'q1-4', 'q1-3', 'q1-2', 'q1-1', 'q1-0', 'q0-4', 'q0-3', 'q0-2', 'q0-1', 'q0-0'],
      ['q1-4', 'q1-3', 'q1-2', 'q1-1', 'q1-0'],
      ['q5-4', 'q5-3', 'q5-2', 'q5-1', 'q5-0'],
      ['q2-4', 'q2-3', 'q2-2', 'q2-1'],
      // Accents count, as PostgreSQL's stemmer keeps them: cafe ≠ café, but cafés = café.
      ['q7-4', 'q7-3', 'q7-2', 'q7-1', 'q7-0'],
      ['q8-4', 'q8-3', 'q8-2', 'q8-1', 'q8-0', 'q6-4', 'q6-3', 'q6-2', 'q6-1', 'q6-0'],
      ['q6-4', 'q6-3', 'q6-2', 'q6-1', 'q6-0'],
      ['q7-4', 'q7-3', 'q7-2'],
      ['q6-4', 'q6-3', 'q6-2', 'q6-1', 'q6-0'],
    ]);
  });

  it.runIf(storeFactories.length > 1)('PostgreSQL answers exactly as SQLite', () => {
    expect(answers.get('postgres')).toEqual(answers.get('sqlite'));
  });
});

describe('a read-only store', () => {
  const factory = storeFactories[0]!;
  let url: string;
  let reader: Store;
  beforeAll(async () => {
    const created = await factory.create();
    url = created.url;
    await recordInvocations(created.store, items.slice(0, 10));
    await searchInvocations(created.store, 'auth'); // the first ten rows are indexed
    await recordInvocations(created.store, items.slice(10)); // the rest are not
    await created.store.close();
    reader = await openStore(url, { readonly: true });
  });
  afterAll(async () => {
    await reader.close();
    await factory.cleanup();
  });

  it('searches rows the full-text index does not hold yet, as a writable store would', async () => {
    const state = await sql<{ through: number; last: number }>`
      select (select indexed_through from skill_invocation_fts_state) as through, (select max(rowid) from skill_invocation) as last`.execute(
      reader.db,
    );
    expect(state.rows).toEqual([{ through: 10, last: 45 }]);
    const newestFirst = (q: number[]) => q.flatMap((n) => [4, 3, 2, 1, 0].map((i) => `q${n}-${i}`));
    expect((await searchInvocations(reader, 'auth', { limit: 100 })).map((i) => i.id)).toEqual(newestFirst([2, 1, 0]));
    expect((await searchInvocations(reader, 'module')).map((i) => i.id)).toEqual(newestFirst([2]));
    // Asked again, the temporary index is not filled twice.
    expect((await searchInvocations(reader, 'tests', { limit: 100 })).map((i) => i.id)).toEqual(newestFirst([4, 1, 0]));
    expect((await searchInvocations(reader, 'cafés', { limit: 100 })).map((i) => i.id)).toEqual(newestFirst([8, 6]));
  });

  it('refuses a write with a StoreReadOnlyError that says nothing was written', async () => {
    const error = await recordInvocations(reader, [{ skill_name: 'x', session_id: 's', invoked_at: T0 }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreReadOnlyError);
    expect((error as Error).message).toBe(
      `the store ${url} is read-only (opened read-only, or its file or folder is not writable by this user): nothing was written`,
    );
  });
});

describe.each(storeFactories)('searchInvocations of a word thousands of rows share [$name]', (factory) => {
  // 3,000 of 12,040 rows say "coverage", 40 say "flaky"; recorded out of time order, so rowid
  // order is not time order. A SQLite search of the common word looks among the newest rows first
  // (then more, then all), and must give the same newest-first answer.
  const rows = Array.from({ length: 12_040 }, (_, n) => ({
    id: `c${String(n).padStart(5, '0')}`,
    skill_name: n % 3 === 0 ? 'coverage-report' : 'pytest-run',
    session_id: `s${n % 50}`,
    completed: n % 5 === 0,
    // A permutation of the times, with ties (every 7th row shares its neighbour's second).
    invoked_at: T0 + ((n * 7919) % 12_040) * 1000 - (n % 7 === 0 ? 1000 : 0),
    user_query: n >= 12_000 ? `flaky test ${n}` : n % 4 === 0 ? `show coverage for module ${n % 40}` : `run step ${n % 97}`,
  }));
  const expected = (word: string, limit: number, skill?: string) =>
    rows
      .filter((r) => r.user_query.includes(word) && (skill === undefined || r.skill_name === skill))
      .sort((a, b) => b.invoked_at - a.invoked_at || (a.id < b.id ? 1 : -1))
      .slice(0, limit)
      .map((r) => r.id);
  let store: Store;
  let url: string;
  beforeAll(async () => {
    ({ store, url } = await factory.create());
    // Recorded last id first, so among rows of the same second rowid order is the reverse of id order.
    const reversed = [...rows].reverse();
    for (let i = 0; i < reversed.length; i += 2_000) await recordInvocations(store, reversed.slice(i, i + 2_000));
  });
  afterAll(async () => {
    await store.close();
    await factory.cleanup();
  });

  it('newest first, ties by id, with and without a skill, across pages', async () => {
    expect((await searchInvocations(store, 'coverage')).map((i) => i.id)).toEqual(expected('coverage', 20));
    expect((await searchInvocations(store, 'show coverage', { limit: 1000 })).map((i) => i.id)).toEqual(expected('coverage', 1000));
    expect((await searchInvocations(store, 'coverage', { skill: 'coverage-report', limit: 250 })).map((i) => i.id)).toEqual(
      expected('coverage', 250, 'coverage-report'),
    );
    expect((await searchInvocations(store, 'flaky', { limit: 100 })).map((i) => i.id)).toEqual(expected('flaky', 100));
    // Deeper than the newest rows hold: the search widens, up to all of them.
    expect((await searchInvocations(store, 'coverage', { limit: 1000, skill: 'coverage-report' })).map((i) => i.id)).toEqual(
      expected('coverage', 1000, 'coverage-report'),
    );
  }, 30_000);

  it('searchInvocationOutcomes: the same matches in the same order, only skill and completion', async () => {
    const searches: [string, { limit?: number; skill?: string }][] = [
      ['coverage', {}],
      ['show coverage', { limit: 1000 }],
      ['coverage', { skill: 'coverage-report', limit: 250 }],
      ['flaky', { limit: 100 }],
      ['coverage', { limit: 1000, skill: 'coverage-report' }],
    ];
    for (const [text, options] of searches) {
      const outcomes = (await searchInvocations(store, text, options)).map((i) => ({
        id: i.id,
        skill_name: i.skill_name,
        completed: i.completed,
      }));
      expect(outcomes.length).toBeGreaterThan(0);
      expect(await searchInvocationOutcomes(store, text, options)).toEqual(outcomes);
    }
  }, 30_000);
  // SQLite only (a read-only PostgreSQL store has no index of its own to lag): defined, not skipped, there.
  if (factory.name === 'sqlite')
    it("on a read-only store, rows not yet indexed among a common word's newest matches", async () => {
      // 3,000 more rows, newer, half saying "coverage", recorded without a search: the read-only
      // store searches them in its temporary index, merged newest rowid first with the stored one.
      const later = Array.from({ length: 3_000 }, (_, n) => ({
        id: `d${String(n).padStart(5, '0')}`,
        skill_name: 'coverage-report',
        session_id: 's-later',
        invoked_at: T0 + (12_040 + ((n * 7) % 3_000)) * 1000,
        user_query: n % 2 === 0 ? `show coverage for step ${n}` : `run step ${n}`,
      }));
      for (let i = 0; i < later.length; i += 1_000) await recordInvocations(store, later.slice(i, i + 1_000));
      const all = [...rows, ...later];
      const newest = (limit: number) =>
        all
          .filter((r) => r.user_query.includes('coverage'))
          .sort((a, b) => b.invoked_at - a.invoked_at || (a.id < b.id ? 1 : -1))
          .slice(0, limit)
          .map((r) => r.id);
      const reader = await openStore(url, { readonly: true });
      try {
        expect((await searchInvocations(reader, 'coverage', { limit: 300 })).map((i) => i.id)).toEqual(newest(300));
        expect((await searchInvocations(reader, 'show coverage', { limit: 1000 })).map((i) => i.id)).toEqual(newest(1000));
        expect((await searchInvocationOutcomes(reader, 'coverage', { limit: 100 })).map((o) => o.id)).toEqual(newest(100));
      } finally {
        await reader.close();
      }
    }, 30_000);
});

describe.each(storeFactories)('searchInvocationOutcomes of the accent and stop-word cases [$name]', (factory) => {
  let store: Store;
  beforeAll(async () => {
    ({ store } = await factory.create());
    await recordInvocations(
      store,
      items.map((item, n) => ({ ...item, completed: n % 3 === 0 })),
    );
  });
  afterAll(async () => {
    await store.close();
    await factory.cleanup();
  });

  it("gives searchInvocations' matches, only skill and completion", async () => {
    for (const [text, options] of cases) {
      const outcomes = (await searchInvocations(store, text, options)).map((i) => ({
        id: i.id,
        skill_name: i.skill_name,
        completed: i.completed,
      }));
      expect(await searchInvocationOutcomes(store, text, options)).toEqual(outcomes);
    }
    await expect(searchInvocationOutcomes(store, '  ')).rejects.toThrow(/expected at least one word/);
  });
});

describe.each(storeFactories)('searchInvocations as rows arrive, are erased and are moved [$name]', (factory) => {
  // Rows recorded in time order (SQLite then reads only the greatest rowids: its time bounds say
  // no older row can enter the page), then the newest rows erased (SQLite gives the next rows
  // their rowids again), then an old row's time moved past every other: each answer as sorting
  // every match by time gives.
  const row = (n: number, at: number, user = 'u-kept') => ({
    id: `r${String(n).padStart(5, '0')}`,
    skill_name: n % 2 === 0 ? 'coverage-report' : 'pytest-run',
    session_id: `s${n % 20}`,
    user_id: user,
    invoked_at: T0 + at * 1000,
    user_query: n % 3 === 0 ? `show coverage for module ${n % 40}` : `run step ${n % 97}`,
  });
  const live = new Map<string, { id: string; invoked_at: number; user_query: string }>();
  const expected = (word: string, limit: number) =>
    [...live.values()]
      .filter((r) => r.user_query.includes(word))
      .sort((a, b) => b.invoked_at - a.invoked_at || (a.id < b.id ? 1 : -1))
      .slice(0, limit)
      .map((r) => r.id);
  const record = async (store: Store, rows: ReturnType<typeof row>[]) => {
    for (let i = 0; i < rows.length; i += 1_000) await recordInvocations(store, rows.slice(i, i + 1_000));
    for (const r of rows) live.set(r.id, r);
  };

  it('gives the newest matches whatever happened to the rows', async () => {
    const { store } = await factory.create();
    try {
      await record(
        store,
        Array.from({ length: 6_000 }, (_, n) => row(n, n)),
      );
      expect((await searchInvocations(store, 'coverage', { limit: 100 })).map((i) => i.id)).toEqual(expected('coverage', 100));

      // The newest 1,500 rows belonged to one user, who is erased; 2,000 newer rows follow.
      await record(
        store,
        Array.from({ length: 1_500 }, (_, n) => row(6_000 + n, 6_000 + n, 'u-gone')),
      );
      expect(await eraseUserInvocations(store, 'u-gone')).toBe(1_500);
      for (const [id, r] of live) if (Number(id.slice(1)) >= 6_000) live.delete(r.id);
      expect((await searchInvocations(store, 'coverage', { limit: 50 })).map((i) => i.id)).toEqual(expected('coverage', 50));
      await record(
        store,
        Array.from({ length: 2_000 }, (_, n) => row(8_000 + n, 8_000 + n)),
      );
      expect((await searchInvocations(store, 'coverage', { limit: 300 })).map((i) => i.id)).toEqual(expected('coverage', 300));

      // An old, long indexed row moved to after every other (by SQL: the API never moves a row).
      await sql`update skill_invocation set invoked_at = ${T0 + 20_000_000} where id = 'r00003'`.execute(store.db);
      live.set('r00003', { ...live.get('r00003')!, invoked_at: T0 + 20_000_000 });
      expect((await searchInvocations(store, 'coverage', { limit: 20 })).map((i) => i.id)).toEqual(expected('coverage', 20));
      expect((await searchInvocationOutcomes(store, 'show coverage', { limit: 100 })).map((o) => o.id)).toEqual(expected('coverage', 100));
      expect((await searchInvocations(store, 'coverage', { limit: 20 }))[0]!.id).toBe('r00003');
    } finally {
      await store.close();
      await factory.cleanup();
    }
  }, 30_000);
});
