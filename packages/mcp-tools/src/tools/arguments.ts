import { z } from 'zod';

/** An integer argument with a default, and a message that says the range. */
export function integer(min: number, max: number, fallback: number, description: string) {
  const message = `expected an integer from ${min} to ${max}`;
  return z
    .number({ error: message })
    .int({ error: message })
    .min(min, { error: message })
    .max(max, { error: message })
    .default(fallback)
    .describe(description);
}

/** A number argument (> min, ≤ max) with a default. */
export function positive(max: number, fallback: number, description: string) {
  const message = `expected a number greater than 0 and at most ${max}`;
  return z.number({ error: message }).gt(0, { error: message }).max(max, { error: message }).default(fallback).describe(description);
}

/** A required name (skill, user, session, experiment). */
export function name(description: string, max = 200) {
  return z
    .string({ error: 'expected a non-empty string' })
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(max, { error: `at most ${max} characters` })
    .describe(description);
}

/** ISO-8601 text of an epoch-ms time, as the original's tools wrote every timestamp. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** A finite number or null: JSON has no NaN, so an undefined statistic is null. */
export function finiteOrNull(value: number | null | undefined): number | null {
  return value === null || value === undefined || !Number.isFinite(value) ? null : value;
}
