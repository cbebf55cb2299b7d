import { invocationInputSchema, recordInvocations, ValidationError, type Store } from '@skills/storage';
import { z } from 'zod';
import { errorBodySchema } from '../http-errors.js';
import { defineRoute, withStatus } from './api-route.js';

/** Items in one request; a larger import goes in several requests (each is one transaction). */
export const MAX_BATCH_ITEMS = 10_000;

export const recordResultSchema = z
  .object({
    inserted: z.number().int().describe('rows newly written'),
    duplicates: z.number().int().describe('items whose id was already stored or repeated in the batch (not written again)'),
    ids: z.array(z.string()).describe('the id of every item, in input order (generated where the item had none)'),
  })
  .describe('What the batch wrote');

/**
 * Record one invocation or an array of them, in one transaction: every item is validated first
 * and, if any is wrong, nothing is written.
 */
export async function recordBody(store: Store, body: unknown, now: number) {
  const single = typeof body === 'object' && body !== null && !Array.isArray(body);
  if (!single && !Array.isArray(body)) {
    throw new ValidationError([{ index: -1, field: '', message: 'expected an invocation object or an array of them' }]);
  }
  const items = single ? [body] : (body as unknown[]);
  if (items.length > MAX_BATCH_ITEMS) {
    throw new ValidationError([
      { index: -1, field: '', message: `at most ${MAX_BATCH_ITEMS} invocations per request (got ${items.length}): send several requests` },
    ]);
  }
  try {
    const result = await recordInvocations(store, items as never[], { now });
    return { inserted: result.inserted, duplicates: result.duplicates, ids: result.ids };
  } catch (error) {
    // A single object is not a batch: its issues say "input", not "item 0".
    if (single && error instanceof ValidationError) throw new ValidationError(error.issues.map((issue) => ({ ...issue, index: -1 })));
    throw error;
  }
}

export const ingestRoutes = [
  defineRoute({
    method: 'POST',
    url: '/v1/invocations',
    operationId: 'recordInvocations',
    summary: 'Record one invocation or a batch (idempotent by id; all or nothing)',
    access: 'write',
    body: {
      schema: z.union([invocationInputSchema, z.array(invocationInputSchema).max(MAX_BATCH_ITEMS)]),
      description: 'One invocation, or an array of up to 10,000. Content-Type: application/json.',
    },
    responses: [
      { status: 201, description: 'At least one item was new and is committed', schema: recordResultSchema },
      { status: 200, description: 'Every item was already stored (a retried batch): nothing written', schema: recordResultSchema },
      {
        status: 400,
        description: 'Bad JSON, or invalid items (each issue with its item index and field); nothing written',
        schema: errorBodySchema,
      },
      { status: 413, description: 'Body over the limit (--body-limit); nothing written', schema: errorBodySchema },
      { status: 415, description: 'Content-Type is not application/json; nothing written', schema: errorBodySchema },
    ],
    async handler({ store, body, now }) {
      const result = await recordBody(store, body, now);
      return withStatus(result.inserted > 0 ? 201 : 200, result);
    },
  }),
];
