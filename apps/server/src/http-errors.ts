import { ConflictError } from '@skills/abtest';
import { NotFoundError, StorageError, StoreOpenError, ValidationError, type FieldIssue } from '@skills/storage';
import { z } from 'zod';

/** One shape for every error the API returns: `{"error": {code, message, issues?}}`. */
export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.enum([
        'validation_failed',
        'invalid_json',
        'unauthorized',
        'forbidden',
        'not_found',
        'conflict',
        'payload_too_large',
        'unsupported_media_type',
        'unavailable',
        'internal',
      ]),
      message: z.string(),
      issues: z
        .array(
          z.object({
            index: z.number().int().describe('item of the batch, 0-based; -1 when not a batch item'),
            field: z.string(),
            message: z.string(),
          }),
        )
        .optional()
        .describe('every problem found, by item and field (validation_failed)'),
      kind: z.string().optional().describe('what was not found or conflicts (not_found, conflict)'),
      id: z.string().optional(),
    }),
  })
  .describe('An error');

export type ErrorBody = z.infer<typeof errorBodySchema>;
export type ErrorCode = ErrorBody['error']['code'];

/** An error with its HTTP status, thrown by routes and hooks. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
    readonly extra: Omit<ErrorBody['error'], 'code' | 'message'> = {},
  ) {
    super(message);
  }
}

export interface MappedError {
  statusCode: number;
  body: ErrorBody;
  /** False for bugs: logged with their stack, answered with a generic message. */
  expected: boolean;
}

/**
 * Typed errors to HTTP, as docs/architecture.md says: ValidationError 400, NotFoundError 404,
 * ConflictError 409, auth 401/403, size 413; Fastify's own body errors keep their status.
 */
export function mapError(error: unknown, limits: { bodyLimitBytes?: number } = {}): MappedError {
  if (error instanceof HttpError) return body(error.statusCode, error.code, error.message, error.extra);
  if (error instanceof ValidationError) return body(400, 'validation_failed', error.message, { issues: error.issues.map(issue) });
  if (error instanceof NotFoundError) return body(404, 'not_found', error.message, { kind: error.kind, id: error.id });
  if (error instanceof ConflictError) return body(409, 'conflict', (error as Error).message, { kind: error.kind, id: error.id });
  if (error instanceof StoreOpenError) return { ...body(503, 'unavailable', error.message), expected: false };
  if (error instanceof StorageError) return body(400, 'validation_failed', error.message);
  const fastify = fastifyError(error, limits.bodyLimitBytes);
  if (fastify !== undefined) return fastify;
  return { statusCode: 500, body: { error: { code: 'internal', message: 'internal error (see the server log)' } }, expected: false };
}

function issue(found: FieldIssue): FieldIssue {
  return { index: found.index, field: found.field, message: found.message };
}

function body(statusCode: number, code: ErrorCode, message: string, extra: Omit<ErrorBody['error'], 'code' | 'message'> = {}): MappedError {
  return { statusCode, body: { error: { code, message, ...extra } }, expected: true };
}

/** Errors Fastify raises while reading a body (codes FST_ERR_CTP_*), in our shape. */
function fastifyError(error: unknown, bodyLimitBytes: number | undefined): MappedError | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  const status = (error as { statusCode?: unknown }).statusCode;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return body(
      413,
      'payload_too_large',
      bodyLimitBytes === undefined ? 'request body too large' : `request body larger than the limit of ${bodyLimitBytes} bytes`,
    );
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    return body(415, 'unsupported_media_type', 'unsupported content type: expected application/json');
  if (code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return body(400, 'invalid_json', 'empty body: expected JSON');
  if (code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError) return body(400, 'invalid_json', 'body is not valid JSON');
  if (typeof code === 'string' && code.startsWith('FST_ERR_CTP_') && typeof status === 'number') {
    return body(status, status === 413 ? 'payload_too_large' : status === 415 ? 'unsupported_media_type' : 'invalid_json', error.message);
  }
  return undefined;
}
