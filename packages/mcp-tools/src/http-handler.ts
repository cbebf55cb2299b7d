import type { IncomingMessage, ServerResponse } from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createSkillsServer, type SkillsServerOptions } from './create-server.js';
import type { SkillsToolsDeps } from './deps.js';

/** `(req, res, body?)`: pass `body` when a framework (Fastify, Express) has already parsed the JSON. */
export type McpHttpHandler = (req: IncomingMessage, res: ServerResponse, parsedBody?: unknown) => Promise<void>;

/**
 * Streamable HTTP, stateless: every POST builds a fresh server over the same store and answers
 * it (JSON, not a stream), so any instance behind a load balancer can answer any request and
 * nothing is kept between requests. There are no sessions, so GET (a server-initiated stream)
 * and DELETE (ending a session) answer 405. Authentication is the host's job: mount it behind
 * your token check.
 *
 * @example
 * const handle = createMcpHttpHandler({ store });
 * http.createServer((req, res) => (req.url === '/mcp' ? handle(req, res) : notFound(res))).listen(8080);
 */
export function createMcpHttpHandler(deps: SkillsToolsDeps, options: SkillsServerOptions = {}): McpHttpHandler {
  return async (req, res, parsedBody) => {
    if (req.method !== 'POST') {
      res.writeHead(405, { 'content-type': 'application/json', allow: 'POST' }).end(
        JSON.stringify({
          jsonrpc: '2.0',
          error: { code: -32000, message: 'Method not allowed: this MCP endpoint is stateless, send JSON-RPC with POST' },
          id: null,
        }),
      );
      return;
    }
    const server = createSkillsServer(deps, options);
    // No sessionIdGenerator: stateless mode (no Mcp-Session-Id).
    const transport = new StreamableHTTPServerTransport({ enableJsonResponse: true });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    try {
      await server.connect(transport);
      await transport.handleRequest(req, res, parsedBody);
    } catch (error) {
      deps.onError?.(error, 'mcp-http');
      if (!res.headersSent) {
        res
          .writeHead(500, { 'content-type': 'application/json' })
          .end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32603, message: 'Internal server error' }, id: null }));
      }
    }
  };
}
