import { initializeTaxonomy, storeMigrationStatus, type TaxonomyInitResult } from '@skills/storage';
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { CommandContext } from '../cli-io.js';
import { formatTable, printJson, printLine } from '../output.js';
import { sqliteFile, storeUrl, withStore } from '../store-access.js';

export interface InitResult {
  store: string;
  /** The store did not exist: this run created it. */
  created: boolean;
  migrations: string[];
  taxonomy: TaxonomyInitResult;
}

/** `skills init`: create and migrate the store, load the standard taxonomy. */
export function registerInitCommand(program: Command, context: CommandContext): void {
  program
    .command('init')
    .description('create the store (or bring it to the latest schema) and load the standard taxonomy')
    .option('--json', 'print the result as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const file = sqliteFile(storeUrl(command, context));
      const created = file !== undefined && !existsSync(file);
      const result = await withStore(command, context, (store, url) => initStore(store, url, created), { create: true });
      if (options.json) return printJson(context.io, result);
      printInitResult(context, result);
    });
}

/** Migrate (openStore did) and load the taxonomy; reports what exists and what was added. */
export async function initStore(store: Parameters<typeof initializeTaxonomy>[0], url: string, created = false): Promise<InitResult> {
  const status = await storeMigrationStatus(store);
  const taxonomy = await initializeTaxonomy(store);
  return { store: url, created, migrations: status.filter((m) => m.appliedAt !== null).map((m) => m.name), taxonomy };
}

export function printInitResult(context: CommandContext, result: InitResult): void {
  const { taxonomy } = result;
  if (result.created) printLine(context.io, `Created a new store at ${result.store}.`);
  printLine(
    context.io,
    `Store ${result.store} is at schema ${result.migrations.at(-1) ?? '(none)'} (${result.migrations.length} migrations applied).`,
  );
  const added = taxonomy.categories + taxonomy.modalities + taxonomy.dependencies + taxonomy.mappings;
  printLine(context.io, added === 0 ? 'Standard taxonomy already loaded: nothing added.' : 'Standard taxonomy loaded:');
  if (added === 0) return;
  printLine(
    context.io,
    formatTable(
      ['added', 'rows'],
      [
        ['categories', taxonomy.categories],
        ['skill mappings', taxonomy.mappings],
        ['modalities', taxonomy.modalities],
        ['dependencies', taxonomy.dependencies],
      ],
      { align: ['left', 'right'] },
    ),
  );
}
