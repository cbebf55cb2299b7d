import { ValidationError } from '@skills/storage';

/** A bad option: a ValidationError naming it, thrown before anything starts. */
export function badOption(field: string, message: string): ValidationError {
  return new ValidationError([{ index: -1, field, message }]);
}

export function positiveInteger(value: number | undefined, fallback: number, field: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw badOption(field, `expected a positive integer (got ${String(value)})`);
  return value;
}
