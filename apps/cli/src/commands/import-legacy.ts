import { importLegacyDatabase, openLegacyDatabase, type LegacyImportReport } from '@skills/storage';
import type { Command } from 'commander';
import type { CommandContext } from '../cli-io.js';
import { formatCount, formatRate, printJson, printLine, printTable } from '../output.js';
import { createProgress, type Progress } from '../progress.js';
import { withStore } from '../store-access.js';
import { parseInteger } from '../time-arguments.js';

/** `skills import-legacy PATH`: an original session-buddy skills database (V1-V4) into the store. */
export function registerImportLegacyCommand(program: Command, context: CommandContext): void {
  program
    .command('import-legacy')
    .description(
      'import an original session-buddy skills database (schema V1-V4): invocations, A/B tests, taxonomy, interactions; read-only on the old file, safe to re-run',
    )
    .argument('<path>', 'the original SQLite file, e.g. .session-buddy/skills.db')
    .option('--batch-size <n>', 'invocations per transaction', '1000')
    .option('--json', 'print the report as JSON')
    .action(async (path: string, flags: { batchSize: string; json?: boolean }, command: Command) => {
      const batchSize = parseInteger(flags.batchSize, '--batch-size', 1, 100_000);
      // Refuse a file that is not an original database before a store is made or touched.
      openLegacyDatabase(path).close();
      const report = await withStore(
        command,
        context,
        async (store) => {
          let progress: Progress | undefined;
          try {
            return await importLegacyDatabase(store, path, {
              batchSize,
              now: context.now(),
              onProgress: ({ done, total }) => {
                progress ??= createProgress(context.io, { label: 'importing', unit: 'items', total, itemName: 'rows' });
                progress.update(done);
              },
            });
          } finally {
            progress?.stop();
          }
        },
        { create: true },
      );
      if (flags.json) return printJson(context.io, { ...report, elapsedMs: Math.round(report.elapsedMs) });
      printReport(context, report);
    });
}

function printReport(context: CommandContext, report: LegacyImportReport): void {
  const { io } = context;
  printLine(io, `Read ${report.path}: session-buddy schema V${report.version}, ids sb_${report.identity}_…`);
  printTable(
    io,
    ['table', 'into', 'found', 'imported', 'already imported', 'skipped'],
    report.tables.map((t) => [t.table, t.into, t.found, t.imported, t.alreadyImported, t.skipped.reduce((n, s) => n + s.count, 0)]),
    { align: ['left', 'left', 'right', 'right', 'right', 'right'] },
  );
  for (const t of report.tables) {
    for (const s of t.skipped) printLine(io, `skipped ${formatCount(s.count)} of ${t.table}: ${s.reason}`);
    for (const a of t.adjusted) printLine(io, `${t.table}: ${formatCount(a.count)} × ${a.note}`);
  }
  if (report.naiveTimestamps > 0)
    printLine(io, `${formatCount(report.naiveTimestamps)} timestamps had no offset and were read as UTC (the original wrote UTC).`);
  if (report.notCarried.length > 0) {
    printLine(io, 'Not carried over:');
    for (const t of report.notCarried) printLine(io, `  ${t.table} (${formatCount(t.rows)} rows): ${t.reason}`);
  }
  const invocations = report.tables.find((t) => t.table === 'skill_invocation');
  printLine(
    io,
    `Every rollup is this store's own, folded from the imported invocations; done in ${formatRate(invocations?.found ?? 0, report.elapsedMs, 'invocations')}.`,
  );
}
