import { NotFoundError, StorageError, ValidationError, type FieldIssue } from '@skills/storage';

export { NotFoundError, ValidationError, type FieldIssue };

/**
 * The request contradicts what is stored: a second experiment with a taken name, or a new
 * assignment to an experiment that is no longer running. Names the thing and why.
 */
export class ConflictError extends StorageError {
  override name = 'ConflictError';
  constructor(
    readonly kind: string,
    readonly id: string,
    reason: string,
  ) {
    super(`${kind} ${id}: ${reason}`);
  }
}

/** One input problem, as a ValidationError naming the field. */
export function invalid(field: string, message: string): ValidationError {
  return new ValidationError([{ index: -1, field, message }]);
}
