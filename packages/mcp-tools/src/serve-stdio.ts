import type { Readable, Writable } from 'node:stream';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createSkillsServer, type SkillsServerOptions } from './create-server.js';
import type { SkillsToolsDeps } from './deps.js';

export interface StdioOptions extends SkillsServerOptions {
  /** Where requests come from (default `process.stdin`). */
  input?: Readable;
  /** Where responses go (default `process.stdout`): nothing else may write to it. */
  output?: Writable;
}

/**
 * Serve the Skills Analytics MCP server over stdio (newline-delimited JSON-RPC) until the
 * client closes its end of `input`; resolves then, with the server closed.
 * @example await serveOverStdio({ store }) // what `skills mcp` runs
 */
export async function serveOverStdio(deps: SkillsToolsDeps, options: StdioOptions = {}): Promise<void> {
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  const server = createSkillsServer(deps, options);
  const closed = new Promise<void>((resolve) => {
    server.server.onclose = () => resolve();
  });
  await server.connect(new StdioServerTransport(input, output));
  const close = () => void server.close();
  input.once('end', close);
  input.once('close', close);
  await closed;
}
