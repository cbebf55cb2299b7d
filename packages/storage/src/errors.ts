/** One problem with one input item: which item, which field, what was expected. */
export interface FieldIssue {
  /** Position of the item in the batch (0-based); -1 when the input was not a batch. */
  index: number;
  /** Dotted path of the field, e.g. `invoked_at` or `follow_up_actions.2`; empty for the item itself. */
  field: string;
  message: string;
}

/** Base class: every error this package throws on purpose. */
export class StorageError extends Error {
  override name = 'StorageError';
}

/** Input rejected before anything was written. */
export class ValidationError extends StorageError {
  override name = 'ValidationError';
  readonly issues: readonly FieldIssue[];

  constructor(issues: readonly FieldIssue[]) {
    super(describeIssues(issues));
    this.issues = issues;
  }
}

/** A named thing (skill, session, category, …) does not exist. */
export class NotFoundError extends StorageError {
  override name = 'NotFoundError';
  constructor(
    readonly kind: string,
    readonly id: string,
  ) {
    super(`${kind} not found: ${id}`);
  }
}

/** The store could not be opened or its URL is not understood. */
export class StoreOpenError extends StorageError {
  override name = 'StoreOpenError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * A write to a store that can only be read: opened with `readonly`, or a SQLite file (or its
 * folder) this process may not write. Nothing was written; every read still works.
 */
export class StoreReadOnlyError extends StorageError {
  override name = 'StoreReadOnlyError';
  constructor(
    readonly location: string,
    options?: { cause?: unknown },
  ) {
    super(
      `the store ${location} is read-only (opened read-only, or its file or folder is not writable by this user): nothing was written`,
      options,
    );
  }
}

/**
 * A problem with the user-pseudonym secret, by `reason`: shorter than 16 bytes (`too-short`), not
 * the secret this store's pseudonyms were made with (`different-secret`), or needed and not given
 * (`required`: recording into a store that keeps interactions, or asking for pseudonyms).
 */
export class UserPseudonymSecretError extends StoreOpenError {
  override name = 'UserPseudonymSecretError';
  constructor(
    readonly reason: 'too-short' | 'different-secret' | 'required',
    message: string,
  ) {
    super(message);
  }
}

function describeIssues(issues: readonly FieldIssue[]): string {
  const shown = issues.slice(0, 3).map((issue) => {
    const where = issue.index >= 0 ? `item ${issue.index}` : 'input';
    return issue.field ? `${where}: ${issue.field}: ${issue.message}` : `${where}: ${issue.message}`;
  });
  const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : '';
  return shown.join('; ') + more;
}
