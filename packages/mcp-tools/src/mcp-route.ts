import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Store } from '@skills/storage';
import { createMcpHttpHandler } from './http-handler.js';
import { SKILLS_TOOLS } from './tools/index.js';

export type McpAccess = 'read' | 'write';

/** What the route needs of a request and a reply: Fastify's (or anything shaped like them). */
export interface McpRouteRequest {
  raw: IncomingMessage;
  body?: unknown;
}
export interface McpRouteReply {
  raw: ServerResponse;
  hijack(): unknown;
}

/** A router the route is added to: a Fastify instance (`app.register(skillsMcpRoute, …)`). */
export interface McpRouteHost {
  route(options: {
    method: ('GET' | 'POST' | 'DELETE')[];
    url: string;
    onRequest: (request: McpRouteRequest, reply: McpRouteReply) => Promise<void>;
    handler: (request: McpRouteRequest, reply: McpRouteReply) => Promise<void>;
  }): unknown;
}

export interface McpRouteOptions {
  store: Store;
  /** Throws (the host's 401 / 403) unless the request may `access`; omitted: no checks. */
  checkAccess?: (request: never, access: McpAccess) => void;
  /** Default `/mcp`. */
  path?: string;
  now?: () => number;
  onError?: (error: unknown, tool: string) => void;
}

const WRITE_TOOLS = new Set(SKILLS_TOOLS.filter((tool) => tool.annotations.readOnlyHint !== true).map((tool) => tool.name));

/**
 * The access a JSON-RPC body needs: `write` when it calls a tool that records (or creates an
 * experiment, assigns, records an outcome), `read` for everything else.
 * @example accessFor({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'record_skill_invocation' } }) // 'write'
 */
export function accessFor(body: unknown): McpAccess {
  const messages = Array.isArray(body) ? body : [body];
  for (const message of messages) {
    if (typeof message !== 'object' || message === null) continue;
    const { method, params } = message as { method?: unknown; params?: { name?: unknown } };
    if (method === 'tools/call' && typeof params?.name === 'string' && WRITE_TOOLS.has(params.name)) return 'write';
  }
  return 'read';
}

/**
 * Streamable HTTP at `/mcp` (stateless, see `createMcpHttpHandler`) as a Fastify plugin. Every
 * request needs read access; a call of a tool that writes needs write access.
 * @example await app.register(skillsMcpRoute, { store, checkAccess: (request, access) => tokens.check(request, access) })
 */
export async function skillsMcpRoute(app: McpRouteHost, options: McpRouteOptions): Promise<void> {
  const handle = createMcpHttpHandler({
    store: options.store,
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.onError === undefined ? {} : { onError: options.onError }),
  });
  const check = options.checkAccess as ((request: McpRouteRequest, access: McpAccess) => void) | undefined;
  app.route({
    method: ['GET', 'POST', 'DELETE'],
    url: options.path ?? '/mcp',
    // Before the body is read: a request without a valid token costs no upload.
    onRequest: async (request) => check?.(request, 'read'),
    handler: async (request, reply) => {
      const access = accessFor(request.body);
      if (access === 'write') check?.(request, 'write');
      reply.hijack();
      await handle(request.raw, reply.raw, request.body);
    },
  });
}
