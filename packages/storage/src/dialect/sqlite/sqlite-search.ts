import { extendTimeBounds, TIME_BOUNDS_BLOCK_SHIFT } from '@skills/migrations';
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
  await extendTimeBounds(db, Number(watermark), Number(last));
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

type MatchedRow = SearchRow & { row_id: number; row_time: number };

async function findMatches(db: Kysely<SkillsDatabase>, query: SearchQuery, unindexed: boolean): Promise<SearchRow[]> {
  const { words, limit, columns } = query;
  const skillFilter = query.skill === undefined ? sql`` : sql`and i.skill_name = ${query.skill}`;
  // Each word quoted: only letters and digits, so nothing in it is an FTS5 operator.
  const match = words.map((word) => `"${word}"`).join(' ');
  const matches = unindexed
    ? sql`select rowid from skill_invocation_fts where skill_invocation_fts match ${match}
        union all
        select rowid from temp.${sql.raw(TEMP_INDEX)} where ${sql.raw(TEMP_INDEX)} match ${match}
          and rowid > (select indexed_through from skill_invocation_fts_state)`
    : sql`select rowid from skill_invocation_fts where skill_invocation_fts match ${match}`;
  const found: SearchRow[] = [];
  // Pages, since the accent rule may drop rows (rarely: most searches need only the first).
  const page = Math.max(Math.ceil(limit * 1.25), 100);
  for (let offset = 0; found.length < limit; offset += page) {
    const rows = await newestPage(db, { columns, matches, skillFilter, unindexed, page, offset });
    const marked = await highlights(db, match, unindexed, words, rows);
    for (const row of rows) {
      const text = marked.get(row.row_id);
      if (found.length < limit && (text === undefined || keepsAccents(text, words))) found.push(row);
    }
    if (rows.length < page) break;
  }
  return found;
}

/**
 * Places `offset` to `offset + page` of the matches, newest first (ties by id): exact, however
 * rowids and times are ordered. FTS5 reads a word's list from its end cheaply (the greatest 125
 * rowids of "build billing"'s 1,838 matches at 1 M rows: 0.4 ms, against 3.4 ms for the whole
 * list and as much again to sort it by time), so the greatest matching rowids are read first and
 * sorted by time; when `skill_invocation_time_bounds` says that no row below the least of them is
 * as new as the page's last, no other match can enter the page. Otherwise four times as many are
 * read, until the page holds or every match is read. Rows that arrive as they happen have rowids
 * in time order, and the first read is the last.
 */
async function newestPage(
  db: Kysely<SkillsDatabase>,
  q: {
    columns: RawBuilder<unknown>;
    matches: RawBuilder<unknown>;
    skillFilter: RawBuilder<unknown>;
    unindexed: boolean;
    page: number;
    offset: number;
  },
): Promise<MatchedRow[]> {
  for (let count = 2 * (q.offset + q.page); ; count *= 4) {
    const greatest = await sql<{ rowid: number }>`${q.matches} order by rowid desc limit ${count}`.execute(db);
    const rowids = greatest.rows.map((row) => Number(row.rowid));
    const result = await sql<MatchedRow>`
      select ${q.columns}, i.rowid as row_id, i.invoked_at as row_time from skill_invocation i
      where i.rowid in (select value from json_each(${JSON.stringify(rowids)})) ${q.skillFilter}
      order by i.invoked_at desc, i.id desc
      limit ${q.page} offset ${q.offset}`.execute(db);
    if (rowids.length < count) return result.rows;
    const last = result.rows[q.page - 1];
    if (last !== undefined && (await newestBelow(db, rowids[rowids.length - 1]!, q.unindexed)) < Number(last.row_time)) return result.rows;
  }
}

/**
 * An upper bound of `invoked_at` over the rows with rowids below `rowid` (-Infinity when there
 * are none): the running maximum of its block, and on a read-only store whose index lags, the
 * rows above the index's watermark read themselves.
 */
async function newestBelow(db: Kysely<SkillsDatabase>, rowid: number, unindexed: boolean): Promise<number> {
  const result = await sql<{ bound: number | null; pending: number | null }>`
    select (select max_invoked_at from skill_invocation_time_bounds
            where block <= ${rowid} >> ${sql.lit(TIME_BOUNDS_BLOCK_SHIFT)} order by block desc limit 1) as bound,
      ${
        unindexed
          ? sql`(select max(invoked_at) from skill_invocation
                 where rowid > (select indexed_through from skill_invocation_fts_state) and rowid < ${rowid})`
          : sql`null`
      } as pending`.execute(db);
  const { bound, pending } = result.rows[0]!;
  return Math.max(bound ?? -Infinity, pending ?? -Infinity);
}

const TEMP_INDEX = 'skill_invocation_fts_unindexed';
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
