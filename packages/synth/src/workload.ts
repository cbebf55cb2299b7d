import { compilePlan, type GenerationPlan } from './generation-plan.js';
import { resolveOptions, type ResolvedOptions } from './options.js';
import { createRandom } from './random.js';
import { createSessionGenerator } from './session-generator.js';
import { allocateHourlyCounts } from './traffic.js';
import { buildModel, STREAMS } from './truth.js';
import type { SyntheticInvocation, SyntheticWorkload, WorkloadOptions } from './types.js';
import { createUlidEncoder } from './ulid.js';

const HOUR = 3_600_000;

/**
 * Generates a deterministic synthetic workload of skill invocations: the same options give the
 * same truth and byte-identical invocations on every machine. Invocations are produced lazily,
 * in nondecreasing `invoked_at` order, one batch at a time; calling `batches()` again starts over.
 * Throws a RangeError naming the option when an option is invalid.
 *
 * @example
 * const workload = generateWorkload({ invocations: 10_000, users: 100, skills: 30, days: 7, seed: 42 });
 * for (const batch of workload.batches()) {
 *   console.log(batch.length, batch[0]?.skill_name); // 1000 invocations per batch
 * }
 * workload.truth.incidents; // what was injected, e.g. a success drop of one skill for a few hours
 */
export function generateWorkload(options: WorkloadOptions): SyntheticWorkload {
  const resolved = resolveOptions(options);
  const model = buildModel(resolved);
  const plan = compilePlan(model);
  return {
    truth: model.truth,
    batches: () => generateBatches(plan, resolved),
  };
}

function* generateBatches(plan: GenerationPlan, options: ResolvedOptions): Generator<SyntheticInvocation[], void, undefined> {
  const counts = allocateHourlyCounts(plan.start, plan.hours, options.invocations, createRandom(options.seed, STREAMS.traffic));
  const random = createRandom(options.seed, STREAMS.sessions);
  const generateSession = createSessionGenerator(plan, random);
  const invocationId = createUlidEncoder(plan.invocationTag);
  let emitted = 0;
  let pending: SyntheticInvocation[] = [];
  let batch: SyntheticInvocation[] = [];

  for (let h = 0; h < plan.hours; h++) {
    const hourStart = plan.start + h * HOUR;
    // Sessions starting in this hour share exactly its count; the last one is cut short.
    let budget = counts[h] as number;
    while (budget > 0) {
      budget -= generateSession(hourStart + Math.floor(random.next() * HOUR), budget, pending);
    }
    if (pending.length === 0) continue;
    // Sessions run into later hours, but no later session starts before the next hour, so
    // everything before it is final.
    pending.sort(byTime);
    const horizon = hourStart + HOUR;
    let ready = 0;
    while (ready < pending.length && (pending[ready] as SyntheticInvocation).invoked_at < horizon) ready++;
    for (let i = 0; i < ready; i++) {
      const invocation = pending[i] as SyntheticInvocation;
      invocation.id = invocationId(invocation.invoked_at, emitted++);
      batch.push(invocation);
      if (batch.length === options.batchSize) {
        yield batch;
        batch = [];
      }
    }
    pending = ready === pending.length ? [] : pending.slice(ready);
  }
  if (batch.length > 0) yield batch;
}

function byTime(a: SyntheticInvocation, b: SyntheticInvocation): number {
  return a.invoked_at - b.invoked_at;
}
