import { recordInvocations, type Store } from '@skills/storage';
import { generateWorkload, type Incident, type WorkloadOptions } from '@skills/synth';
import { CliError } from './errors.js';

export interface SeedSummary {
  /** Invocations generated. */
  invocations: number;
  inserted: number;
  /** Already stored (seeding the same options twice writes nothing new). */
  duplicates: number;
  /** The generated window, epoch ms: [start, end). */
  start: number;
  end: number;
  incidents: Incident[];
  elapsedMs: number;
}

/**
 * Write a deterministic synthetic workload batch by batch. `created_at` is set to `invoked_at`
 * so that the stored rows (and `skills export`) depend on the options only, never on the clock.
 */
export async function seedWorkload(store: Store, options: WorkloadOptions, onProgress?: (done: number) => void): Promise<SeedSummary> {
  const started = performance.now();
  const workload = createWorkload(options);
  let done = 0;
  let inserted = 0;
  let duplicates = 0;
  for (const batch of workload.batches()) {
    const result = await recordInvocations(
      store,
      batch.map((invocation) => ({ ...invocation, created_at: invocation.invoked_at })),
    );
    done += batch.length;
    inserted += result.inserted;
    duplicates += result.duplicates;
    onProgress?.(done);
  }
  return {
    invocations: done,
    inserted,
    duplicates,
    start: workload.truth.start,
    end: workload.truth.end,
    incidents: workload.truth.incidents,
    elapsedMs: performance.now() - started,
  };
}

/** synth names bad options `options.batchSize`; the user typed `--batch-size`. */
function createWorkload(options: WorkloadOptions): ReturnType<typeof generateWorkload> {
  try {
    return generateWorkload(options);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    const message = error.message.replace(
      /options\.(\w+)/g,
      (_, name: string) => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
    );
    throw new CliError(message);
  }
}
