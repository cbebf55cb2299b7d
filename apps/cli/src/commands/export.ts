import { open } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { listInvocations, type ListInvocationsOptions, type Store } from '@skills/storage';
import type { Command } from 'commander';
import type { CommandContext } from '../cli-io.js';
import { write } from '../output.js';
import { withStore } from '../store-access.js';
import { optionalTime } from '../time-arguments.js';

const PAGE_SIZE = 5000;

interface ExportFlags {
  since?: string;
  until?: string;
  skill?: string;
  output?: string;
}

/** `skills export`: every column of every matching invocation as JSON Lines, oldest first. */
export function registerExportCommand(program: Command, context: CommandContext): void {
  program
    .command('export')
    .description('write invocations as JSON Lines, oldest first (skills import reads them back exactly)')
    .option('--since <time>', 'from (inclusive): a duration ago such as 7d, epoch ms or ISO-8601')
    .option('--until <time>', 'to (exclusive): a duration ago, epoch ms or ISO-8601')
    .option('--skill <name>', 'only this skill')
    .option('--output <file>', 'write to this file instead of stdout')
    .action(async (flags: ExportFlags, command: Command) => {
      const now = context.now();
      const filters: ListInvocationsOptions = {};
      const since = optionalTime(flags.since, '--since', now);
      const until = optionalTime(flags.until, '--until', now);
      if (since !== undefined) filters.since = since;
      if (until !== undefined) filters.until = until;
      if (flags.skill !== undefined) filters.skill = flags.skill;

      await withStore(command, context, async (store) => {
        if (flags.output === undefined) {
          await exportInvocations(store, filters, context.io.stdout);
          return;
        }
        // Opened first, so a bad path fails before any work and with a plain message.
        const handle = await open(flags.output, 'w');
        const file = handle.createWriteStream();
        let failure: unknown;
        file.on('error', (error) => (failure ??= error));
        try {
          const count = await exportInvocations(store, filters, file);
          context.io.stderr.write(`Exported ${count} invocations to ${flags.output}\n`);
        } finally {
          file.end();
          await finished(file).catch((error: unknown) => (failure ??= error));
        }
        if (failure) throw failure;
      });
    });
}

/**
 * Page through the store (keyset cursor, oldest first) and write one JSON object per line, with
 * the columns exactly as `listInvocations` returns them, embedding included; returns the count.
 */
export async function exportInvocations(store: Store, filters: ListInvocationsOptions, out: NodeJS.WritableStream): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  do {
    const page = await listInvocations(store, {
      ...filters,
      order: 'asc',
      includeEmbedding: true,
      limit: PAGE_SIZE,
      ...(cursor === undefined ? {} : { cursor }),
    });
    if (page.items.length > 0) {
      await write(out, `${page.items.map((item) => JSON.stringify(item)).join('\n')}\n`);
      count += page.items.length;
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return count;
}
