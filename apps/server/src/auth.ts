import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { HttpError } from './http-errors.js';

export type Access = 'read' | 'write';

/** Who may do what: each list empty means that kind of request needs no token. */
export interface AccessTokens {
  readTokens: readonly string[];
  writeTokens: readonly string[];
}

export interface TokenChecker {
  /** Throws 401 (no or unknown token) or 403 (a read token on a write). */
  check(request: FastifyRequest, access: Access): void;
  /** Whether a kind of request needs a token at all. */
  required(access: Access): boolean;
}

/** SHA-256 first, so every comparison is over 32 bytes whatever the token's length. */
function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** Compares against every token (no early exit), in constant time each. */
function matchesAny(candidate: Buffer, tokens: readonly Buffer[]): boolean {
  let found = false;
  for (const token of tokens) found = timingSafeEqual(candidate, token) || found;
  return found;
}

/**
 * Bearer-token checks for the HTTP API. Reads accept a read or a write token; writes only a
 * write token. `Authorization: Bearer <token>` only: tokens in URLs end up in logs (the
 * WebSocket, which browsers cannot give headers, takes `?token=` too).
 */
export function createTokenChecker(tokens: AccessTokens): TokenChecker {
  const read = tokens.readTokens.map(digest);
  const write = tokens.writeTokens.map(digest);
  const required = (access: Access) => (access === 'read' ? read.length > 0 : write.length > 0);
  return {
    required,
    check(request, access) {
      if (!required(access)) return;
      const header = request.headers.authorization;
      const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
      if (match === null) {
        throw new HttpError(
          401,
          'unauthorized',
          header === undefined
            ? 'missing Authorization header: expected "Bearer <token>"'
            : 'Authorization header: expected "Bearer <token>"',
        );
      }
      const candidate = digest(match[1]!);
      const canWrite = matchesAny(candidate, write);
      const canRead = canWrite || matchesAny(candidate, read);
      if (access === 'write' && !canWrite) {
        if (canRead) throw new HttpError(403, 'forbidden', 'this token may read but not write: use a write token');
        throw new HttpError(401, 'unauthorized', 'unknown token');
      }
      if (!canRead) throw new HttpError(401, 'unauthorized', 'unknown token');
    },
  };
}
