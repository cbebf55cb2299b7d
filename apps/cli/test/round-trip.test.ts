import { PassThrough, Readable } from 'node:stream';
import { createStoreFactories } from '@skills/storage/testing';
import type { Store } from '@skills/storage';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportInvocations } from '../src/commands/export.js';
import { importJsonl } from '../src/jsonl-import.js';

const factories = createStoreFactories({ postgresUrl: process.env.SKILLS_TEST_PG_URL, prefix: 'skills-cli-rt-' });

/** Text from characters at the edges of the text rule, mixed with ordinary ones. */
const text = (maxLength: number) =>
  fc.oneof(
    { arbitrary: fc.string({ minLength: 1, maxLength }), weight: 8 },
    { arbitrary: fc.string({ unit: 'binary', maxLength }), weight: 1 },
    {
      arbitrary: fc
        .array(fc.constantFrom('a', 'Z', ' ', 'é', '😀', '\u0000', '\ud800', '\udfff', '\u3000', '\ufeff', '\n', '"', '\\'), { maxLength })
        .map((parts) => parts.join('')),
      weight: 1,
    },
  );

/** Times as numbers and as ISO text, pre-1970 and far future included. */
const time = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 4e12 }), weight: 6 },
  { arbitrary: fc.integer({ min: -1e12, max: 9e15 }), weight: 1 },
  { arbitrary: fc.date({ min: new Date(-2e12), max: new Date(4e12), noInvalidDate: true }).map((date) => date.toISOString()), weight: 2 },
  {
    arbitrary: fc.constantFrom(0, '1970-01-01T00:00:00Z', '1969-12-31T23:59:59.999Z', '2026-03-01 12:00', '2026-01-01T10:00:00+05:30'),
    weight: 1,
  },
);

const number = fc.oneof(
  { arbitrary: fc.double({ min: 0, max: 1e4, noNaN: true }), weight: 6 },
  { arbitrary: fc.double(), weight: 1 },
  fc.constantFrom(0, -0, 5e-324, 1e9, 1e9 + 1, 1e308, 3.4028234663852886e38, 3.5e38, 1e-45, 2 ** 31 - 1, 2 ** 31),
);

const invocation = fc.record(
  {
    skill_name: text(12),
    session_id: text(12),
    invoked_at: time,
    user_id: fc.option(text(12)),
    workflow_path: fc.option(text(12)),
    workflow_phase: fc.option(text(8)),
    workflow_step_id: fc.option(text(8)),
    completed: fc.constantFrom(true, false, 0, 1),
    duration_seconds: fc.option(number),
    user_query: fc.option(text(40)),
    alternatives_considered: fc.option(fc.array(text(8), { maxLength: 3 })),
    selection_rank: fc.option(fc.oneof({ arbitrary: fc.integer({ min: 1, max: 10 }), weight: 6 }, fc.integer({ min: -2, max: 0 }), number)),
    follow_up_actions: fc.option(fc.array(text(8), { maxLength: 3 })),
    error_type: fc.option(text(12)),
    created_at: time,
    embedding: fc.option(fc.array(number, { maxLength: 4 })),
  },
  { requiredKeys: ['skill_name', 'session_id', 'invoked_at'] },
);

async function exportText(store: Store): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  await exportInvocations(store, {}, out);
  out.end();
  return Buffer.concat(chunks).toString('utf8');
}

/** The exported lines of one run (ids `r<run>-…`). */
const linesOf = (exported: string, run: number) => exported.split('\n').filter((line) => line.startsWith(`{"id":"r${run}-`));

describe.each(factories)('export and import [$name]', (factory) => {
  let first: Store;
  let second: Store;
  beforeAll(async () => {
    first = (await factory.create()).store;
    second = (await factory.create()).store;
  });
  afterAll(async () => {
    await first.close();
    await second.close();
    await factory.cleanup();
  });

  it('imports back exactly what it exported, whatever the first import accepted', async () => {
    let run = 0;
    let kept = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(invocation, { minLength: 1, maxLength: 12 }), async (items) => {
        run += 1;
        const input = items.map((item, i) => JSON.stringify({ id: `r${run}-${i}`, ...item })).join('\n');
        const imported = await importJsonl(first, Readable.from([input]), { batchSize: 1000, skipInvalid: true });
        expect(imported.stopped).toBeNull();
        const exported = linesOf(await exportText(first), run);
        expect(exported.length).toBe(imported.inserted);
        kept += exported.length;

        const again = await importJsonl(second, Readable.from([exported.join('\n')]), { batchSize: 1000, skipInvalid: false });
        expect(again.issues).toEqual([]);
        expect(again).toMatchObject({ inserted: exported.length, rejected: 0, stopped: null });
        expect(linesOf(await exportText(second), run)).toEqual(exported);
      }),
      { numRuns: 40, seed: 1615 },
    );
    // The generators reach accepted items too, not only rejections.
    expect(kept).toBeGreaterThan(20);
  });
});
