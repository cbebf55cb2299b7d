import { backupStore } from '@skills/storage';
import type { Command } from 'commander';
import type { CommandContext } from '../cli-io.js';
import { formatBytes, printJson, printLine } from '../output.js';
import { storeUrl } from '../store-access.js';

/** `skills backup PATH`: SQLite's online backup of the store (consistent while a server writes). */
export function registerBackupCommand(program: Command, context: CommandContext): void {
  program
    .command('backup')
    .description("copy a SQLite store with SQLite's online backup, consistent while the server writes (PostgreSQL: use pg_dump)")
    .argument('<path>', 'the backup file to write')
    .option('--force', 'replace the file if it exists')
    .option('--json', 'print the result as JSON')
    .action(async (path: string, flags: { force?: boolean; json?: boolean }, command: Command) => {
      const url = storeUrl(command, context);
      const result = await backupStore(url, path, { force: flags.force === true });
      if (flags.json) return printJson(context.io, { ...result, elapsedMs: Math.round(result.elapsedMs) });
      printLine(context.io, `Backed up ${url} to ${path} (${formatBytes(result.bytes)}) in ${(result.elapsedMs / 1000).toFixed(2)} s.`);
      if (result.keyFile)
        printLine(context.io, `Copied its key file to ${result.keyFile} (keep them together: the user pseudonyms need it).`);
      printLine(
        context.io,
        `Restore: stop the server, copy ${path}${result.keyFile ? ' and its .secret' : ''} over the store, start it, run skills verify.`,
      );
    });
}
