import { rebuildRollups } from '@skills/storage';
import type { Command } from 'commander';
import type { CommandContext } from '../cli-io.js';
import { formatCount, printJson, printLine, printTable } from '../output.js';
import { withStore } from '../store-access.js';

/** `skills rebuild`: recompute every rollup from the stored invocations. */
export function registerRebuildCommand(program: Command, context: CommandContext): void {
  program
    .command('rebuild')
    .description('recompute every rollup (totals, hourly and daily series, 24 h cache, per-user interactions) from the invocations')
    .option('--discard-pruned-rollups', 'on a pruned store, rebuild anyway: the history before the cut, kept only in the rollups, is lost')
    .option('--json', 'print {"invocations", "rows", "userInteractions"} as JSON')
    .action(async (flags: { json?: boolean; discardPrunedRollups?: boolean }, command: Command) => {
      const result = await withStore(command, context, (store) =>
        rebuildRollups(store, {
          now: context.now(),
          discardPrunedRollups: flags.discardPrunedRollups === true,
          discardOptionName: '--discard-pruned-rollups',
        }),
      );
      if (flags.json) return printJson(context.io, result);
      printLine(context.io, `Rebuilt the rollups from ${formatCount(result.invocations)} invocations:`);
      printTable(
        context.io,
        ['table', 'rows'],
        Object.entries(result.rows)
          .filter(([table]) => result.userInteractions || table !== 'skill_user_interactions')
          .map(([table, rows]) => [table, rows]),
        { align: ['left', 'right'] },
      );
    });
}
