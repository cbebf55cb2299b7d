import { Command, CommanderError } from 'commander';
import packageJson from '../package.json' with { type: 'json' };
import { createContext, processIo, type CliIo, type CommandContext } from './cli-io.js';
import { registerAbtestCommand } from './commands/abtest.js';
import { registerClaudeCodeCommands } from './commands/claude-code.js';
import { registerCollabCommands } from './commands/collab.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerExportCommand } from './commands/export.js';
import { registerImportCommand } from './commands/import.js';
import { registerImportLegacyCommand } from './commands/import-legacy.js';
import { registerPruneCommand } from './commands/prune.js';
import { registerBackupCommand } from './commands/backup.js';
import { registerInitCommand } from './commands/init.js';
import { registerIntegrationCommands } from './commands/integrations.js';
import { registerInvocationCommands } from './commands/invocations.js';
import { registerMcpCommand } from './commands/mcp.js';
import { registerMigrateCommand } from './commands/migrate.js';
import { registerPredictCommand } from './commands/predict.js';
import { registerRebuildCommand } from './commands/rebuild.js';
import { registerRecordCommand } from './commands/record.js';
import { registerSeedCommand } from './commands/seed.js';
import { registerServeCommand } from './commands/serve.js';
import { registerTaxonomyCommand } from './commands/taxonomy.js';
import { registerTopCommand } from './commands/top.js';
import { registerTrendAnomaliesCommands } from './commands/trend-anomalies.js';
import { registerVerifyCommand } from './commands/verify.js';
import { describeError } from './errors.js';

/**
 * The `skills` program over `io`; `context.exitCode` holds the exit code once a command ran.
 * @example await createProgram(io).parseAsync(['node', 'skills', 'top', '--json'])
 */
export function createProgram(io: CliIo, context: CommandContext = createContext(io)): Command {
  const program = new Command('skills')
    .description('Skills Analytics from the terminal: set up a store, import, export, seed and query skill invocations.')
    .version(packageJson.version, '-V, --version')
    .option('--db <url>', 'store: a SQLite file, sqlite:PATH, :memory: or postgres://… (default: $SKILLS_DB_URL, else ./skills.db)')
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // main prints commander's errors itself, as one `skills: …` line.
      outputError: () => {},
    });
  registerInitCommand(program, context);
  registerMigrateCommand(program, context);
  registerRecordCommand(program, context);
  registerImportCommand(program, context);
  registerExportCommand(program, context);
  registerTopCommand(program, context);
  registerTrendAnomaliesCommands(program, context);
  registerInvocationCommands(program, context);
  registerSeedCommand(program, context);
  registerTaxonomyCommand(program, context);
  registerVerifyCommand(program, context);
  registerRebuildCommand(program, context);
  registerImportLegacyCommand(program, context);
  registerPruneCommand(program, context);
  registerBackupCommand(program, context);
  registerDemoCommand(program, context);
  registerPredictCommand(program, context);
  registerAbtestCommand(program, context);
  registerCollabCommands(program, context);
  registerClaudeCodeCommands(program, context);
  registerIntegrationCommands(program, context);
  registerServeCommand(program, context);
  registerMcpCommand(program, context);
  return program;
}

/**
 * Run the CLI with `argv` (as in `process.argv`: node, script, arguments…); resolves to the exit
 * code: 0 success, 1 bad input or a failed check, 2 a usage error. Never throws, never exits.
 * @example process.exitCode = await main(process.argv)
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const context = createContext(io);
  const program = createProgram(io, context);
  try {
    await program.parseAsync([...argv]);
    return context.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return commanderExit(error, io);
    const described = describeError(error);
    const debug = io.env.SKILLS_DEBUG === '1' || io.env.SKILLS_DEBUG === 'true';
    if (!described.expected && debug && error instanceof Error) {
      io.stderr.write(`${error.stack ?? error.message}\n`);
    }
    const hint = described.expected || debug ? '' : ' (run with SKILLS_DEBUG=1 for details)';
    io.stderr.write(`skills: ${oneLine(described.message)}${hint}\n`);
    return described.exitCode;
  }
}

function commanderExit(error: CommanderError, io: CliIo): number {
  if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
  // `skills help top` exits 0; `skills` or `skills migrate` alone printed the help to stderr.
  if (error.code === 'commander.help') return error.exitCode === 0 ? 0 : 2;
  io.stderr.write(`skills: ${oneLine(error.message.replace(/^error: /, ''))} (see skills --help)\n`);
  return 2;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
