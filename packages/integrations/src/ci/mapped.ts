import type { CiJob } from './ci-job.js';

/** What a CI mapper made of one delivery: finished jobs (maybe none yet), or why it gave none. */
export type CiMapped = { jobs: CiJob[] } | { ignored: string } | { rejected: { field: string; message: string } };

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A field as text (numbers too: ids come as numbers), or undefined. */
export function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

export function rejected(field: string, message: string): CiMapped {
  return { rejected: { field, message } };
}
