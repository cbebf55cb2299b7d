import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Whether `signature` (the `X-Hub-Signature-256` header, `sha256=<hex>`) is GitHub's HMAC-SHA256
 * of the raw body under `secret`. Compared in constant time; verify before parsing the body.
 * @example verifyGithubSignature('s3cret', rawBody, request.headers['x-hub-signature-256'])
 */
export function verifyGithubSignature(secret: string, rawBody: Uint8Array, signature: string | undefined): boolean {
  if (typeof signature !== 'string' || !/^sha256=[0-9a-f]{64}$/i.test(signature.trim())) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  const given = Buffer.from(signature.trim().slice(7), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The `X-Hub-Signature-256` value GitHub sends for `rawBody` (for tests, replays and senders). */
export function signGithubPayload(secret: string, rawBody: Uint8Array | string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}
