import type { WriteTx } from './dialect/store-driver.js';
import type { InvocationRow } from './invocation.js';
import { INVOCATION_COLUMNS } from './queries/invocation-view.js';

/** The columns that make two invocations the same event: every stored column but the id and `created_at` (when it was recorded), and the embedding. */
type ContentColumn = Exclude<(typeof INVOCATION_COLUMNS)[number], 'id' | 'created_at'> | 'embedding';
const CONTENT_COLUMNS: readonly ContentColumn[] = [
  ...INVOCATION_COLUMNS.filter(
    (c): c is Exclude<(typeof INVOCATION_COLUMNS)[number], 'id' | 'created_at'> => c !== 'id' && c !== 'created_at',
  ),
  'embedding',
];

type Content = Pick<InvocationRow, ContentColumn>;

/** Ids per read: well under both dialects' bound-parameter limits. */
const CHUNK = 500;

/**
 * The ids of the duplicates whose content differs from the row kept under their id: the stored row
 * for an id already in the store, the batch's first item for an id repeated within the batch. A
 * duplicate is dropped either way (the id decides); this only lets a caller say that two different
 * events shared one id.
 *
 * @param rows every valid item of the batch, in input order
 * @param kept the rows the batch tried to insert (first per id), and whether each was inserted
 */
export async function findDifferingDuplicates(
  tx: WriteTx,
  rows: readonly InvocationRow[],
  kept: readonly InvocationRow[],
  inserted: readonly boolean[],
): Promise<string[]> {
  const firstById = new Map<string, { row: Content; stored: boolean }>();
  for (const [i, row] of kept.entries()) firstById.set(row.id, { row, stored: !inserted[i] });
  const storedIds = kept.filter((_, i) => !inserted[i]).map((row) => row.id);
  const stored = new Map<string, Content>();
  for (let i = 0; i < storedIds.length; i += CHUNK) {
    const found = await tx.select(
      tx.db
        .selectFrom('skill_invocation')
        .select(['id', ...CONTENT_COLUMNS])
        .where('id', 'in', storedIds.slice(i, i + CHUNK)),
    );
    for (const row of found) stored.set(row.id, row as unknown as Content);
  }
  const differing: string[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    const first = firstById.get(row.id)!;
    const isFirst = !seen.has(row.id);
    seen.add(row.id);
    if (isFirst && !first.stored) continue; // newly inserted: not a duplicate
    const reference = first.stored ? stored.get(row.id) : first.row;
    if (reference !== undefined && !sameContent(row, reference)) differing.push(row.id);
  }
  return differing;
}

function sameContent(a: Content, b: Content): boolean {
  for (const column of CONTENT_COLUMNS) {
    if (column === 'embedding') {
      if (!sameBytes(a.embedding, b.embedding)) return false;
    } else if (!sameValue(a[column], b[column])) {
      return false;
    }
  }
  return true;
}

/** Numbers compare by value: drivers may hand back a BIGINT or REAL as a string or number. */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === null || b === null || a === undefined || b === undefined) return (a ?? null) === (b ?? null);
  if (typeof a === 'number' || typeof b === 'number') return Number(a) === Number(b);
  return a === b;
}

function sameBytes(a: Uint8Array | null, b: Uint8Array | null): boolean {
  if (a === null || b === null) return a === b;
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}
