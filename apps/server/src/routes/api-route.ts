import type { Store } from '@skills/storage';
import type { z } from 'zod';
import type { Access } from '../auth.js';

/** What a route's handler gets: the store, its validated input and the request's clock. */
export interface RouteInput<P, Q, B> {
  store: Store;
  params: P;
  query: Q;
  body: B;
  now: number;
}

export interface RouteResponse {
  status: number;
  description: string;
  schema?: z.ZodType;
}

/**
 * One endpoint of the API, described once: Fastify registers it from this, validation uses its zod
 * schemas, and the OpenAPI document at /openapi.json is generated from the same schemas.
 */
export interface ApiRoute {
  method: 'GET' | 'POST';
  /** Fastify syntax: `/v1/skills/:skill`. */
  url: string;
  operationId: string;
  summary: string;
  /** Which token it needs when tokens are configured. */
  access: Access;
  params?: z.ZodObject;
  query?: z.ZodObject;
  /** The request body (for the document; the handler validates it itself). */
  body?: { schema: z.ZodType; description: string };
  responses: RouteResponse[];
  /** The CLI command whose `--json` this endpoint's JSON matches. */
  cli?: string;
  /** Returns the JSON body, or `{status, body}` for a status other than 200. */
  // biome-ignore lint/suspicious/noExplicitAny: the list holds routes of every query and body type
  handler(input: RouteInput<any, any, unknown>): Promise<unknown>;
}

/** A handler's answer with a status other than 200. */
export interface StatusReply {
  readonly statusReply: true;
  status: number;
  body: unknown;
}

export function withStatus(status: number, body: unknown): StatusReply {
  return { statusReply: true, status, body };
}

export function isStatusReply(value: unknown): value is StatusReply {
  return typeof value === 'object' && value !== null && (value as StatusReply).statusReply === true;
}

/** Declare a route with its params and query types inferred from its schemas. */
export function defineRoute<P extends z.ZodObject | undefined = undefined, Q extends z.ZodObject | undefined = undefined>(
  route: Omit<ApiRoute, 'params' | 'query' | 'handler'> & {
    params?: P;
    query?: Q;
    handler(
      input: RouteInput<P extends z.ZodObject ? z.output<P> : undefined, Q extends z.ZodObject ? z.output<Q> : undefined, unknown>,
    ): Promise<unknown>;
  },
): ApiRoute {
  return route as ApiRoute;
}

/** Whether a Content-Type names JSON (`application/json`, `application/x+json`, with or without parameters). */
export function isJsonContentType(type: string | undefined): boolean {
  return type !== undefined && /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type);
}
