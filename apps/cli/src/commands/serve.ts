import { addServerOptions, ConfigError, resolveServerConfig, runServerProcess, type ServerFlags } from '@skills/server';
import { DAY_MS, HOUR_MS } from '@skills/storage';
import type { Command } from 'commander';
import type { CommandContext } from '../cli-io.js';
import { CliError } from '../errors.js';
import { formatCount } from '../output.js';
import { countInvocations, withStore } from '../store-access.js';
import { initStore } from './init.js';
import { seedWithProgress } from './seed.js';

/**
 * `skills serve`: the Skills Analytics server (the same as `skills-server`), on `--db` or
 * `SKILLS_DB_URL`; with `--demo`, first set up the store and seed a demo workload when it is empty.
 * @example skills serve --demo   # ./skills.db on http://127.0.0.1:8765
 */
export function registerServeCommand(program: Command, context: CommandContext): void {
  const command = program
    .command('serve')
    .description(
      'run the server: POST /v1/invocations, the read API, /ws, /metrics, /openapi.json, hourly anomaly detection (stop with Ctrl-C)',
    );
  addServerOptions(command, { skip: ['db'] });
  command
    .option(
      '--demo',
      'first create the store and, when it holds no invocations, seed a demo workload ending at the current hour (as skills demo)',
    )
    .action(async (flags: ServerFlags & { demo?: boolean }, command: Command) => {
      const { demo, ...serverFlags } = flags;
      const db = command.optsWithGlobals<{ db?: string }>().db;
      let config: ReturnType<typeof resolveServerConfig>;
      try {
        config = resolveServerConfig({ ...serverFlags, ...(db === undefined ? {} : { db }) }, context.io.env);
      } catch (error) {
        if (error instanceof ConfigError) throw new CliError(error.message);
        throw error;
      }
      const notes = demo ? await seedDemo(command, context) : [];
      try {
        await runServerProcess(config, { out: context.io.stderr, notes });
      } catch (error) {
        if (error instanceof ConfigError) throw new CliError(error.message);
        const code = error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined;
        if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
          throw new CliError(`cannot listen: ${(error as Error).message} (change --port / SKILLS_PORT or --host / SKILLS_HOST)`);
        }
        throw error;
      }
    });
}

/** `skills demo`'s set-up: init, and a 14-day workload ending where the current hour starts when the store is empty. */
async function seedDemo(command: Command, context: CommandContext): Promise<string[]> {
  return withStore(
    command,
    context,
    async (store, url) => {
      await initStore(store, url);
      const existing = await countInvocations(store);
      if (existing > 0) return [`Demo: the store already holds ${formatCount(existing)} invocations (not seeding).`];
      const now = context.now();
      const days = 14;
      const start = now - (now % HOUR_MS) - days * DAY_MS;
      const seeded = await seedWithProgress(context, store, { invocations: 20_000, users: 200, skills: 40, days, seed: 42, start });
      return [`Demo: seeded ${formatCount(seeded.inserted)} invocations over the last ${days} days into ${url}.`];
    },
    { create: true },
  );
}
