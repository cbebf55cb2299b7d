import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import type { CommandContext } from '../cli-io.js';
import { CliError } from '../errors.js';
import { importJsonl, type ImportSummary, type LineIssue } from '../jsonl-import.js';
import { formatCount, formatRate, printJson, printLine } from '../output.js';
import { createProgress } from '../progress.js';
import { withStore } from '../store-access.js';
import { parseInteger } from '../time-arguments.js';

const SHOWN_ISSUES = 20;

interface ImportFlags {
  batchSize: string;
  skipInvalid?: boolean;
  json?: boolean;
}

/** `skills import FILE|-`: JSON Lines into the store, streamed and batched. */
export function registerImportCommand(program: Command, context: CommandContext): void {
  program
    .command('import')
    .description('import invocations from a JSON Lines file (- for stdin), one per line; safe to re-run')
    .argument('<file>', 'JSON Lines file, or - for stdin')
    .option('--batch-size <n>', 'lines per transaction', '1000')
    .option('--skip-invalid', 'import the valid lines and list the rejected ones instead of stopping')
    .option('--json', 'print the summary as JSON')
    .action(async (file: string, flags: ImportFlags, command: Command) => {
      const batchSize = parseInteger(flags.batchSize, '--batch-size', 1, 100_000);
      const source = await openSource(file, context);
      const summary = await withStore(
        command,
        context,
        async (store) => {
          const progress = createProgress(context.io, source.progress);
          try {
            return await importJsonl(store, source.stream, {
              batchSize,
              skipInvalid: flags.skipInvalid === true,
              onProgress: ({ bytesRead, lines }) => progress.update(source.progress.unit === 'bytes' ? bytesRead : lines, lines),
            });
          } finally {
            progress.stop();
          }
        },
        { create: true },
      ).finally(() => source.close());
      report(context, summary, flags);
    });
}

interface Source {
  stream: AsyncIterable<Buffer | string>;
  progress: Parameters<typeof createProgress>[1];
  /** Release the file (the import may have stopped early, or never started). */
  close(): void;
}

async function openSource(file: string, context: CommandContext): Promise<Source> {
  if (file === '-') {
    return {
      stream: context.io.stdin as AsyncIterable<Buffer | string>,
      progress: { label: 'importing', unit: 'items', itemName: 'lines' },
      close() {},
    };
  }
  const info = await stat(file);
  if (info.isDirectory()) throw new CliError(`${file}: is a directory`);
  const stream = createReadStream(file, { highWaterMark: 1 << 20 });
  // A pipe or device has no size to measure progress against: count lines instead.
  const progress: Source['progress'] = info.isFile()
    ? { label: 'importing', unit: 'bytes', total: info.size, itemName: 'lines' }
    : { label: 'importing', unit: 'items', itemName: 'lines' };
  return { stream, progress, close: () => stream.destroy() };
}

function report(context: CommandContext, summary: ImportSummary, flags: ImportFlags): void {
  const { io } = context;
  if (summary.stopped) context.exitCode = 1;
  if (flags.json) {
    printJson(io, {
      lines: summary.lines,
      inserted: summary.inserted,
      duplicates: summary.duplicates,
      differing: summary.differing,
      differingIds: summary.differingIds,
      rejected: summary.rejected,
      elapsedMs: Math.round(summary.elapsedMs),
      linesPerSecond: rate(summary),
      stopped: summary.stopped,
      issues: summary.issues,
    });
  } else {
    printLine(
      io,
      `Read ${formatCount(summary.lines)} lines: ${formatCount(summary.inserted)} inserted, ` +
        `${formatCount(summary.duplicates)} duplicates${differingNote(summary)}, ${formatCount(summary.rejected)} rejected ` +
        `in ${formatRate(summary.lines, summary.elapsedMs, 'lines')}.`,
    );
  }
  if (summary.differing > 0) {
    const shown = summary.differingIds.slice(0, SHOWN_ISSUES);
    const more = summary.differing - shown.length;
    io.stderr.write(
      `skills: ${formatCount(summary.differing)} ${summary.differing === 1 ? 'line has' : 'lines have'} the id of a stored invocation (or of an earlier line) ` +
        `but different content, and ${summary.differing === 1 ? 'was' : 'were'} not imported: ${shown.join(', ')}${more > 0 ? ` (${formatCount(more)} more)` : ''}. ` +
        'Give each event its own id to keep both.\n',
    );
  }
  if (summary.stopped) {
    for (const issue of summary.issues.slice(0, SHOWN_ISSUES)) io.stderr.write(`skills: ${describeLineIssue(issue)}\n`);
    const { firstLine, lastLine } = summary.stopped;
    io.stderr.write(
      `skills: stopped: nothing from lines ${firstLine}-${lastLine} was written; ` +
        `${formatCount(summary.inserted + summary.duplicates)} valid lines before them are stored. ` +
        'Fix the input and run the same import again (stored lines are skipped as duplicates), ' +
        'or use --skip-invalid to import the valid lines.\n',
    );
    return;
  }
  if (summary.rejected > 0) {
    const lines = groupByLine(summary.issues);
    for (const text of lines.slice(0, SHOWN_ISSUES)) io.stderr.write(`skills: rejected ${text}\n`);
    const more = summary.rejected - Math.min(lines.length, SHOWN_ISSUES);
    io.stderr.write(`skills: ${formatCount(summary.rejected)} lines rejected${more > 0 ? ` (${formatCount(more)} not shown)` : ''}\n`);
  }
}

/** `line 7: invoked_at: expected …` */
export function describeLineIssue(issue: LineIssue): string {
  return issue.field ? `line ${issue.line}: ${issue.field}: ${issue.message}` : `line ${issue.line}: ${issue.message}`;
}

/** One entry per rejected line, its issues joined. */
function groupByLine(issues: LineIssue[]): string[] {
  const byLine = new Map<number, string[]>();
  for (const issue of issues) {
    const parts = byLine.get(issue.line) ?? [];
    parts.push(issue.field ? `${issue.field}: ${issue.message}` : issue.message);
    byLine.set(issue.line, parts);
  }
  return [...byLine].map(([line, parts]) => `line ${line}: ${parts.join('; ')}`);
}

/** ` (3 with different content)` when some duplicates were not the same event. */
function differingNote(summary: ImportSummary): string {
  return summary.differing > 0 ? ` (${formatCount(summary.differing)} with different content)` : '';
}

function rate(summary: ImportSummary): number {
  return summary.elapsedMs > 0 ? Math.round(summary.lines / (summary.elapsedMs / 1000)) : summary.lines;
}
