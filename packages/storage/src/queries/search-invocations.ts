import { sql } from 'kysely';
import { ValidationError } from '../errors.js';
import { internals, type Store } from '../store.js';
import { INVOCATION_COLUMNS, toInvocation, type Invocation } from './invocation-view.js';
import { checkLimit } from './time-window.js';
import type { SearchRow } from '../dialect/store-driver.js';

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
  const rows = await findMatches(store, text, options, INVOCATION_COLUMNS);
  return rows.map(toInvocation);
}

/** What `searchInvocationOutcomes` gives of each match. */
export interface InvocationOutcome {
  id: string;
  skill_name: string;
  completed: boolean;
}

/** The columns an outcome is read from: `user_query` too, which SQLite's accent rule reads. */
const OUTCOME_COLUMNS = ['id', 'skill_name', 'completed', 'user_query'] as const;

/**
 * The same matches as `searchInvocations`, in the same order and cut at the same limit, but only
 * which skill each went to and whether it completed: for a caller that tallies skills over many
 * matches (the MCP tools' recommendation for a query), without reading and decoding every column
 * of each (about a third of a 100-match search's time on SQLite).
 * @example await searchInvocationOutcomes(store, 'show the diff', { limit: 100 }) // [{ id, skill_name: 'git-diff', completed: true }, …]
 */
export async function searchInvocationOutcomes(store: Store, text: string, options: SearchOptions = {}): Promise<InvocationOutcome[]> {
  const rows = await findMatches(store, text, options, OUTCOME_COLUMNS);
  return rows.map((row) => ({ id: row.id, skill_name: row.skill_name, completed: Number(row.completed) === 1 }));
}

/** The matching rows, holding only the `selected` columns (whatever SearchRow says). */
async function findMatches(store: Store, text: string, options: SearchOptions, selected: readonly string[]): Promise<SearchRow[]> {
  const limit = checkLimit(options.limit, 20, 1000);
  const { words, stopWords } = typeof text === 'string' ? searchWords(text) : { words: [], stopWords: [] };
  if (words.length === 0 && stopWords.length === 0) {
    throw new ValidationError([{ index: -1, field: 'text', message: 'expected at least one word to search for' }]);
  }
  if (words.length === 0) return [];
  const columns = sql.join(selected.map((column) => sql.ref(`i.${column}`)));
  return internals(store).driver.search.find({ words, limit, skill: options.skill, columns });
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
  return internals(store).driver.search.refresh();
}
