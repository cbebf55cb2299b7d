/**
 * Long computations written once as generators that `yield` at cheap checkpoints (between chunks
 * of users, between pivots of an inversion): `runToEnd` runs one straight through (the synchronous
 * functions), `runCooperatively` hands the event loop back (setImmediate) whenever a stretch has run
 * for `sliceMs`, so a server stays responsive while a model is fitted. Both run the same steps in
 * the same order, so the results are identical to the last bit.
 */
export type Steps<T> = Generator<void, T, void>;

export function runToEnd<T>(steps: Steps<T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** Default longest synchronous stretch of a cooperative run (ms). */
export const SLICE_MS = 8;

export async function runCooperatively<T>(steps: Steps<T>, sliceMs = SLICE_MS): Promise<T> {
  let sliceStart = performance.now();
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    if (performance.now() - sliceStart >= sliceMs) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
  }
}
