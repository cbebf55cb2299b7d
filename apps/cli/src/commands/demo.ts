import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DAY_MS, HOUR_MS, topSkills } from '@skills/storage';
import type { Command } from 'commander';
import type { CommandContext } from '../cli-io.js';
import { formatCount, printJson, printLine } from '../output.js';
import type { SeedSummary } from '../seed-workload.js';
import { countInvocations, withStore } from '../store-access.js';
import { parseInteger } from '../time-arguments.js';
import { initStore, printInitResult } from './init.js';
import { printSeedSummary, seedWithProgress } from './seed.js';
import { printTopSkills } from './top.js';

/** The built bin.js beside this bundle: what the `skills` alias must point at, as an absolute path. */
function binPath(): string {
  return join(dirname(fileURLToPath(import.meta.url)), 'bin.js');
}

const DEMO_DAYS = 14;

/** `skills demo`: init, seed a workload that ends at the current hour, show the last 24 hours. */
export function registerDemoCommand(program: Command, context: CommandContext): void {
  program
    .command('demo')
    .description('set up a store, seed a demo workload ending at the current hour, show the top skills of the last 24 h')
    .option('--invocations <n>', 'invocations to seed', '20000')
    .option('--days <n>', 'days of history to seed', String(DEMO_DAYS))
    .option('--seed <n>', 'random seed', '42')
    .option('--json', 'print {init, seeded, top} as JSON')
    .action(async (flags: { invocations: string; days: string; seed: string; json?: boolean }, command: Command) => {
      const invocations = parseInteger(flags.invocations, '--invocations', 1, 1e8);
      const days = parseInteger(flags.days, '--days', 1, 365);
      const seed = parseInteger(flags.seed, '--seed', -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
      const { io } = context;
      await withStore(
        command,
        context,
        async (store, url) => {
          const init = await initStore(store, url);
          if (!flags.json) printInitResult(context, init);
          const now = context.now();
          const existing = await countInvocations(store);
          let seeded: SeedSummary | null = null;
          if (existing > 0) {
            if (!flags.json)
              printLine(
                io,
                `The store already holds ${formatCount(existing)} invocations: not seeding (use --db with a new file for a fresh demo).`,
              );
          } else {
            // The window ends where the current hour starts, so the last 24 h are full of data.
            const start = now - (now % HOUR_MS) - days * DAY_MS;
            seeded = await seedWithProgress(context, store, { invocations, users: 200, skills: 40, days, seed, start });
            if (!flags.json) printSeedSummary(context, seeded);
          }
          const since = now - DAY_MS;
          const top = await topSkills(store, { since, until: now, limit: 10 });
          if (flags.json) return printJson(io, { init, seeded, top });
          printLine(io);
          printTopSkills(context, top, since, now);
          printLine(io);
          const db = command.optsWithGlobals<{ db?: string }>().db;
          const flag = db === undefined ? '' : ` --db ${db}`;
          printLine(io, `Next: skills top${flag} --since 7d --order-by p95_duration`);
          printLine(io, `      skills metrics${flag} ${top[0]?.skill_name ?? '<skill>'}`);
          printLine(io, `      skills export${flag} > invocations.jsonl`);
          const user = await store.db
            .selectFrom('skill_invocation')
            .select('user_id')
            .where('user_id', 'is not', null)
            .limit(1)
            .executeTakeFirst();
          if (user?.user_id) printLine(io, `      skills recommend${flag} ${user.user_id}`);
          printLine(io, `(to run skills from any directory: alias skills="node ${binPath()}")`);
        },
        { create: true },
      );
    });
}
