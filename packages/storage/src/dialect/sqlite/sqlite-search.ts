import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { SkillsDatabase } from '../../schema.js';
import type { SearchIndex, SearchQuery, SearchRow, StoreDriver } from '../store-driver.js';

/**
 * SQLite's search: FTS5 (`skill_invocation_fts`, porter + unicode61) over user queries. Rows are
 * not indexed as they are inserted (indexing each one would cost more than the insert): the index
 * follows a watermark, `skill_invocation_fts_state.indexed_through` (schema 0008), and `refresh`
 * indexes every row above it in one pass. A read-only store cannot write its index: the rows above
 * the watermark are searched in a temporary index of this connection instead.
 */
export function sqliteSearchIndex(driver: Omit<StoreDriver, 'search'>): SearchIndex {
  const { db } = driver;
  const refresh = async (): Promise<number> => {
    if (driver.readonly || !(await hasPendingSearchRows(db))) return 0;
    return driver.maintenanceTransaction((trx) => indexPendingSearchRows(trx));
  };
  return {
    refresh,
    async find(query) {
      let unindexed = false;
      if (driver.readonly) unindexed = await indexInTemporaryTable(db);
      else await refresh();
      return findMatches(db, query, unindexed);
    },
  };
}

/**
 * Index every row stored since the last call in one statement, and move the watermark to the
 * last row: inside a write transaction, so no row arrives between the two.
 */
async function indexPendingSearchRows(db: Kysely<SkillsDatabase>): Promise<number> {
  const state = await sql<{ watermark: number; last: number }>`
    select indexed_through as watermark, (select coalesce(max(rowid), 0) from skill_invocation) as last
    from skill_invocation_fts_state`.execute(db);
  const { watermark, last } = state.rows[0]!;
  const indexed = await sql`
    insert into skill_invocation_fts (rowid, user_query)
    select rowid, user_query from skill_invocation
    where rowid > ${Number(watermark)} and rowid <= ${Number(last)} and user_query is not null`.execute(db);
  await sql`update skill_invocation_fts_state set indexed_through = ${Number(last)}`.execute(db);
  return Number(indexed.numAffectedRows ?? 0n);
}

/** Whether rows were stored since the index was last brought up to date (two index seeks). */
async function hasPendingSearchRows(db: Kysely<SkillsDatabase>): Promise<boolean> {
  const result = await sql<{ pending: number }>`
    select (select coalesce(max(rowid), 0) from skill_invocation) > indexed_through as pending
    from skill_invocation_fts_state`.execute(db);
  return Boolean(result.rows[0]?.pending);
}

type MatchedRow = SearchRow & { row_id: number };

async function findMatches(db: Kysely<SkillsDatabase>, query: SearchQuery, unindexed: boolean): Promise<SearchRow[]> {
  const { words, limit, columns } = query;
  const skillFilter = query.skill === undefined ? sql`` : sql`and i.skill_name = ${query.skill}`;
  // Each word quoted: only letters and digits, so nothing in it is an FTS5 operator.
  const match = words.map((word) => `"${word}"`).join(' ');
  /** Rowids of the matching rows, all of them (the whole-index walk filters the time index by them). */
  const matches = unindexed
    ? sql`select rowid from skill_invocation_fts where skill_invocation_fts match ${match}
        union all
        select rowid from temp.${sql.raw(TEMP_INDEX)} where ${sql.raw(TEMP_INDEX)} match ${match}
          and rowid > (select indexed_through from skill_invocation_fts_state)`
    : sql`select rowid from skill_invocation_fts where skill_invocation_fts match ${match}`;
  /**
   * The `count` greatest rowids of the matching rows, greatest first. FTS5 reads its lists from
   * the end cheaply (the greatest 401 of "show diff"'s 20,669 matches at 1 M rows: 0.25 ms), where
   * a `rowid >=` bound makes it decode the lists whole (2.1 ms for 432 rows), so a common word's
   * search reads its newest matches this way, never with a bound.
   */
  const newestMatches = async (count: number): Promise<number[]> => {
    const result = await sql<{ rowid: number }>`${matches} order by rowid desc limit ${count}`.execute(db);
    return result.rows.map((row) => Number(row.rowid));
  };
  // A word most queries share (`coverage` in 2% of 1 M rows) matches tens of thousands: reading
  // them all by rowid to sort them by time costs ~40 ms, where looking only among the newest rows
  // by time stops after a few hundred matches. A rare word is the other way round (the newest
  // rows would have to reach across the whole table), so read the matches' rowids first, up to a
  // cap (in rowid order, FTS5's cheapest read of a whole list: 1.7 ms for 1,792 of "build
  // billing", 2.3 ms greatest first): under it, only those rows are sorted (by time and id
  // alone, the page's columns read after), without matching the text a second time.
  const capped = (await sql<{ rowid: number }>`${matches} limit ${COMMON_MATCHES + 1}`.execute(db)).rows.map((row) => Number(row.rowid));
  const matched = capped.length <= COMMON_MATCHES ? JSON.stringify(capped) : undefined;
  // Matches per row, estimated from how far apart the first matching rowids are.
  const span = (capped[capped.length - 1] ?? 0) - (capped[0] ?? 0) + 1;
  const density = capped.length / Math.max(span, capped.length);
  const found: SearchRow[] = [];
  // Pages, since the accent rule may drop rows (rarely: most searches need only the first). A
  // page a little over the limit, since a common word's search reads a number of rows in
  // proportion to it.
  const page = Math.max(Math.ceil(limit * 1.25), 100);
  for (let offset = 0; found.length < limit; offset += page) {
    const result =
      matched === undefined
        ? await newestPage(db, { columns, matches, newestMatches, skillFilter, page, offset, density })
        : await sql<MatchedRow>`
          select ${columns}, i.rowid as row_id from skill_invocation i
          where i.rowid in (
            select s.rowid from skill_invocation s
            where s.rowid in (select value from json_each(${matched})) ${query.skill === undefined ? sql`` : sql`and s.skill_name = ${query.skill}`}
            order by s.invoked_at desc, s.id desc
            limit ${page} offset ${offset})
          order by i.invoked_at desc, i.id desc`.execute(db);
    const marked = await highlights(db, match, unindexed, words, result.rows);
    for (const row of result.rows) {
      const text = marked.get(row.row_id);
      if (found.length < limit && (text === undefined || keepsAccents(text, words))) found.push(row);
    }
    if (result.rows.length < page) break;
  }
  return found;
}
/** Newest rows looked among at most, before the whole time index is walked instead. */
const NEWEST_ROWS = 50_000;

/**
 * A page of a common word's matches, newest first. The newest `n` rows by time reach back to
 * `since`; every row at or after it has a rowid of at least `from` (the least of theirs), so the
 * matches from `from` on, kept when at or after `since`, hold every match that can rank first:
 * exact, however rowids and times are ordered (they follow each other when rows arrive as they
 * happen, and then only the ends of the word lists are read). Those matches are read greatest
 * rowid first until one falls below `from`. `n` starts at twice what the matches' density says
 * the page needs and grows fourfold until the page is full; past NEWEST_ROWS the time index is
 * walked whole, keeping the rows that match (all matches read once).
 */
async function newestPage(
  db: Kysely<SkillsDatabase>,
  q: {
    columns: RawBuilder<unknown>;
    matches: RawBuilder<unknown>;
    newestMatches: (count: number) => Promise<number[]>;
    skillFilter: RawBuilder<unknown>;
    page: number;
    offset: number;
    density: number;
  },
): Promise<{ rows: MatchedRow[] }> {
  /** The greatest matching rowids, greatest first; `all` once they are every match. */
  let known: number[] = [];
  let all = false;
  for (let n = Math.ceil((2 * (q.offset + q.page)) / q.density); ; n *= 4) {
    // One statement: the time `since` the newest `n` rows reach back to, and the least rowid among them.
    const edge =
      n > NEWEST_ROWS
        ? undefined
        : await sql<{ since: number; from: number }>`
            select e.since, (select min(rowid) from skill_invocation indexed by idx_invocation_invoked_at where invoked_at >= e.since) as "from"
            from (select invoked_at as since from skill_invocation indexed by idx_invocation_invoked_at
                  order by invoked_at desc limit 1 offset ${n - 1}) e`.execute(db);
    const since = edge?.rows[0]?.since;
    if (since === undefined) {
      return sql<MatchedRow>`
        select ${q.columns}, i.rowid as row_id from skill_invocation i indexed by idx_invocation_invoked_at
        where i.rowid in (${q.matches}) ${q.skillFilter}
        order by i.invoked_at desc, i.id desc
        limit ${q.page} offset ${q.offset}`.execute(db);
    }
    const from = Number(edge!.rows[0]!.from);
    // The greatest rowids, more until one is below `from` (or all are read): at first half again
    // what the newest `n` rows hold by the density (all of them when rowids follow times).
    for (let count = 3 * (q.offset + q.page) + 1; !all && (known.length === 0 || known[known.length - 1]! >= from); count *= 4) {
      if (count <= known.length) continue;
      known = await q.newestMatches(count);
      all = known.length < count;
    }
    const candidates = JSON.stringify(known.filter((rowid) => rowid >= from));
    const result = await sql<MatchedRow>`
      select ${q.columns}, i.rowid as row_id from skill_invocation i
      where i.rowid in (select value from json_each(${candidates})) and i.invoked_at >= ${since} ${q.skillFilter}
      order by i.invoked_at desc, i.id desc
      limit ${q.page} offset ${q.offset}`.execute(db);
    if (result.rows.length === q.page) return result;
  }
}

const TEMP_INDEX = 'skill_invocation_fts_unindexed';
/** From this many matching rows on, SQLite walks the time index instead of sorting the matches. */
const COMMON_MATCHES = 2_000;
const MARK_OPEN = '\u0001';
const MARK_CLOSE = '\u0002';

// biome-ignore lint/suspicious/noControlCharactersInRegex: every ASCII code, control codes included
const ASCII = /^[\x00-\x7f]*$/;

/**
 * The matched tokens of the rows the accent rule has to look at, marked by FTS5's highlight():
 * none when the query and the row's text are plain ASCII, where folding changes nothing.
 */
async function highlights(
  db: Kysely<SkillsDatabase>,
  match: string,
  unindexed: boolean,
  words: string[],
  rows: { row_id: number; user_query: string | null }[],
): Promise<Map<number, string>> {
  const asciiWords = words.every((word) => ASCII.test(word));
  const ids = rows.filter((row) => !asciiWords || !ASCII.test(row.user_query ?? '')).map((row) => row.row_id);
  if (ids.length === 0) return new Map();
  const from = (table: string) => sql`
    select rowid, highlight(${sql.raw(table)}, 0, ${MARK_OPEN}, ${MARK_CLOSE}) as marked
    from ${sql.raw(table === TEMP_INDEX ? `temp.${TEMP_INDEX}` : table)}
    where ${sql.raw(table)} match ${match} and rowid in (${sql.join(ids)})`;
  const query = unindexed ? sql`${from('skill_invocation_fts')} union all ${from(TEMP_INDEX)}` : from('skill_invocation_fts');
  const result = await sql<{ rowid: number; marked: string }>`${query}`.execute(db);
  return new Map(result.rows.map((row) => [Number(row.rowid), row.marked]));
}

/** A character without its diacritics (`é` → `e`), as SQLite's unicode61 tokenizer folds it. */
const foldChar = (c: string) => c.normalize('NFD').replace(/\p{M}+/gu, '') || c;

/**
 * PostgreSQL's English stemmer keeps accents (`cafe` does not find `café`, `cafés` finds `café`);
 * SQLite's tokenizer folds them. So a SQLite match counts only when, for every query word, one of
 * the tokens FTS5 matched for the row spells the part it shares with the word (after folding) with
 * the same accents as the word.
 */
function keepsAccents(marked: string, words: string[]): boolean {
  const tokens: string[][] = [];
  for (const part of marked.split(MARK_OPEN).slice(1)) {
    // One mark may span adjacent matched tokens.
    const span = part.slice(0, part.indexOf(MARK_CLOSE)).toLowerCase().normalize('NFC');
    for (const token of span.match(/[\p{L}\p{N}]+/gu) ?? []) tokens.push([...token]);
  }
  return words.every((word) => {
    const w = [...word.normalize('NFC')];
    return tokens.some((t) => {
      let shared = 0;
      while (shared < t.length && shared < w.length && foldChar(t[shared]!) === foldChar(w[shared]!)) shared++;
      if (shared === 0) return false;
      for (let i = 0; i < shared; i++) if (t[i] !== w[i]) return false;
      return true;
    });
  });
}

/** How far each read-only connection's temporary index reaches (rowid), by its query builder. */
const temporaryIndexes = new WeakMap<Kysely<SkillsDatabase>, number>();

/**
 * A read-only store cannot bring its index up to date: the rows above the index's watermark go
 * into a temporary FTS5 table of this connection instead (same tokenizer), filled once and topped
 * up as rows arrive. Returns whether there are such rows.
 */
async function indexInTemporaryTable(db: Kysely<SkillsDatabase>): Promise<boolean> {
  if (!(await hasPendingSearchRows(db))) return false;
  let through = temporaryIndexes.get(db);
  if (through === undefined) {
    await sql`create virtual table if not exists temp.${sql.raw(TEMP_INDEX)} using fts5(user_query, tokenize = 'porter unicode61')`.execute(
      db,
    );
    through = 0;
  }
  const state = await sql<{ watermark: number; last: number }>`
    select (select indexed_through from skill_invocation_fts_state) as watermark,
           (select coalesce(max(rowid), 0) from skill_invocation) as last`.execute(db);
  const { watermark, last } = state.rows[0]!;
  const from = Math.max(Number(watermark), through);
  await sql`
    insert into temp.${sql.raw(TEMP_INDEX)} (rowid, user_query)
    select rowid, user_query from skill_invocation
    where rowid > ${from} and rowid <= ${Number(last)} and user_query is not null`.execute(db);
  temporaryIndexes.set(db, Math.max(from, Number(last)));
  return true;
}
