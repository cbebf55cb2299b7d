import cliProgress from 'cli-progress';
import type { CliIo } from './cli-io.js';
import { formatBytes, formatCount } from './output.js';

/** A progress display for long work; does nothing unless stderr is a terminal. */
export interface Progress {
  /** `value` in the progress unit (bytes or items). */
  update(value: number, lines?: number): void;
  stop(): void;
}

export interface ProgressOptions {
  label: string;
  /** What `value` counts: bytes of a file, or items (invocations, lines). */
  unit: 'bytes' | 'items';
  /** Total in the same unit; unknown (e.g. stdin) shows a counter without a bar. */
  total?: number | undefined;
  /** What an item is called, e.g. `lines`, `invocations`. */
  itemName?: string;
}

const SILENT: Progress = { update() {}, stop() {} };

export function createProgress(io: CliIo, options: ProgressOptions): Progress {
  if (!io.isTTY) return SILENT;
  const items = options.itemName ?? 'items';
  const known = options.total !== undefined && options.total > 0;
  const format = known
    ? `${options.label} [{bar}] {percentage}% | {done} / {all} | {lines} ${items} | eta {eta_formatted}`
    : `${options.label} {lines} ${items}`;
  const bar = new cliProgress.SingleBar(
    {
      stream: io.stderr,
      format,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 50,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  const show = (value: number) => (options.unit === 'bytes' ? formatBytes(value) : formatCount(value));
  const total = known ? options.total! : 1;
  bar.start(total, 0, { done: show(0), all: show(total), lines: '0' });
  return {
    update(value, lines) {
      bar.update(known ? Math.min(value, total) : 0, {
        done: show(value),
        all: show(total),
        lines: formatCount(lines ?? value),
      });
    },
    stop() {
      bar.stop();
    },
  };
}
