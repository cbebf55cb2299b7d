import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * Bearer tokens, compared in constant time: each candidate is hashed to 32 bytes, so neither the
 * length nor the content of a token leaks through timing, and every configured token is compared.
 */
export function createTokenCheck(tokens: readonly string[] | undefined): ((token: string) => boolean) | undefined {
  if (tokens === undefined || tokens.length === 0) return undefined;
  const digests = tokens.map((token) => createHash('sha256').update(token).digest());
  return (token) => {
    const digest = createHash('sha256').update(token).digest();
    let found = false;
    for (const known of digests) found = timingSafeEqual(digest, known) || found;
    return found;
  };
}

/** The token of an upgrade request: `Authorization: Bearer …`, else `?token=` (browsers cannot set headers). */
export function tokenOf(request: IncomingMessage, url: URL): string | undefined {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    return match ? match[1]! : '';
  }
  return url.searchParams.get('token') ?? undefined;
}
