import type { Store } from '@skills/storage';
import type { WorkloadOptions } from '@skills/synth';
import type { Command } from 'commander';
import type { CommandContext } from '../cli-io.js';
import { formatCount, formatRate, formatTime, printJson, printLine } from '../output.js';
import { createProgress } from '../progress.js';
import { seedWorkload, type SeedSummary } from '../seed-workload.js';
import { withStore } from '../store-access.js';
import { optionalInteger, parseInteger, parseTimeArgument } from '../time-arguments.js';

interface SeedFlags {
  invocations: string;
  users: string;
  skills: string;
  days: string;
  seed: string;
  incidents?: string;
  start?: string;
  batchSize: string;
  json?: boolean;
}

const MAX = Number.MAX_SAFE_INTEGER;

/** `skills seed`: a deterministic synthetic workload (same options, same rows). */
export function registerSeedCommand(program: Command, context: CommandContext): void {
  program
    .command('seed')
    .description('write a deterministic synthetic workload (the same options always give the same rows)')
    .option('--invocations <n>', 'invocations to generate', '50000')
    .option('--users <n>', 'distinct users', '200')
    .option('--skills <n>', 'distinct skills (1-5000)', '40')
    .option('--days <n>', 'length of the window in days', '30')
    .option('--seed <n>', 'random seed (any integer)', '42')
    .option('--incidents <n>', 'incidents to inject (default: about one per 100 skill-days)')
    .option('--start <time>', 'start of the window: ISO-8601 or epoch ms (default: 2026-01-01T00:00Z)')
    .option('--batch-size <n>', 'invocations per transaction', '1000')
    .option('--json', 'print the summary as JSON')
    .action(async (flags: SeedFlags, command: Command) => {
      const options = workloadOptions(flags, context.now());
      const summary = await withStore(command, context, (store) => seedWithProgress(context, store, options), { create: true });
      if (flags.json) return printJson(context.io, { ...summary, elapsedMs: Math.round(summary.elapsedMs) });
      printSeedSummary(context, summary);
    });
}

function workloadOptions(flags: SeedFlags, now: number): WorkloadOptions {
  const options: WorkloadOptions = {
    invocations: parseInteger(flags.invocations, '--invocations', 0, 1e9),
    users: parseInteger(flags.users, '--users', 1, 10_000_000),
    skills: parseInteger(flags.skills, '--skills', 1, 5000),
    days: parseInteger(flags.days, '--days', 1, 36_500),
    seed: parseInteger(flags.seed, '--seed', -MAX, MAX),
    batchSize: parseInteger(flags.batchSize, '--batch-size', 1, 100_000),
  };
  const incidents = optionalInteger(flags.incidents, '--incidents', 0, 100_000);
  if (incidents !== undefined) options.incidents = incidents;
  if (flags.start !== undefined) options.start = parseTimeArgument(flags.start, '--start', now);
  return options;
}

/** Seed with a progress bar on a terminal. */
export async function seedWithProgress(context: CommandContext, store: Store, options: WorkloadOptions): Promise<SeedSummary> {
  const progress = createProgress(context.io, { label: 'seeding', unit: 'items', total: options.invocations, itemName: 'invocations' });
  try {
    return await seedWorkload(store, options, (done) => progress.update(done));
  } finally {
    progress.stop();
  }
}

export function printSeedSummary(context: CommandContext, summary: SeedSummary): void {
  printLine(
    context.io,
    `Seeded ${formatCount(summary.invocations)} invocations (${formatCount(summary.inserted)} new, ` +
      `${formatCount(summary.duplicates)} already stored) from ${formatTime(summary.start)} to ${formatTime(summary.end)} ` +
      `in ${formatRate(summary.invocations, summary.elapsedMs, 'invocations')}.`,
  );
  if (summary.incidents.length > 0) {
    const shown = summary.incidents
      .slice(0, 5)
      .map((incident) => `${incident.kind} of ${incident.skill} from ${formatTime(incident.start)} to ${formatTime(incident.end)}`);
    const more = summary.incidents.length > 5 ? `, and ${summary.incidents.length - 5} more` : '';
    printLine(context.io, `Injected ${summary.incidents.length} incidents: ${shown.join('; ')}${more}.`);
  }
}
