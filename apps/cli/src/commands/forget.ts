import { forgetUser } from '@skills/collab';
import { eraseUserInvocations, forgetUserRecords } from '@skills/storage';
import type { Command } from 'commander';
import type { CommandContext } from '../cli-io.js';
import { CliError } from '../errors.js';
import { formatCount, printJson, printLine } from '../output.js';
import { withStore } from '../store-access.js';

const plural = (count: number, one: string, many = `${one}s`) => `${formatCount(count)} ${count === 1 ? one : many}`;

/**
 * `skills forget USER [--erase]`: the user leaves everything derived from their invocations (the
 * collaborative tables, now and later; the A/B-test tables; saved predictor models), and is told
 * what raw records remain; `--erase` deletes those too, with every rollup adjusted.
 */
export function registerForgetCommand(program: Command, context: CommandContext): void {
  const { io } = context;
  program
    .command('forget')
    .description(
      'forget USER: out of similar users, recommendations, baselines, experiments and saved predictor models, now and later; --erase also deletes their invocations',
    )
    .argument('<user>', 'user id (surrounding spaces are ignored, as they are when invocations are stored)')
    .option('--erase', 'also delete every invocation of USER (the raw records, with their id), adjusting every rollup exactly')
    .option('--json', 'print as JSON')
    .action(async (user: string, flags: { erase?: boolean; json?: boolean }, command: Command) => {
      if (user.trim() === '') throw new CliError('USER: expected a user id');
      const userId = user.trim();
      const outcome = await withStore(command, context, async (store) => {
        const removed = await forgetUser(store, userId);
        const records = await forgetUserRecords(store, userId);
        const erased = flags.erase ? await eraseUserInvocations(store, userId, context.now()) : 0;
        return { removed, records, erased };
      });
      const { removed, records, erased } = outcome;
      const kept = records.invocationsKept - erased;
      if (flags.json) {
        return printJson(io, {
          user: userId,
          removed,
          experimentAssignments: records.experimentAssignments,
          experimentOutcomes: records.experimentOutcomes,
          experimentUserStats: records.experimentUserStats,
          predictorModels: records.predictorModels,
          erasedInvocations: erased,
          invocationsKept: kept,
        });
      }
      printLine(io, `Forgot ${userId}: removed ${plural(removed, 'interaction row')}; later invocations of theirs are left out too.`);
      printLine(
        io,
        `Also removed: ${plural(records.experimentAssignments, 'experiment assignment')}, ${plural(records.experimentOutcomes, 'experiment outcome')}, ` +
          `${plural(records.experimentUserStats, 'per-user experiment row')}; their tallies in ${plural(records.predictorModels, 'saved predictor model')}.`,
      );
      if (flags.erase) {
        printLine(io, `Erased ${plural(erased, 'invocation')} of ${userId}; every rollup adjusted. Nothing with their id is left.`);
      } else if (kept > 0) {
        printLine(
          io,
          `Still stored: ${plural(kept, 'invocation')} with their raw id in skill_invocation (the recorded log; skills predict train reads it again). ` +
            `Delete them with: skills forget ${quoteArg(userId)} --erase`,
        );
      } else {
        printLine(io, `No invocation with their id is stored.`);
      }
    });
}

function quoteArg(text: string): string {
  return /^[\w./:@%+=-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
