import { generateWorkload, type SyntheticInvocation, type WorkloadOptions, type WorkloadTruth } from '../src/index.js';

/** Generates a workload and keeps every invocation (fine for test sizes). */
export function generateAll(options: WorkloadOptions): { truth: WorkloadTruth; invocations: SyntheticInvocation[] } {
  const workload = generateWorkload(options);
  const invocations: SyntheticInvocation[] = [];
  for (const batch of workload.batches()) {
    for (const invocation of batch) invocations.push(invocation);
  }
  return { truth: workload.truth, invocations };
}

/** Share of invocations that completed; NaN when there are none. */
export function successRate(invocations: readonly SyntheticInvocation[]): number {
  let completed = 0;
  for (const invocation of invocations) if (invocation.completed) completed++;
  return completed / invocations.length;
}

export function utcHour(time: number): number {
  return new Date(time).getUTCHours();
}

export function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) {
    const k = key(item);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return counts;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let shared = 0;
  for (const item of a) if (b.has(item)) shared++;
  return shared / (a.size + b.size - shared);
}

export const HOUR = 3_600_000;
export const DAY = 86_400_000;
