import { once } from 'node:events';
import type { Writable } from 'node:stream';
import Table from 'cli-table3';
import type { CliIo } from './cli-io.js';

export type Cell = string | number | null | undefined;

/**
 * Write text, waiting for the stream to drain when its buffer is full (exports can be huge).
 * Rejects, rather than waiting forever, when the stream has failed or closed.
 */
export async function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  const state = stream as Partial<Writable>;
  if (state.destroyed) throw state.errored ?? new Error('output closed before the export finished');
  if (stream.write(text)) return;
  const controller = new AbortController();
  try {
    await Promise.race([
      once(stream, 'drain', { signal: controller.signal }),
      once(stream, 'close', { signal: controller.signal }).then(() => {
        throw state.errored ?? new Error('output closed before the export finished');
      }),
    ]);
  } finally {
    controller.abort();
  }
}

export function printLine(io: CliIo, text = ''): void {
  io.stdout.write(`${text}\n`);
}

/** Pretty JSON for programs (one document per command). */
export function printJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export interface TableOptions {
  /** Per column: numbers read best right-aligned. */
  align?: ('left' | 'right')[];
}

/** A plain table (no colours, so it reads the same in a terminal, a pipe or a test). */
export function formatTable(head: string[], rows: Cell[][], options: TableOptions = {}): string {
  const table = new Table({
    head,
    style: { head: [], border: [], compact: true },
    colAligns: options.align ?? head.map(() => 'left'),
  });
  for (const row of rows) table.push(row.map((cell) => (cell === null || cell === undefined ? '' : String(cell))));
  return table.toString();
}

export function printTable(io: CliIo, head: string[], rows: Cell[][], options: TableOptions = {}): void {
  printLine(io, formatTable(head, rows, options));
}

/** Key/value pairs as a two-column table. */
export function printDetails(io: CliIo, pairs: [string, Cell][]): void {
  const table = new Table({ style: { head: [], border: [], compact: true } });
  for (const [key, value] of pairs) table.push({ [key]: value === null || value === undefined ? '' : String(value) });
  printLine(io, table.toString());
}

/** `2026-01-01T12:00:00Z`: ISO-8601 in UTC, to the second. */
export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '';
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

/** A 0–1 fraction as a percentage with one decimal: `93.4`. */
export function formatPercent(fraction: number | null | undefined): string {
  return fraction === null || fraction === undefined ? '' : (fraction * 100).toFixed(1);
}

export function formatSeconds(seconds: number | null | undefined, digits = 2): string {
  return seconds === null || seconds === undefined ? '' : seconds.toFixed(digits);
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** Elapsed time and rate, e.g. `2.6 s (19,230 invocations/s)`. */
export function formatRate(count: number, elapsedMs: number, unit: string): string {
  const seconds = elapsedMs / 1000;
  const rate = seconds > 0 ? Math.round(count / seconds) : count;
  return `${seconds.toFixed(1)} s (${formatCount(rate)} ${unit}/s)`;
}

/** Shorten text for a table cell. */
export function truncate(text: string | null | undefined, max: number): string {
  if (!text) return '';
  const flat = text.replace(/\s+/g, ' ');
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}
