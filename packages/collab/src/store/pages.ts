/** Rows per page when a whole table is read in key order. */
export const PAGE_SIZE = 50_000;

/**
 * Reads a table page by page in key order (keyset paging: each page starts after the last row of
 * the one before, so no offset is rescanned) and hands each page to `visit`. `fetch(after)` returns
 * up to PAGE_SIZE rows after `after` (the first page when undefined).
 */
export async function forEachPage<Row>(fetch: (after: Row | undefined) => Promise<Row[]>, visit: (page: Row[]) => void): Promise<void> {
  let after: Row | undefined;
  for (;;) {
    const page = await fetch(after);
    visit(page);
    if (page.length < PAGE_SIZE) return;
    after = page[page.length - 1]!;
  }
}
