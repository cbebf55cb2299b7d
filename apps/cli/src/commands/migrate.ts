import { DataLossError, migrateStore, rollbackStore, storeMigrationStatus, storeRollbackLosses, type DownLoss } from '@skills/storage';
import type { Command } from 'commander';
import type { CommandContext } from '../cli-io.js';
import { CliError } from '../errors.js';
import { formatCount, formatTime, printJson, printLine, printTable } from '../output.js';
import { hasInvocations, withStore } from '../store-access.js';
import { parseInteger } from '../time-arguments.js';

/** `skills migrate up|down|status`: the store is opened without migrating, then told what to do. */
export function registerMigrateCommand(program: Command, context: CommandContext): void {
  const migrate = program.command('migrate').description('apply, roll back or list schema migrations');
  const open = { migrate: false } as const;

  migrate
    .command('up')
    .description('apply every pending migration (creates the store if needed; rebuilds rollups a migration recreated)')
    .option('--json', 'print {"applied", "rebuiltRollups"} as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const { applied, rebuiltRollups } = await withStore(
        command,
        context,
        async (store) => {
          const names = await migrateStore(store);
          return { applied: names, rebuiltRollups: names.includes('0004_analytics') && (await hasInvocations(store)) };
        },
        { ...open, create: true },
      );
      if (options.json) return printJson(context.io, { applied, rebuiltRollups });
      printLine(context.io, applied.length === 0 ? 'Already up to date.' : `Applied: ${applied.join(', ')}`);
      if (rebuiltRollups) printLine(context.io, 'Rebuilt the rollups from the stored invocations (0004_analytics recreated them empty).');
    });

  migrate
    .command('down')
    .description('roll back the newest migrations; refuses to destroy data unless --force names the migrations')
    .option('--steps <n>', 'how many migrations to roll back', '1')
    .option('--force <migrations...>', 'the migrations whose data may be destroyed (as the refusal lists them)')
    .option('--json', 'print {"rolledBack", "dropped"} as JSON')
    .action(async (options: { steps: string; force?: string[]; json?: boolean }, command: Command) => {
      const steps = parseInteger(options.steps, '--steps', 1, 1000);
      const { rolledBack, dropped } = await withStore(
        command,
        context,
        async (store) => {
          const losses = await storeRollbackLosses(store, steps);
          try {
            return { rolledBack: await rollbackStore(store, steps, { allowDataLoss: options.force ?? [] }), dropped: losses };
          } catch (error) {
            if (error instanceof DataLossError) throw refusal(error, steps, options.force ?? []);
            throw error;
          }
        },
        open,
      );
      if (options.json) return printJson(context.io, { rolledBack, dropped });
      printLine(context.io, rolledBack.length === 0 ? 'Nothing to roll back.' : `Rolled back: ${rolledBack.join(', ')}`);
      for (const loss of dropped) {
        const note = loss.kind === 'derived' ? ' (rebuilt from the invocations on the next migrate up, or by skills rebuild)' : '';
        printLine(context.io, `Dropped ${loss.what}: ${formatCount(loss.rows)} rows${note}`);
      }
    });

  migrate
    .command('status')
    .description('list every migration with when it was applied')
    .option('--json', 'print as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const status = await withStore(command, context, (store) => storeMigrationStatus(store), open);
      if (options.json) return printJson(context.io, status);
      printTable(
        context.io,
        ['migration', 'applied at'],
        status.map((m) => [m.name, m.appliedAt === null ? 'pending' : formatTime(m.appliedAt)]),
      );
      const pending = status.filter((m) => m.appliedAt === null).length;
      printLine(context.io, pending === 0 ? 'Up to date.' : `${pending} pending: run skills migrate up`);
    });
}

/** One line: what would be destroyed, per migration, and the exact command that goes ahead. */
function refusal(error: DataLossError, steps: number, forced: readonly string[]): CliError {
  const data = error.losses.filter((loss: DownLoss) => loss.kind === 'data' && error.migrations.includes(loss.migration));
  const lost = data
    .map((loss) => `${loss.migration} drops ${loss.what}, ${formatCount(loss.rows)} row${loss.rows === 1 ? '' : 's'}`)
    .join('; ');
  const names = [...new Set([...forced, ...error.migrations])].join(' ');
  return new CliError(
    `refusing to roll back: it would destroy data: ${lost}. Nothing was changed. To go ahead: skills migrate down --steps ${steps} --force ${names}`,
  );
}
