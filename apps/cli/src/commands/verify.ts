import { verifyRollups } from '@skills/storage';
import type { Command } from 'commander';
import type { CommandContext } from '../cli-io.js';
import { printJson, printLine, printTable } from '../output.js';
import { withStore } from '../store-access.js';
import { parseInteger } from '../time-arguments.js';

/** `skills verify`: recompute the rollups from the invocations; exit code 1 when they disagree. */
export function registerVerifyCommand(program: Command, context: CommandContext): void {
  program
    .command('verify')
    .description('check that every rollup matches the stored invocations (exit code 1 if not)')
    .option('--limit <n>', 'report at most this many mismatches', '100')
    .option('--json', 'print {"consistent", "mismatches"} as JSON')
    .action(async (flags: { limit: string; json?: boolean }, command: Command) => {
      const limit = parseInteger(flags.limit, '--limit', 1, 100_000);
      const mismatches = await withStore(command, context, (store) => verifyRollups(store, limit));
      if (mismatches.length > 0) context.exitCode = 1;
      if (flags.json) return printJson(context.io, { consistent: mismatches.length === 0, mismatches });
      if (mismatches.length === 0) return printLine(context.io, 'consistent');
      printLine(context.io, `inconsistent: ${mismatches.length}${mismatches.length === limit ? '+' : ''} mismatches`);
      printTable(
        context.io,
        ['table', 'key', 'column', 'stored', 'expected'],
        mismatches.map((m) => [m.table, m.key, m.column, m.stored, m.expected]),
        { align: ['left', 'left', 'left', 'right', 'right'] },
      );
    });
}
