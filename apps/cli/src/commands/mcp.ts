import type { Readable, Writable } from 'node:stream';
import { serveOverStdio } from '@skills/mcp-tools';
import type { Command } from 'commander';
import packageJson from '../../package.json' with { type: 'json' };
import type { CommandContext } from '../cli-io.js';
import { withStore } from '../store-access.js';

/**
 * `skills mcp`: the Skills Analytics MCP server over stdio, for Claude Code and other MCP
 * clients. Runs until the client closes stdin. stdout carries only JSON-RPC; failures that are
 * not the caller's mistake go to stderr as one line each.
 */
export function registerMcpCommand(program: Command, context: CommandContext): void {
  program
    .command('mcp')
    .description('serve the MCP tools over stdio (e.g. claude mcp add skills -- skills mcp --db ~/skills.db); creates the store if missing')
    .action(async (_flags: unknown, command: Command) => {
      const { io } = context;
      await withStore(
        command,
        context,
        (store) =>
          serveOverStdio(
            {
              store,
              now: context.now,
              onError: (error, tool) => {
                const message = error instanceof Error ? error.message : String(error);
                io.stderr.write(`skills mcp: ${tool}: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
              },
            },
            { name: 'skills', version: packageJson.version, input: io.stdin as Readable, output: io.stdout as Writable },
          ),
        // An agent records into it from its first call on: a new store is created, not refused.
        { create: true },
      );
    });
}
