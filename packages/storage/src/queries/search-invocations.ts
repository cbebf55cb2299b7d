import { hasPendingSearchRows, indexPendingSearchRows } from '@skills/migrations';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { ValidationError } from '../errors.js';
import type { SkillsDatabase } from '../schema.js';
import { internals, type Store } from '../store.js';
import { INVOCATION_COLUMNS, toInvocation, type Invocation } from './invocation-view.js';
import { checkLimit } from './time-window.js';

export interface SearchOptions {
  /** 1–1000, default 20. */
  limit?: number;
  skill?: string;
}

/**
 * PostgreSQL's English stop words (`tsearch_data/english.stop`, the Snowball list): PostgreSQL
 * leaves them out of its index, so they are left out of every query, on SQLite too.
 */
const STOP_WORDS = new Set(
  `i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers herself it its
  itself they them their theirs themselves what which who whom this that these those am is are was were be been being
  have has had having do does did doing a an the and but if or because as until while of at by for with about against
  between into through during before after above below to from up down in out on off over under again further then once
  here there when where why how all any both each few more most other some such no nor not only own same so than too very
  s t can will just don should now`.split(/\s+/),
);

/** The words of a query as both databases split text: runs of letters and digits. */
export function searchWords(text: string): { words: string[]; stopWords: string[] } {
  const all = (text.match(/[\p{L}\p{N}]+/gu) ?? []).map((word) => word.toLowerCase());
  return { words: all.filter((word) => !STOP_WORDS.has(word)), stopWords: all.filter((word) => STOP_WORDS.has(word)) };
}

/**
 * Full-text search over user queries, the same answer on SQLite and PostgreSQL. The query is
 * words (runs of letters and digits, any case); every word must match, English-stemmed (`tests`
 * finds `test`), accents significant (`cafe` does not find `café`; `cafés` does); English stop words (`the`, `and`, `or`, `not`, …) are ignored, so a query of stop
 * words only finds nothing; there are no operators (`AND`, `"…"`, `*` are plain text). Newest
 * match first (ties by id), so a limit cuts both databases' answers at the same place.
 * On a read-only SQLite store, rows not yet in the full-text index are searched in a temporary
 * index of this connection.
 * @example await searchInvocations(store, 'failing tests auth')
 */
export async function searchInvocations(store: Store, text: string, options: SearchOptions = {}): Promise<Invocation[]> {
  const limit = checkLimit(options.limit, 20, 1000);
  const { words, stopWords } = typeof text === 'string' ? searchWords(text) : { words: [], stopWords: [] };
  if (words.length === 0 && stopWords.length === 0) {
    throw new ValidationError([{ index: -1, field: 'text', message: 'expected at least one word to search for' }]);
  }
  if (words.length === 0) return [];
  const columns = sql.join(INVOCATION_COLUMNS.map((column) => sql.ref(`i.${column}`)));
  const skillFilter = options.skill === undefined ? sql`` : sql`and i.skill_name = ${options.skill}`;
  const { driver } = internals(store);

  if (driver.kind === 'sqlite') {
    // Each word quoted: only letters and digits, so nothing in it is an FTS5 operator.
    const match = words.map((word) => `"${word}"`).join(' ');
    const unindexed = driver.readonly ? await indexInTemporaryTable(store.db) : (await refreshSearchIndex(store), false);
    /** Rowids of the matching rows (from `from` on: FTS5 seeks its lists there). */
    const matchesFrom = (from?: number) => {
      const tail = from === undefined ? sql`` : sql`and rowid >= ${from}`;
      return unindexed
        ? sql`select rowid from skill_invocation_fts where skill_invocation_fts match ${match} ${tail}
            union all
            select rowid from temp.${sql.raw(TEMP_INDEX)} where ${sql.raw(TEMP_INDEX)} match ${match}
              and rowid > (select indexed_through from skill_invocation_fts_state) ${tail}`
        : sql`select rowid from skill_invocation_fts where skill_invocation_fts match ${match} ${tail}`;
    };
    const matches = matchesFrom();
    // A word most queries share (`coverage` in 2% of 1 M rows) matches tens of thousands: reading
    // them all by rowid to sort them by time costs ~40 ms, where walking the time index newest
    // first and keeping what matches stops after a few hundred entries. A rare word is the other
    // way round (the walk would cross the whole index), so read the matches' rowids first, up to
    // a cap: under it, only those rows are sorted (by time and id alone, the page's columns read
    // after), without matching the text a second time.
    const capped = await sql<{ rowid: number }>`${matches} limit ${COMMON_MATCHES + 1}`.execute(store.db);
    const matched = capped.rows.length <= COMMON_MATCHES ? JSON.stringify(capped.rows.map((row) => Number(row.rowid))) : undefined;
    // Matches per row, estimated from how far apart the first matching rowids are.
    const span = Number(capped.rows[capped.rows.length - 1]?.rowid ?? 0) - Number(capped.rows[0]?.rowid ?? 0) + 1;
    const density = capped.rows.length / Math.max(span, capped.rows.length);
    const found: Invocation[] = [];
    // Pages, since the accent rule may drop rows: most searches need only the first.
    const page = Math.max(limit * 2, 100);
    for (let offset = 0; found.length < limit; offset += page) {
      const result =
        matched === undefined
          ? await newestMatches(store.db, { columns, matchesFrom, skillFilter, page, offset, density })
          : await sql<Parameters<typeof toInvocation>[0] & { row_id: number }>`
            select ${columns}, i.rowid as row_id from skill_invocation i
            where i.rowid in (
              select s.rowid from skill_invocation s
              where s.rowid in (select value from json_each(${matched})) ${options.skill === undefined ? sql`` : sql`and s.skill_name = ${options.skill}`}
              order by s.invoked_at desc, s.id desc
              limit ${page} offset ${offset})
            order by i.invoked_at desc, i.id desc`.execute(store.db);
      const marked = await highlights(store.db, match, unindexed, words, result.rows);
      for (const row of result.rows) {
        const text = marked.get(row.row_id);
        if (found.length < limit && (text === undefined || keepsAccents(text, words))) found.push(toInvocation(row));
      }
      if (result.rows.length < page) break;
    }
    return found;
  }
  const query = words.join(' ');
  const result = await sql<Parameters<typeof toInvocation>[0]>`
    select ${columns} from skill_invocation i
    where i.user_query_tsv @@ plainto_tsquery('english', ${query}) ${skillFilter}
    order by i.invoked_at desc, i.id collate "C" desc
    limit ${limit}`.execute(store.db);
  return result.rows.map(toInvocation);
}

type SearchRow = Parameters<typeof toInvocation>[0] & { row_id: number };

/** Newest rows looked among at most, before the whole time index is walked instead. */
const NEWEST_ROWS = 50_000;

/**
 * A page of a common word's matches, newest first. The newest `n` rows by time reach back to
 * `since`; every row at or after it has a rowid of at least `from` (the least of theirs), so
 * matching from `from` on, and keeping what is at or after `since`, sees every match that can rank
 * first: exact, however rowids and times are ordered (they follow each other when rows arrive as
 * they happen, and then only the ends of the word lists are read). `n` starts at twice what the
 * matches' density says the page needs and grows fourfold until the page is full; past
 * NEWEST_ROWS the time index is walked whole, keeping the rows that match (all matches read once).
 */
async function newestMatches(
  db: Kysely<SkillsDatabase>,
  q: { columns: RawBuilder<unknown>; matchesFrom: (from?: number) => RawBuilder<unknown>; skillFilter: RawBuilder<unknown>; page: number; offset: number; density: number },
): Promise<{ rows: SearchRow[] }> {
  for (let n = Math.ceil((2 * (q.offset + q.page)) / q.density); ; n *= 4) {
    const edge =
      n > NEWEST_ROWS
        ? undefined
        : await sql<{ since: number }>`
            select invoked_at as since from skill_invocation indexed by idx_invocation_invoked_at
            order by invoked_at desc limit 1 offset ${n - 1}`.execute(db);
    const since = edge?.rows[0]?.since;
    if (since === undefined) {
      return sql<SearchRow>`
        select ${q.columns}, i.rowid as row_id from skill_invocation i indexed by idx_invocation_invoked_at
        where i.rowid in (${q.matchesFrom()}) ${q.skillFilter}
        order by i.invoked_at desc, i.id desc
        limit ${q.page} offset ${q.offset}`.execute(db);
    }
    const first = await sql<{ from: number }>`
      select min(rowid) as "from" from skill_invocation indexed by idx_invocation_invoked_at where invoked_at >= ${since}`.execute(db);
    const result = await sql<SearchRow>`
      select ${q.columns}, i.rowid as row_id from skill_invocation i
      where i.rowid in (${q.matchesFrom(Number(first.rows[0]!.from))}) and i.invoked_at >= ${since} ${q.skillFilter}
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
    await sql`create virtual table if not exists temp.${sql.raw(TEMP_INDEX)} using fts5(user_query, tokenize = 'porter unicode61')`.execute(db);
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

/**
 * Bring the full-text index up to date. On SQLite rows are not indexed as they are inserted
 * (indexing each one would cost more than the insert): every row stored since the last call is
 * indexed here in one pass. `searchInvocations` calls this itself, so call it only to move the
 * cost off the first search after a large import.
 * Returns the number of rows indexed (always 0 on PostgreSQL, whose index is always current, and on
 * a read-only store, which cannot write its index).
 * @example await refreshSearchIndex(store) // 20000
 */
export async function refreshSearchIndex(store: Store): Promise<number> {
  const { driver } = internals(store);
  if (driver.kind !== 'sqlite' || driver.readonly) return 0;
  if (!(await hasPendingSearchRows(store.db))) return 0;
  return driver.maintenanceTransaction((db) => indexPendingSearchRows(db));
}
