import { createHash } from 'node:crypto';
import { invocationInputSchema, recordInvocations, ValidationError, type InvocationInput, type Store } from '@skills/storage';
import { readJsonlLines, type JsonlLine } from './jsonl-reader.js';

/** One problem with one line of the input. */
export interface LineIssue {
  line: number;
  /** Column name (`invoked_at`, `follow_up_actions.2`); empty for the line as a whole. */
  field: string;
  message: string;
}

export interface ImportOptions {
  /** Non-blank lines per `recordInvocations` call (one transaction each). */
  batchSize: number;
  /** Import the valid lines of a batch and report the others, instead of stopping. */
  skipInvalid: boolean;
  /** Called after each committed batch. */
  onProgress?: (progress: { bytesRead: number; lines: number }) => void;
  /** Issues kept for the report (the counts are always complete); default 100. */
  keepIssues?: number;
}

export interface ImportSummary {
  /** Non-blank lines read (with a stop: up to the end of the rejected batch). */
  lines: number;
  inserted: number;
  /** Valid lines already stored (by id), or repeated in the input. */
  duplicates: number;
  /** Duplicates whose content differs from the row kept under their id (two events, one id). */
  differing: number;
  /** The first ids of those (at most `keepIssues`). */
  differingIds: string[];
  /** Lines rejected (`--skip-invalid`), or lines with errors in the batch that stopped the import. */
  rejected: number;
  /** The first issues found, in line order within each batch. */
  issues: LineIssue[];
  /** Set when the import stopped at a bad batch, which was not written. */
  stopped: { firstLine: number; lastLine: number } | null;
  elapsedMs: number;
}

interface PendingBatch {
  items: InvocationInput[];
  lineNumbers: number[];
  /** Lines that are not JSON objects: they never reach `recordInvocations`. */
  unreadable: LineIssue[];
  firstLine: number;
  lastLine: number;
}

/**
 * The id of a line that has none: derived from its exact text, so importing the same file again
 * (after a crash, a kill -9, or on purpose) finds every stored line by id and writes nothing twice.
 * @example importedLineId('{"skill_name":"commit",…}') // 'imp_3q5…' (26 hex digits of its SHA-256)
 */
export function importedLineId(text: string): string {
  return `imp_${createHash('sha256').update(text).digest('hex').slice(0, 26)}`;
}

/**
 * Stream JSON Lines into the store, `batchSize` lines per transaction. Without `skipInvalid`, the
 * first batch with a bad line is not written and the import stops; batches before it stay written.
 */
export async function importJsonl(store: Store, source: AsyncIterable<Buffer | string>, options: ImportOptions): Promise<ImportSummary> {
  const started = performance.now();
  const keep = options.keepIssues ?? 100;
  const summary: ImportSummary = {
    lines: 0,
    inserted: 0,
    duplicates: 0,
    differing: 0,
    differingIds: [],
    rejected: 0,
    issues: [],
    stopped: null,
    elapsedMs: 0,
  };
  const report = (issues: LineIssue[]) => {
    for (const issue of issues) if (summary.issues.length < keep) summary.issues.push(issue);
  };
  let batch = emptyBatch();
  let bytesRead = 0;

  const flush = async (): Promise<boolean> => {
    const current = batch;
    batch = emptyBatch();
    if (current.lastLine === 0) return true;
    const outcome = await writeBatch(store, current, options.skipInvalid);
    summary.inserted += outcome.inserted;
    summary.duplicates += outcome.duplicates;
    summary.differing += outcome.differing.length;
    for (const id of outcome.differing) if (summary.differingIds.length < keep) summary.differingIds.push(id);
    summary.rejected += new Set(outcome.issues.map((issue) => issue.line)).size;
    report(outcome.issues);
    if (!outcome.written) {
      summary.stopped = { firstLine: current.firstLine, lastLine: current.lastLine };
      return false;
    }
    options.onProgress?.({ bytesRead, lines: summary.lines });
    return true;
  };

  for await (const line of readJsonlLines(source)) {
    summary.lines++;
    bytesRead = line.bytesRead;
    addLine(batch, line);
    if (batch.items.length + batch.unreadable.length >= options.batchSize && !(await flush())) break;
  }
  if (summary.stopped === null) await flush();
  summary.elapsedMs = performance.now() - started;
  return summary;
}

function emptyBatch(): PendingBatch {
  return { items: [], lineNumbers: [], unreadable: [], firstLine: 0, lastLine: 0 };
}

function addLine(batch: PendingBatch, line: JsonlLine): void {
  if (batch.firstLine === 0) batch.firstLine = line.number;
  batch.lastLine = line.number;
  if (line.tooLong) {
    batch.unreadable.push({ line: line.number, field: '', message: 'line too long (over 16 MiB)' });
    return;
  }
  if (line.invalidUtf8) {
    batch.unreadable.push({ line: line.number, field: '', message: 'not valid UTF-8 text (the file must be UTF-8)' });
    return;
  }
  let value: unknown;
  try {
    value = JSON.parse(line.text);
  } catch (error) {
    batch.unreadable.push({ line: line.number, field: '', message: `not valid JSON (${(error as Error).message})` });
    return;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    batch.unreadable.push({ line: line.number, field: '', message: 'expected a JSON object (one invocation per line)' });
    return;
  }
  const item = value as Record<string, unknown>;
  if (item.id === undefined) item.id = importedLineId(line.text);
  batch.items.push(item as InvocationInput);
  batch.lineNumbers.push(line.number);
}

interface BatchOutcome {
  written: boolean;
  inserted: number;
  duplicates: number;
  differing: string[];
  issues: LineIssue[];
}

async function writeBatch(store: Store, batch: PendingBatch, skipInvalid: boolean): Promise<BatchOutcome> {
  const toLineIssues = (issues: readonly { index: number; field: string; message: string }[]) =>
    issues.map((issue) => ({ line: batch.lineNumbers[issue.index] ?? 0, field: issue.field, message: issue.message }));
  if (batch.unreadable.length > 0 && !skipInvalid) {
    // Nothing is written; list every problem of the batch, not only the unreadable lines.
    const invalid = batch.items.flatMap((item, index) => {
      const parsed = invocationInputSchema.safeParse(item);
      return parsed.success
        ? []
        : toLineIssues(parsed.error.issues.map((issue) => ({ index, field: issue.path.join('.'), message: issue.message })));
    });
    return { written: false, inserted: 0, duplicates: 0, differing: [], issues: byLine([...batch.unreadable, ...invalid]) };
  }
  try {
    const result = await recordInvocations(store, batch.items, { skipInvalid });
    const rejected = toLineIssues(result.rejected.flatMap((entry) => entry.issues));
    return {
      written: true,
      inserted: result.inserted,
      duplicates: result.duplicates,
      differing: result.differing,
      issues: byLine([...batch.unreadable, ...rejected]),
    };
  } catch (error) {
    if (!(error instanceof ValidationError) || skipInvalid) throw error;
    return { written: false, inserted: 0, duplicates: 0, differing: [], issues: byLine(toLineIssues(error.issues)) };
  }
}

function byLine(issues: LineIssue[]): LineIssue[] {
  return issues.sort((a, b) => a.line - b.line);
}
