import { DAY_MS, pruneInvocations, type PruneResult, type Store } from '@skills/storage';
import type { Logger } from 'pino';
import { withAdvisoryLock } from './advisory-lock.js';

export interface RetentionJobOptions {
  store: Store;
  /** On PostgreSQL, a run takes an advisory lock so that one instance prunes at a time. */
  dialect: 'sqlite' | 'postgres';
  logger: Logger;
  /** Keep raw invocations this long (ms): `--retention 90d`. */
  retentionMs: number;
  /** Clock (default Date.now). */
  now?: () => number;
  /** Between runs (default one day). */
  intervalMs?: number;
}

export type RetentionRunResult = { ran: true; result: PruneResult } | { ran: false; reason: 'locked' | 'closed' };

export interface RetentionJob {
  /** Prune now (the scheduler calls it daily; tests call it directly). */
  runOnce(): Promise<RetentionRunResult>;
  /** Run once at start, then every `intervalMs`. */
  start(): void;
  /** Stop the timer and wait for a run in progress. */
  close(): Promise<void>;
}

/**
 * The daily prune inside the server (`--retention 90d`): deletes raw invocations older than the
 * retention period with `pruneInvocations` (short batches, rollups kept). With several instances
 * on one PostgreSQL, a run holds `pg_try_advisory_lock` on a key of this schema, so one instance
 * prunes and the others skip that day's run. Off unless `--retention` is given.
 */
export function createRetentionJob(options: RetentionJobOptions): RetentionJob {
  const { store, dialect, logger, retentionMs } = options;
  const now = options.now ?? Date.now;
  const intervalMs = options.intervalMs ?? DAY_MS;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<RetentionRunResult> | undefined;
  let closed = false;

  const prune = (at: number) => pruneInvocations(store, { before: at - retentionMs, now: at });

  function runOnce(): Promise<RetentionRunResult> {
    if (closed) return Promise.resolve({ ran: false, reason: 'closed' });
    if (running !== undefined) return running;
    running = withAdvisoryLock(store, dialect, 'skills-retention-job', () => prune(now()))
      .then((outcome) => {
        if (outcome.ran) {
          const { result } = outcome;
          logger.info(
            {
              cut: result.cut,
              deleted: result.deleted,
              batches: result.batches,
              longestBatchMs: Math.round(result.longestBatchMs),
              elapsedMs: Math.round(result.elapsedMs),
            },
            'retention prune done',
          );
        } else {
          logger.debug({ reason: outcome.reason }, 'retention prune left to another instance');
        }
        return outcome;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  }

  function schedule(): void {
    if (closed) return;
    timer = setTimeout(() => {
      runOnce()
        .catch((error: unknown) => logger.error({ err: error }, 'retention prune failed'))
        .finally(schedule);
    }, intervalMs);
    timer.unref();
  }

  return {
    runOnce,
    start() {
      runOnce()
        .catch((error: unknown) => logger.error({ err: error }, 'retention prune failed'))
        .finally(schedule);
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}
