#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import packageJson from '../package.json' with { type: 'json' };
import { ConfigError, resolveServerConfig, type ServerFlags } from './config.js';
import { addServerOptions, runServerProcess } from './run.js';

const program = addServerOptions(
  new Command('skills-server')
    .description('Skills Analytics server: POST /v1/invocations, read API, /metrics, /ws, /openapi.json, hourly anomaly detection')
    .version(packageJson.version, '-V, --version')
    .exitOverride()
    .configureOutput({ outputError: () => {} }),
);

try {
  program.parse(process.argv);
  const config = resolveServerConfig(program.opts<ServerFlags>(), process.env);
  await runServerProcess(config);
  process.exit(process.exitCode ?? 0);
} catch (error) {
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') process.exit(0);
    process.stderr.write(`skills-server: ${error.message.replace(/^error: /, '')} (see skills-server --help)\n`);
    process.exit(2);
  }
  const expected =
    error instanceof ConfigError ||
    (error instanceof Error && /^(StoreOpenError|KeyFileError|UserPseudonymSecretError|MigrationError)$/.test(error.name));
  const code = error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined;
  if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
    process.stderr.write(
      `skills-server: cannot listen: ${(error as Error).message} (change --port / SKILLS_PORT or --host / SKILLS_HOST)\n`,
    );
  } else if (expected) {
    process.stderr.write(`skills-server: ${(error as Error).message}\n`);
  } else {
    process.stderr.write(`skills-server: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
}
