import type Database from 'better-sqlite3';
import type { InvocationInput } from '../invocation.js';
import { recordInvocations } from '../record-invocations.js';
import type { Store } from '../store.js';
import type { LegacyDatabase } from './legacy-database.js';
import type { TableTally } from './legacy-report.js';
import { isNaiveTime, legacyBoolean, legacyId, legacyStringList, legacyTime } from './legacy-values.js';

export interface InvocationPass {
  store: Store;
  legacy: LegacyDatabase;
  batchSize: number;
  now: number;
  /** Session → user, from the V4 interactions (the original's invocations have no user). */
  userOfSession: ReadonlyMap<string, string>;
  tally: TableTally;
  onRows(count: number): void;
}

/** Counters shared by the passes. */
export interface TimeNotes {
  naive: number;
}

/**
 * Carry `skill_invocation` over in pages of `batchSize` (keyset on the old id), each page one
 * recorded batch: rollups are folded by this store's recorder, exactly as for any other batch.
 */
export async function importInvocations(pass: InvocationPass, notes: TimeNotes): Promise<void> {
  const { legacy, tally } = pass;
  const columns = legacy.invocationColumns;
  const wanted = [
    'id',
    'skill_name',
    'invoked_at',
    'session_id',
    'workflow_path',
    'completed',
    'duration_seconds',
    'user_query',
    'alternatives_considered',
    'selection_rank',
    'follow_up_actions',
    'error_type',
    'created_at',
    'embedding',
    'workflow_phase',
    'workflow_step_id',
  ].filter((c) => columns.has(c));
  const page = legacy.handle.prepare(`SELECT ${wanted.join(', ')} FROM skill_invocation WHERE id > ? ORDER BY id LIMIT ?`);
  let after: number | bigint = -1;
  for (;;) {
    const rows = page.all(after, pass.batchSize) as Record<string, unknown>[];
    if (rows.length === 0) break;
    after = rows[rows.length - 1]!.id as number;
    tally.found += rows.length;
    const items: InvocationInput[] = [];
    for (const row of rows) {
      const item = toInvocation(row, legacy.identity, pass.userOfSession, tally, notes);
      if (item) items.push(item);
    }
    await recordBatch(pass, items);
    pass.onRows(rows.length);
  }
}

/** Record converted items, skipping (and counting) the ones this store's rules refuse. */
export async function recordBatch(pass: Pick<InvocationPass, 'store' | 'now' | 'tally'>, items: InvocationInput[]): Promise<void> {
  if (items.length === 0) return;
  const result = await recordInvocations(pass.store, items, { skipInvalid: true, now: pass.now });
  pass.tally.imported += result.inserted;
  pass.tally.alreadyImported += result.duplicates;
  for (const rejected of result.rejected) {
    const issue = rejected.issues[0];
    pass.tally.skip(issue ? `${issue.field || 'row'}: ${issue.message}` : 'refused by the recorder');
  }
}

function toInvocation(
  row: Record<string, unknown>,
  identity: string,
  userOfSession: ReadonlyMap<string, string>,
  tally: TableTally,
  notes: TimeNotes,
): InvocationInput | undefined {
  const invokedAt = legacyTime(row.invoked_at);
  if (invokedAt === undefined) {
    tally.skip(`invoked_at: not an ISO-8601 timestamp`);
    return undefined;
  }
  if (isNaiveTime(row.invoked_at)) notes.naive += 1;
  const sessionId = typeof row.session_id === 'string' ? row.session_id : row.session_id == null ? '' : String(row.session_id);
  const item: InvocationInput = {
    id: legacyId(identity, 'i', row.id),
    skill_name: typeof row.skill_name === 'string' ? row.skill_name : String(row.skill_name ?? ''),
    invoked_at: invokedAt,
    session_id: sessionId,
    completed: legacyBoolean(row.completed),
  };
  const user = userOfSession.get(sessionId);
  if (user !== undefined) item.user_id = user;
  const text = (key: 'workflow_path' | 'user_query' | 'error_type' | 'workflow_phase' | 'workflow_step_id') => {
    const value = row[key];
    if (value === null || value === undefined) return;
    item[key] = typeof value === 'string' ? value : String(value);
  };
  text('workflow_path');
  text('user_query');
  text('error_type');
  text('workflow_phase');
  text('workflow_step_id');
  if (typeof row.duration_seconds === 'number') item.duration_seconds = row.duration_seconds;
  else if (row.duration_seconds !== null && row.duration_seconds !== undefined) tally.adjust('duration_seconds not a number: left unknown');
  if (typeof row.selection_rank === 'number') item.selection_rank = row.selection_rank;
  for (const key of ['alternatives_considered', 'follow_up_actions'] as const) {
    const list = legacyStringList(row[key]);
    if (list === undefined) tally.adjust(`${key} not a JSON array: left empty`);
    else if (list !== null) item[key] = list;
  }
  const createdAt = legacyTime(row.created_at);
  if (createdAt !== undefined) item.created_at = createdAt;
  const embedding = row.embedding;
  if (embedding instanceof Uint8Array && embedding.byteLength > 0) {
    if (isFloat32Vector(embedding)) item.embedding = embedding as Uint8Array<ArrayBuffer>;
    else tally.adjust('embedding not whole finite float32 values: dropped');
  }
  return item;
}

function isFloat32Vector(bytes: Uint8Array): boolean {
  if (bytes.byteLength % 4 !== 0 || bytes.byteLength > 4096 * 4) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < bytes.byteLength; i += 4) if (!Number.isFinite(view.getFloat32(i, true))) return false;
  return true;
}

/** Number of rows of a table of the original. */
export function countRows(handle: Database.Database, table: string): number {
  return Number((handle.prepare(`SELECT count(*) AS n FROM "${table.replace(/"/g, '""')}"`).get() as { n: number }).n);
}
