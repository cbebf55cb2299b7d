import { NotFoundError, StorageError, UserPseudonymSecretError, ValidationError } from '@skills/storage';
import type { z } from 'zod';
import type { ToolFailure } from './tool-definition.js';

/** How a tool names the fields of the package function it wraps (`text` → `query`). */
export interface FieldNames {
  /** Package field → argument name. */
  fields?: Readonly<Record<string, string>>;
  /** For a batch: the argument holding the items, so item 3's `invoked_at` reads `invocations.3.invoked_at`. */
  batch?: string;
}

type Issue = { field: string; message: string };

/** A zod failure of the tool's arguments, every issue by path. */
export function inputFailure(tool: string, error: z.ZodError, now: number): ToolFailure {
  const issues = error.issues.map((issue) => ({ field: issue.path.map(String).join('.'), message: issue.message }));
  return invalid(tool, issues, now);
}

/**
 * Anything a package threw, as the failure a caller sees: bad input, an unknown skill, user or
 * experiment, a conflict, or a store that cannot answer this (no pseudonym secret, no trained
 * model). Anything else is `internal` (a bug or the database down): still a result, never a
 * protocol error.
 */
export function failureOf(tool: string, error: unknown, names: FieldNames, now: number): { failure: ToolFailure; expected: boolean } {
  const timestamp = new Date(now).toISOString();
  if (error instanceof ValidationError) {
    const issues = error.issues.map((issue) => ({ field: fieldOf(issue.field, issue.index, names), message: issue.message }));
    return { failure: invalid(tool, issues, now), expected: true };
  }
  if (error instanceof NotFoundError) {
    return {
      failure: { success: false, message: error.message, error: { type: 'not_found', kind: error.kind, id: error.id }, timestamp },
      expected: true,
    };
  }
  if (error instanceof UserPseudonymSecretError) {
    const message = `this store was opened without its user-pseudonym secret, so it keeps no per-user data (${error.message})`;
    return { failure: { success: false, message, error: { type: 'unavailable' }, timestamp }, expected: true };
  }
  if (error instanceof Error && error.name === 'ConflictError') {
    return { failure: { success: false, message: error.message, error: { type: 'conflict' }, timestamp }, expected: true };
  }
  // @skills/predictor: too little data to train, a model of an older feature layout.
  if (
    error instanceof Error &&
    (error.name === 'InsufficientDataError' || error.name === 'FeatureVersionError' || error.name === 'PredictorError')
  ) {
    return { failure: { success: false, message: error.message, error: { type: 'unavailable' }, timestamp }, expected: true };
  }
  // collab checks its options with RangeError / TypeError naming the option: `limit: expected …`.
  if (error instanceof RangeError || (error instanceof TypeError && /^\w+: expected/.test(error.message))) {
    const match = /^(\w+): (.*)$/s.exec(error.message);
    const issues = match ? [{ field: fieldOf(match[1]!, -1, names), message: match[2]! }] : [{ field: '', message: error.message }];
    return { failure: invalid(tool, issues, now), expected: true };
  }
  const detail = error instanceof Error ? error.message : String(error);
  const kind = error instanceof StorageError ? 'storage error' : 'internal error';
  return {
    failure: { success: false, message: `${tool} failed: ${kind}: ${detail}`, error: { type: 'internal' }, timestamp },
    expected: false,
  };
}

function invalid(tool: string, issues: Issue[], now: number): ToolFailure {
  const shown = issues.slice(0, 3).map((issue) => (issue.field ? `${issue.field}: ${issue.message}` : issue.message));
  const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : '';
  return {
    success: false,
    message: `Invalid arguments for ${tool}: ${shown.join('; ')}${more}`,
    error: { type: 'invalid_input', issues },
    timestamp: new Date(now).toISOString(),
  };
}

function fieldOf(field: string, index: number, names: FieldNames): string {
  const head = field.split('.')[0] ?? '';
  const renamed = names.fields?.[head];
  const named = renamed === undefined ? field : [renamed, ...field.split('.').slice(1)].join('.');
  if (index >= 0 && names.batch) return named ? `${names.batch}.${index}.${named}` : `${names.batch}.${index}`;
  return named;
}
