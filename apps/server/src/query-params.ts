import { parseTimeText, ValidationError } from '@skills/storage';
import { z } from 'zod';

const TIME_TEXT = 'a duration before now (30m, 24h, 7d, 2w), now, epoch milliseconds or ISO-8601';

/**
 * A time in a query string, as the CLI's `--since` takes it (storage's `parseTimeText`): `24h`
 * (before the request's clock), `now`, epoch ms or ISO-8601 (no offset means UTC). Resolved
 * against `now` by `resolveTime`.
 */
export const timeParam = z
  .string()
  .trim()
  .refine((text) => parseTimeText(text, 0).ok, {
    message: `expected ${TIME_TEXT}`,
  })
  .meta({ description: `time: ${TIME_TEXT}`, examples: ['24h', '2026-12-01T00:00:00Z', '1764547200000'] });

/** Epoch ms of a `timeParam` value. */
export function resolveTime(text: string, now: number): number {
  const time = parseTimeText(text, now);
  return time.ok ? time.ms : Number.NaN;
}

/** An integer in a query string, within bounds. */
export function intParam(min: number, max: number) {
  return z
    .string()
    .trim()
    .regex(/^-?\d+$/, `expected an integer from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min, `expected an integer from ${min} to ${max}`).max(max, `expected an integer from ${min} to ${max}`));
}

/** A number in a query string, within bounds. */
export function numberParam(min: number, max: number, text = `a number from ${min} to ${max}`) {
  return z
    .string()
    .trim()
    .regex(/^-?\d+(?:\.\d+)?(?:e[+-]?\d+)?$/i, `expected ${text}`)
    .transform(Number)
    .pipe(z.number().min(min, `expected ${text}`).max(max, `expected ${text}`));
}

/** `true`/`false` (also `1`/`0`) in a query string. */
export const booleanParam = z
  .enum(['true', 'false', '1', '0'], { error: 'expected true or false' })
  .transform((text) => text === 'true' || text === '1');

/** A name in a path (skill, session, user, experiment). */
export const nameParam = z.string().trim().min(1, 'must not be empty').max(200, 'at most 200 characters');

/**
 * Validate a query string or path parameters; every problem becomes a ValidationError issue
 * naming the parameter (index -1: not a batch item), so the API answers 400 with all of them.
 */
export function parseParams<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  throw new ValidationError(
    result.error.issues.flatMap((issue) =>
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => ({ index: -1, field: key, message: 'unknown parameter' }))
        : [{ index: -1, field: issue.path.join('.'), message: issue.message }],
    ),
  );
}
