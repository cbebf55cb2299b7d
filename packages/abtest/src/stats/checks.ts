import { ValidationError } from '../errors.js';

/**
 * Guards for the pure statistics: impossible input (a negative count, NaN, arrays of different
 * lengths) is a caller's mistake, reported as a ValidationError naming the argument, never
 * turned silently into a number.
 */
export function fail(field: string, message: string): never {
  throw new ValidationError([{ index: -1, field, message }]);
}

export function checkFinite(field: string, value: number): void {
  if (!Number.isFinite(value)) fail(field, `must be a finite number (got ${value})`);
}

export function checkNonNegative(field: string, value: number): void {
  if (!(Number.isFinite(value) && value >= 0)) fail(field, `must be a finite number ≥ 0 (got ${value})`);
}

export function checkCount(field: string, value: number): void {
  if (!(Number.isInteger(value) && value >= 0)) fail(field, `must be a whole number ≥ 0 (got ${value})`);
}

export function checkProbability(field: string, value: number, { open = false } = {}): void {
  const ok = open ? value > 0 && value < 1 : value >= 0 && value <= 1;
  if (!ok) fail(field, `must be a probability ${open ? 'strictly between 0 and 1' : 'in [0, 1]'} (got ${value})`);
}

export function checkSameLength(field: string, a: { length: number }, other: string, b: { length: number }): void {
  if (a.length !== b.length) fail(field, `has ${a.length} entries but ${other} has ${b.length}; they must match one to one`);
}
