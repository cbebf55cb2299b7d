import { ValidationError, type FieldIssue } from '@skills/storage';
import type { z } from 'zod';

/** A zod path as people write it: `checks[3].status`, `skills.ruff-check[0].success`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

/** zod's issues as field issues; a missing field says `required`. */
export function issuesOf(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({
    index: -1,
    field: fieldPath(issue.path),
    message:
      issue.code === 'invalid_type' && /received undefined$/.test(issue.message)
        ? `required (${issue.message.replace(/^Invalid input: /, '').replace(/, received undefined$/, '')})`
        : issue.message,
  }));
}

/** Throws the issues as one `ValidationError` (the apps map it to 400 / one CLI line). */
export function reject(issues: FieldIssue[]): never {
  throw new ValidationError(issues);
}
