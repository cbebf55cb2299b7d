import type { Command } from 'commander';
import { SERVER_OPTIONS, type ServerConfig, type ServerOptionKey } from './config.js';
import { startServer, type SkillsServer, type StartServerOptions } from './start-server.js';

/**
 * Add the server's flags to a commander command (`skills-server`, `skills serve`), each with its
 * variable and default in the help. No commander defaults: an absent flag falls back to its variable.
 */
export function addServerOptions(command: Command, options: { skip?: readonly ServerOptionKey[] } = {}): Command {
  for (const option of SERVER_OPTIONS) {
    if (options.skip?.includes(option.key)) continue;
    command.option(option.flag, `${option.description} (default: $${option.env}, else ${option.defaultText})`);
  }
  return command;
}

export interface RunServerOptions extends StartServerOptions {
  /** Where the addresses are printed for people (default process.stderr). */
  out?: NodeJS.WritableStream;
  /** Lines printed after the addresses (e.g. the demo's suggestions). */
  notes?: readonly string[];
}

/**
 * Start the server as a process: print its addresses, shut down gracefully on SIGTERM or SIGINT
 * (a second signal exits at once). Resolves once closed after a signal.
 */
export async function runServerProcess(config: ServerConfig, options: RunServerOptions = {}): Promise<SkillsServer> {
  const out = options.out ?? process.stderr;
  const server = await startServer(config, options);
  out.write(
    [
      `Skills Analytics server on ${server.url}`,
      `  dashboard  ${server.url}/   (open it in a browser)`,
      `  API        ${server.url}/v1/skills/top   (every endpoint: ${server.url}/openapi.json)`,
      `  WebSocket  ${server.wsUrl}`,
      `  metrics    ${server.url}/metrics`,
      `  health     ${server.url}/healthz, ${server.url}/readyz`,
      ...(options.notes ?? []),
      'Stop with Ctrl-C (SIGINT) or SIGTERM: in-flight requests finish first.',
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    let signalled = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (signalled) process.exit(130);
      signalled = true;
      server.app.log.info({ signal }, 'shutting down');
      // A safety net: whatever hangs, the process is gone well after the shutdown timeout.
      setTimeout(() => process.exit(1), config.shutdownTimeoutMs + 10_000).unref();
      server.close().then(
        () => {
          process.off('SIGTERM', onSignal);
          process.off('SIGINT', onSignal);
          resolve();
        },
        (error: unknown) => {
          server.app.log.error({ err: error }, 'shutdown failed');
          process.exitCode = 1;
          resolve();
        },
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  return server;
}
