import { PredictorError } from '@skills/predictor';
import { NotFoundError, StorageError, StoreOpenError, UserPseudonymSecretError, ValidationError, type FieldIssue } from '@skills/storage';

/** An expected failure: printed as one `skills: <message>` line, no stack trace. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** A bad option value, named the way the user typed it: `--limit: expected …`. */
export function optionError(option: string, message: string): CliError {
  return new CliError(`${option}: ${message}`);
}

/** Storage field names (of query options) as the CLI spells them. */
const OPTION_FOR_FIELD: Readonly<Record<string, string>> = {
  limit: '--limit',
  orderBy: '--order-by',
  order: '--order',
  since: '--since',
  until: '--until',
  cursor: '--cursor',
  skill: '--skill',
  text: 'TEXT',
};

/** One issue as `field: message`, the field spelled as an option when it is one. */
export function describeIssue(issue: FieldIssue, fieldNames: Readonly<Record<string, string>> = OPTION_FOR_FIELD): string {
  const field = fieldNames[issue.field] ?? issue.field;
  return field ? `${field}: ${issue.message}` : issue.message;
}

export interface DescribedError {
  message: string;
  exitCode: number;
  /** False for bugs and environment failures: the user is pointed at SKILLS_DEBUG. */
  expected: boolean;
}

/** Turn anything thrown by a command into the one line the user sees. */
export function describeError(error: unknown): DescribedError {
  if (error instanceof CliError) return { message: error.message, exitCode: error.exitCode, expected: true };
  if (error instanceof ValidationError) {
    const issues = error.issues.slice(0, 3).map((issue) => describeIssue(issue));
    const more = error.issues.length > 3 ? ` (and ${error.issues.length - 3} more)` : '';
    return { message: issues.join('; ') + more, exitCode: 1, expected: true };
  }
  // Too little data to train, a model of an older feature version: the message says what to do.
  if (error instanceof PredictorError) return { message: error.message, exitCode: 1, expected: true };
  if (error instanceof NotFoundError || error instanceof StoreOpenError || error instanceof StorageError) {
    return {
      message: error instanceof UserPseudonymSecretError ? withSecretHint(error.message) : error.message,
      exitCode: 1,
      expected: true,
    };
  }
  // MigrationError lives in @skills/migrations (a second copy may be loaded): match by name.
  // NewerSchemaError: "this store was written by a newer version (migration …); upgrade …".
  if (error instanceof Error && ['MigrationError', 'NewerSchemaError', 'DataLossError', 'UnsupportedDialectError'].includes(error.name)) {
    return { message: error.message, exitCode: 1, expected: true };
  }
  if (isErrnoException(error) && (error.code === 'ENOENT' || error.code === 'EACCES' || error.code === 'EISDIR')) {
    return { message: `${error.path ?? 'file'}: ${errnoText(error.code)}`, exitCode: 1, expected: true };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { message, exitCode: 1, expected: false };
}

/**
 * Storage speaks of its `userPseudonymSecret` option; the CLI's user sets it with an environment
 * variable (a PostgreSQL store has no key file to fall back on).
 */
function withSecretHint(message: string): string {
  const text = message
    .replace(/the same userPseudonymSecret/g, 'the same user-pseudonym secret')
    .replace(/userPseudonymSecret/g, 'the user-pseudonym secret');
  return `${text}: set SKILLS_PSEUDONYM_SECRET (the same value every time for this store)`;
}

function isErrnoException(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string';
}

function errnoText(code: string): string {
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES') return 'permission denied';
  return 'is a directory';
}
