import { parseRetentionPeriod, pruneInvocations } from '@skills/storage';
import type { Command } from 'commander';
import type { CommandContext } from '../cli-io.js';
import { CliError } from '../errors.js';
import { formatCount, printJson, printLine } from '../output.js';
import { createProgress } from '../progress.js';
import { withStore } from '../store-access.js';

/** `skills prune --raw-older-than 90d`: delete old raw invocations, keep every rollup. */
export function registerPruneCommand(program: Command, context: CommandContext): void {
  program
    .command('prune')
    .description(
      'delete raw invocations (and their search entries) older than a period; hourly and daily rollups, lifetime totals and analytics tables stay',
    )
    .requiredOption(
      '--raw-older-than <period>',
      'a whole number and a unit: h, d or w (e.g. 90d); the cut is rounded down to a UTC midnight',
    )
    .option('--dry-run', 'count what would be deleted, delete nothing')
    .option('--json', 'print the result as JSON')
    .action(async (flags: { rawOlderThan: string; dryRun?: boolean; json?: boolean }, command: Command) => {
      let period: number;
      try {
        period = parseRetentionPeriod(flags.rawOlderThan, '--raw-older-than');
      } catch (error) {
        throw new CliError(
          `--raw-older-than: ${(error as { issues?: { message: string }[] }).issues?.[0]?.message ?? (error as Error).message}`,
        );
      }
      const now = context.now();
      const result = await withStore(command, context, async (store) => {
        const progress = flags.dryRun
          ? undefined
          : createProgress(context.io, { label: 'pruning', unit: 'items', itemName: 'invocations' });
        try {
          return await pruneInvocations(store, {
            before: now - period,
            now,
            dryRun: flags.dryRun === true,
            onProgress: ({ deleted }) => progress?.update(deleted),
          });
        } finally {
          progress?.stop();
        }
      });
      const cut = new Date(result.cut).toISOString();
      if (flags.json)
        return printJson(context.io, {
          ...result,
          cutIso: cut,
          elapsedMs: Math.round(result.elapsedMs),
          longestBatchMs: Math.round(result.longestBatchMs * 10) / 10,
        });
      if (result.dryRun)
        return printLine(
          context.io,
          `Would delete ${formatCount(result.deleted)} raw invocations before ${cut} (nothing deleted: --dry-run).`,
        );
      printLine(
        context.io,
        `Deleted ${formatCount(result.deleted)} raw invocations before ${cut} in ${formatCount(result.batches)} batches (longest ${result.longestBatchMs.toFixed(1)} ms); ` +
          'hourly and daily rollups, lifetime totals and analytics tables kept; skills verify checks the pruned store.',
      );
    });
}
