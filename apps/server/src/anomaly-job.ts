import { HOUR_MS, type Store } from '@skills/storage';
import { detectAndRecordAnomalies, type DetectAndRecordResult } from '@skills/timeseries';
import type { Logger } from 'pino';
import { withAdvisoryLock } from './advisory-lock.js';

export interface AnomalyJobOptions {
  store: Store;
  /** On PostgreSQL, runs take an advisory lock so that one instance judges each hour. */
  dialect: 'sqlite' | 'postgres';
  logger: Logger;
  /** Clock (default Date.now). */
  now?: () => number;
  /** Run this long after the hour ends, so invocations of its last seconds are in (default 5 s). */
  delayMs?: number;
}

/** What one run did: judged the hour(s), or left them to the instance holding the lock. */
export type AnomalyRunResult = { ran: true; result: DetectAndRecordResult } | { ran: false; reason: 'locked' | 'closed' };

export interface AnomalyJob {
  /** Judge the last complete hour now (the scheduler calls it after each hour; tests call it directly). */
  runOnce(): Promise<AnomalyRunResult>;
  /** Run once at start (an hour missed while the server was down), then after each complete hour. */
  start(): void;
  /** Stop the timer and wait for a run in progress. */
  close(): Promise<void>;
}

/**
 * The hourly anomaly detection inside the server (`detectAndRecordAnomalies` after each complete
 * hour), so anomalies appear without cron. With several instances on one PostgreSQL, a run holds
 * `pg_try_advisory_lock` on a key of this schema: an instance that finds it taken skips the hour.
 * (A run that follows another's over the same hour records nothing new: detection is idempotent.)
 */
export function createAnomalyJob(options: AnomalyJobOptions): AnomalyJob {
  const { store, dialect, logger } = options;
  const now = options.now ?? Date.now;
  const delayMs = options.delayMs ?? 5000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<AnomalyRunResult> | undefined;
  let closed = false;
  /** End of the last hour a run was for (judged here or left to the instance holding the lock). */
  let lastUntil: number | undefined;

  function runOnce(): Promise<AnomalyRunResult> {
    if (closed) return Promise.resolve({ ran: false, reason: 'closed' });
    // One run at a time in this process; a second caller shares the run in progress.
    if (running !== undefined) return running;
    const at = now();
    lastUntil = at - (at % HOUR_MS);
    running = withAdvisoryLock(store, dialect, 'skills-anomaly-job', () => detectAndRecordAnomalies(store, { now: at }))
      .then((outcome) => {
        if (outcome.ran) {
          const { result } = outcome;
          logger.info(
            {
              since: result.since,
              until: result.until,
              skills: result.skills,
              detected: result.detected.length,
              resolved: result.resolved.length,
              open: result.open,
            },
            'anomaly detection done',
          );
        } else {
          logger.debug({ reason: outcome.reason }, 'anomaly detection left to another instance');
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
    const at = now();
    // The hour after the last one judged, however long that run took (a slow run skips no hour).
    const next = (lastUntil ?? at - (at % HOUR_MS)) + HOUR_MS + delayMs;
    timer = setTimeout(
      () => {
        runOnce()
          .catch((error: unknown) => logger.error({ err: error }, 'anomaly detection failed'))
          .finally(schedule);
      },
      Math.max(0, next - at),
    );
    timer.unref();
  }

  return {
    runOnce,
    start() {
      runOnce()
        .catch((error: unknown) => logger.error({ err: error }, 'anomaly detection failed'))
        .finally(schedule);
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}
