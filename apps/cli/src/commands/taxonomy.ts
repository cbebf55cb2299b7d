import { initializeTaxonomy, listTaxonomy } from '@skills/storage';
import type { Command } from 'commander';
import type { CommandContext } from '../cli-io.js';
import { printJson, printLine, printTable } from '../output.js';
import { withStore } from '../store-access.js';

/** `skills taxonomy init|list`: categories, their skills, modalities and declared dependencies. */
export function registerTaxonomyCommand(program: Command, context: CommandContext): void {
  const taxonomy = program.command('taxonomy').description('the skill taxonomy: categories, modalities, dependencies');
  const { io } = context;

  taxonomy
    .command('init')
    .description('load the standard taxonomy (adds only what is missing)')
    .option('--json', 'print the rows added as JSON')
    .action(async (flags: { json?: boolean }, command: Command) => {
      const added = await withStore(command, context, (store) => initializeTaxonomy(store), { create: true });
      if (flags.json) return printJson(io, added);
      printLine(
        io,
        `Added ${added.categories} categories, ${added.mappings} skill mappings, ` +
          `${added.modalities} modalities and ${added.dependencies} dependencies.`,
      );
    });

  taxonomy
    .command('list')
    .description('show categories with their skills, modalities and dependencies')
    .option('--json', 'print as JSON')
    .action(async (flags: { json?: boolean }, command: Command) => {
      const result = await withStore(command, context, (store) => listTaxonomy(store));
      if (flags.json) return printJson(io, result);
      if (result.categories.length === 0 && result.modalities.length === 0 && result.dependencies.length === 0) {
        return printLine(io, 'The taxonomy is empty: run skills taxonomy init');
      }
      printLine(io, 'Categories');
      printTable(
        io,
        ['category', 'domain', 'skills'],
        result.categories.map((c) => [c.category_name, c.domain, c.skills.join(', ')]),
      );
      printLine(io, 'Modalities');
      printTable(
        io,
        ['skill', 'modality', 'input', 'output', 'human review'],
        result.modalities.map((m) => [
          m.skill_name,
          m.modality_type,
          m.input_format,
          m.output_format,
          m.requires_human_review ? 'yes' : 'no',
        ]),
      );
      printLine(io, 'Dependencies');
      printTable(
        io,
        ['skill', 'leads to', 'source', 'lift', 'co-occurrences'],
        result.dependencies.map((d) => [d.skill_a, d.skill_b, d.source, d.lift_score.toFixed(2), d.co_occurrence_count]),
        { align: ['left', 'left', 'left', 'right', 'right'] },
      );
    });
}
