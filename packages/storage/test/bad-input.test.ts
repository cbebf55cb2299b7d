import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listInvocations, recordInvocations, ValidationError, verifyRollups, type Store } from '../src/index.js';
import { T0, storeFactories } from './helpers.js';

const base = { skill_name: 'pytest-run', session_id: 's1', invoked_at: T0 };

async function rejection(store: Store, item: object): Promise<[number, string, string][]> {
  const error = await recordInvocations(store, [item as never]).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ValidationError);
  return (error as ValidationError).issues.map((issue) => [issue.index, issue.field, issue.message]);
}

async function count(store: Store): Promise<number> {
  const row = await store.db
    .selectFrom('skill_invocation')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe.each(storeFactories)('bad input [$name]', (factory) => {
  let store: Store;
  beforeAll(async () => {
    store = (await factory.create()).store;
  });
  afterAll(async () => {
    await store.close();
    await factory.cleanup();
  });

  it('refuses a lone surrogate with the field, and skipInvalid skips only that item', async () => {
    expect(await rejection(store, { ...base, skill_name: 'a\ud800' })).toEqual([
      [0, 'skill_name', 'must be valid Unicode: an unpaired surrogate U+D800 at character 1'],
    ]);
    const result = await recordInvocations(
      store,
      [
        { ...base, id: 'sur-ok' },
        { ...base, id: 'sur-bad', user_query: 'x\udc00y' },
      ],
      {
        skipInvalid: true,
      },
    );
    expect(result.inserted).toBe(1);
    expect(result.rejected).toEqual([
      {
        index: 1,
        issues: [{ index: 1, field: 'user_query', message: 'must be valid Unicode: an unpaired surrogate U+DC00 at character 1' }],
      },
    ]);
  });

  it('refuses a NUL character in any text field, list entries included, on both databases alike', async () => {
    expect(await rejection(store, { ...base, user_query: 'run\u0000tests' })).toEqual([
      [0, 'user_query', 'must not contain a NUL character (U+0000) (at character 3)'],
    ]);
    expect(await rejection(store, { ...base, follow_up_actions: ['commit', 'push\u0000'] })).toEqual([
      [0, 'follow_up_actions.1', 'must not contain a NUL character (U+0000) (at character 4)'],
    ]);
    expect(await rejection(store, { ...base, session_id: '\u0000' })).toEqual([
      [0, 'session_id', 'must not contain a NUL character (U+0000) (at character 0)'],
    ]);
  });

  it('keeps paired surrogates (emoji) and other Unicode exactly', async () => {
    const text = 'café 😀 \u3000 \uffff';
    await recordInvocations(store, [{ ...base, id: 'emoji', skill_name: 'émoji-😀', user_query: text, error_type: '\u00a0x' }]);
    const page = await listInvocations(store, { skill: 'émoji-😀' });
    expect(page.items.map((item) => [item.id, item.skill_name, item.user_query, item.error_type])).toEqual([
      ['emoji', 'émoji-😀', text, '\u00a0x'],
    ]);
  });

  it('bounds duration_seconds and selection_rank to what the columns and their sums hold', async () => {
    expect(await rejection(store, { ...base, duration_seconds: 1e308 })).toEqual([
      [0, 'duration_seconds', 'expected at most 1000000000 seconds'],
    ]);
    expect(await rejection(store, { ...base, selection_rank: 2 ** 31 })).toEqual([
      [0, 'selection_rank', 'Too big: expected number to be <=2147483647'],
    ]);
    await recordInvocations(store, [
      { ...base, id: 'max-1', skill_name: 'slow', duration_seconds: 1e9, completed: true, selection_rank: 2_147_483_647 },
      { ...base, id: 'max-2', skill_name: 'slow', duration_seconds: 1e9, completed: true },
    ]);
    const metrics = await store.db
      .selectFrom('skill_metrics')
      .select('total_duration_seconds')
      .where('skill_name', '=', 'slow')
      .executeTakeFirstOrThrow();
    expect(metrics.total_duration_seconds).toBe(2e9);
    expect(await verifyRollups(store)).toEqual([]);
  });

  it('refuses dates before 1970 given as ISO text, as it refuses negative epoch ms', async () => {
    expect(await rejection(store, { ...base, invoked_at: '1969-12-31T23:59:59Z' })).toEqual([
      [0, 'invoked_at', 'expected a date from 1970-01-01T00:00:00Z on (got 1969-12-31T23:59:59Z)'],
    ]);
    expect(await rejection(store, { ...base, created_at: '1900-01-01' })).toEqual([
      [0, 'created_at', 'expected a date from 1970-01-01T00:00:00Z on (got 1900-01-01)'],
    ]);
    await recordInvocations(store, [{ ...base, id: 'epoch', skill_name: 'epoch', invoked_at: '1970-01-01T00:00:00Z' }]);
    expect((await listInvocations(store, { skill: 'epoch' })).items[0]!.invoked_at).toBe(0);
  });

  it('refuses embedding values a float32 cannot hold, and raw bytes that are not whole finite float32s', async () => {
    expect(await rejection(store, { ...base, embedding: [0.5, 1e39] })).toEqual([
      [0, 'embedding.1', 'expected a float32 value (magnitude at most 3.4028234663852886e38)'],
    ]);
    expect(await rejection(store, { ...base, embedding: new Uint8Array(6) })).toEqual([
      [0, 'embedding', 'expected float32 bytes: a multiple of 4 bytes (got 6)'],
    ]);
    expect(await rejection(store, { ...base, embedding: new Uint8Array(Float32Array.of(1, Number.NaN).buffer) })).toEqual([
      [0, 'embedding', 'expected finite float32 values (value 1 is not)'],
    ]);
    const before = await count(store);
    await recordInvocations(store, [{ ...base, id: 'f32', skill_name: 'f32', embedding: [3.4028234663852886e38, -1e-45, 0.1] }]);
    expect((await listInvocations(store, { skill: 'f32', includeEmbedding: true })).items[0]!.embedding).toEqual([
      3.4028234663852886e38,
      -1.401298464324817e-45,
      Math.fround(0.1),
    ]);
    expect(await count(store)).toBe(before + 1);
  });

  it('names the duplicates whose content differs from the row kept under their id', async () => {
    await recordInvocations(store, [{ ...base, id: 'dup-a', skill_name: 'dups', duration_seconds: 1.5, embedding: [1, 2] }]);
    const result = await recordInvocations(store, [
      { ...base, id: 'dup-a', skill_name: 'dups', duration_seconds: 1.5, embedding: [1, 2], created_at: T0 + 99 }, // same event
      { ...base, id: 'dup-a', skill_name: 'dups', duration_seconds: 2.5, embedding: [1, 2] }, // another event, same id
      { ...base, id: 'dup-b', skill_name: 'dups', completed: true },
      { ...base, id: 'dup-b', skill_name: 'dups', completed: false }, // differs from the batch's first dup-b
      { ...base, id: 'dup-b', skill_name: 'dups', completed: true }, // the same as it
      { ...base, id: 'dup-a', skill_name: 'dups', duration_seconds: 1.5, embedding: [1, 3] }, // another embedding
    ]);
    expect(result).toMatchObject({ inserted: 1, duplicates: 5, differing: ['dup-a', 'dup-b', 'dup-a'] });
    const again = await recordInvocations(store, [{ ...base, id: 'dup-b', skill_name: 'dups', completed: true }]);
    expect(again).toMatchObject({ inserted: 0, duplicates: 1, differing: [] });
  });
});

/** Text near the text rule's edges: NUL, both halves of a surrogate pair alone and together, space. */
const edgyText = fc
  .array(fc.constantFrom('a', 'é', ' ', '\u0000', '\ud83d', '\ude00', '😀', '\u3000', '\ufeff', '\uffff', '\u0001', '\\', '"'), {
    maxLength: 6,
  })
  .map((parts) => parts.join(''));

const edgyItem = fc.record(
  {
    skill_name: edgyText,
    session_id: edgyText,
    user_id: fc.option(edgyText),
    workflow_phase: fc.option(edgyText),
    user_query: fc.option(edgyText),
    follow_up_actions: fc.option(fc.array(edgyText, { maxLength: 2 })),
    error_type: fc.option(edgyText),
  },
  { requiredKeys: ['skill_name', 'session_id'] },
);

describe('the text rule', () => {
  const stores: Store[] = [];
  beforeAll(async () => {
    for (const factory of storeFactories) stores.push((await factory.create()).store);
  });
  afterAll(async () => {
    for (const store of stores) await store.close();
    for (const factory of storeFactories) await factory.cleanup();
  });

  it('accepts exactly the same items on every database, and stores them alike', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(edgyItem, async (fields) => {
        const item = { ...fields, id: `t${n++}`, invoked_at: T0, created_at: T0 };
        const outcomes = await Promise.all(
          stores.map(async (store) => {
            try {
              await recordInvocations(store, [item as never]);
              const page = await listInvocations(store, { skill: item.skill_name.trim(), limit: 1000 });
              return { stored: page.items.find((row) => row.id === item.id) };
            } catch (error) {
              if (!(error instanceof ValidationError)) throw error;
              return { rejected: error.issues };
            }
          }),
        );
        for (const outcome of outcomes) expect(outcome).toEqual(outcomes[0]);
        const hasBadText = [
          item.skill_name,
          item.session_id,
          item.user_id,
          item.workflow_phase,
          item.user_query,
          item.error_type,
          ...(item.follow_up_actions ?? []),
        ].some(
          // biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is what the rule under test refuses
          (text) => typeof text === 'string' && /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text),
        );
        if (hasBadText) expect(outcomes[0]).toHaveProperty('rejected');
        if ('stored' in outcomes[0]!) {
          expect(outcomes[0].stored).toMatchObject({ skill_name: item.skill_name.trim(), user_query: item.user_query ?? null });
        }
      }),
      { numRuns: 150, seed: 16 },
    );
  });
});
