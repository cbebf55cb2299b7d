import type { Store } from '@skills/storage';
import type { DetectionMethod } from '../anomalies/options.js';
import type { RecordedAnomaly } from './list-anomalies.js';

/** What one run of `detectAndRecordAnomalies` changed, sent to `onAnomalies` listeners after it committed. */
export interface AnomalyEvent {
  method: DetectionMethod;
  /** The hours judged: [since, until). */
  since: number;
  until: number;
  /** Anomalies opened by this run. */
  detected: RecordedAnomaly[];
  /** Anomalies this run found back to normal (with `resolvedAt` set). */
  resolved: RecordedAnomaly[];
}

const listenersByStore = new WeakMap<Store, Set<(event: AnomalyEvent) => void>>();

/**
 * Subscribe to the anomalies recorded in `store` by this process; returns the unsubscribe
 * function. (Other processes learn of them by reading `skill_anomalies`.)
 * @example const stop = onAnomalies(store, (event) => console.log(event.detected.length))
 */
export function onAnomalies(store: Store, listener: (event: AnomalyEvent) => void): () => void {
  let listeners = listenersByStore.get(store);
  if (listeners === undefined) {
    listeners = new Set();
    listenersByStore.set(store, listeners);
  }
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

/** Deliver an event; a throwing listener does not stop the others and is reported to `onError`. */
export function emitAnomalies(store: Store, event: AnomalyEvent, onError?: (error: unknown) => void): void {
  for (const listener of listenersByStore.get(store) ?? []) {
    try {
      listener(event);
    } catch (error) {
      onError?.(error);
    }
  }
}
