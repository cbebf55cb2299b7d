import { migrateStore, rollbackStore, storeMigrationStatus } from '@skills/storage';
import type { Command } from 'commander';
import type { CommandContext } from '../cli-io.js';
import { formatTime, printJson, printLine, printTable } from '../output.js';
import { withStore } from '../store-access.js';
import { parseInteger } from '../time-arguments.js';

/** `skills migrate up|down|status`: the store is opened without migrating, then told what to do. */
export function registerMigrateCommand(program: Command, context: CommandContext): void {
  const migrate = program.command('migrate').description('apply, roll back or list schema migrations');
  const open = { migrate: false } as const;

  migrate
    .command('up')
    .description('apply every pending migration (creates the store if needed)')
    .option('--json', 'print the applied migrations as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const applied = await withStore(command, context, (store) => migrateStore(store), { ...open, create: true });
      if (options.json) return printJson(context.io, { applied });
      printLine(context.io, applied.length === 0 ? 'Already up to date.' : `Applied: ${applied.join(', ')}`);
    });

  migrate
    .command('down')
    .description('roll back the newest migrations (removes their tables and data)')
    .option('--steps <n>', 'how many migrations to roll back', '1')
    .option('--json', 'print the rolled-back migrations as JSON')
    .action(async (options: { steps: string; json?: boolean }, command: Command) => {
      const steps = parseInteger(options.steps, '--steps', 1, 1000);
      const rolledBack = await withStore(command, context, (store) => rollbackStore(store, steps), open);
      if (options.json) return printJson(context.io, { rolledBack });
      printLine(context.io, rolledBack.length === 0 ? 'Nothing to roll back.' : `Rolled back: ${rolledBack.join(', ')}`);
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
