import { randomUUID } from 'node:crypto';
import { recordInvocations, ValidationError, writeTransaction, type Store } from '@skills/storage';
import { ciInvocation, ciInvocationId, type CiJob } from './ci-job.js';
import type { CiMapped } from './mapped.js';
import { ciDb, type CiJobsTable, type IntegrationDeliveriesTable } from './tables.js';

/** One webhook delivery (or generic CI post), already verified and mapped. */
export interface CiDelivery {
  /** `github`, `gitlab`, or the generic form's provider. */
  source: string;
  /** The sender's delivery id (`X-GitHub-Delivery`, `X-Gitlab-Event-UUID`): a replay of it writes nothing. */
  deliveryId?: string | undefined;
  /** The event name (`workflow_job`, `Pipeline Hook`, `ci`). */
  event: string;
  mapped: CiMapped;
}

/** What a delivery did. */
export interface CiDeliveryReport {
  delivery: string | null;
  /** `recorded`: handled (its jobs may all have been known already); `duplicate`: this delivery id was handled before, nothing written; `ignored`: nothing to record. */
  outcome: 'recorded' | 'duplicate' | 'ignored';
  /** Finished jobs and pipeline runs the delivery carried. */
  jobs: number;
  /** Invocations newly written. */
  recorded: number;
  /** Jobs already known by their id (sent before by another delivery). */
  known: number;
  reason?: string | undefined;
}

export interface CiIngestOptions {
  /** Clock (epoch ms). */
  now?: (() => number) | undefined;
}

export interface CiIngest {
  /** Records a delivery's jobs; a mapped `rejected` throws a `ValidationError` naming the field, nothing written. */
  deliver(delivery: CiDelivery): Promise<CiDeliveryReport>;
  /** Deliveries handled since `since`, by source, outcome and event. */
  deliveryCounts(since?: number): Promise<{ source: string; outcome: string; event: string; count: number }[]>;
  /** Forgets delivery ids older than `before` (a replay after that is still not double-counted: job ids are the invocations' ids). */
  pruneDeliveries(before: number): Promise<number>;
}

interface Pending {
  delivery: CiDelivery;
  resolve: (report: CiDeliveryReport) => void;
  reject: (error: unknown) => void;
}

const CHUNK = 500;

/**
 * The store side of the CI sources: each delivery's finished jobs become invocations (id from the
 * provider's job id, so a job reported twice is recorded once), their pipeline, run, attempt,
 * stage and commit go into `ci_jobs`, and the delivery id into `integration_deliveries`. A
 * delivery is written at the end of the event loop's turn in which it arrived, in one recording with
 * the others that arrived in that turn or while the previous recording was being written.
 * @example const ci = createCiIngest(store); await ci.deliver({ source: 'github', deliveryId, event: 'workflow_job', mapped: mapGithubEvent('workflow_job', payload) });
 */
export function createCiIngest(store: Store, options: CiIngestOptions = {}): CiIngest {
  const clock = options.now ?? Date.now;
  const db = ciDb(store);
  let queue: Pending[] = [];
  let writing = false;
  let scheduled = false;

  // Wait for the end of this turn of the event loop before writing: the deliveries whose requests
  // were read in the same turn (concurrent senders) then share one recording — one pair of
  // transactions and one rollup update instead of one each (SQLite's write path is synchronous,
  // so without this every delivery is written alone).
  function schedule(): void {
    if (scheduled || writing || queue.length === 0) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      drain();
    });
  }

  function drain(): void {
    if (writing || queue.length === 0) return;
    writing = true;
    const batch = queue;
    queue = [];
    apply(batch)
      .then(
        (reports) => {
          for (const [i, p] of batch.entries()) p.resolve(reports[i]!);
        },
        (error: unknown) => {
          for (const p of batch) p.reject(error);
        },
      )
      .finally(() => {
        writing = false;
        schedule();
      });
  }

  async function apply(batch: Pending[]): Promise<CiDeliveryReport[]> {
    const now = clock();
    const keyOf = (d: CiDelivery) => (d.deliveryId ? `${d.source}:${d.deliveryId}` : null);
    const keys = [...new Set(batch.map((p) => keyOf(p.delivery)).filter((k): k is string => k !== null))];
    const seen = new Set<string>();
    for (const chunk of chunks(keys)) {
      for (const row of await db.selectFrom('integration_deliveries').select('delivery_id').where('delivery_id', 'in', chunk).execute())
        seen.add(row.delivery_id);
    }
    const jobsOf = (p: Pending): CiJob[] => ('jobs' in p.delivery.mapped ? p.delivery.mapped.jobs : []);
    const duplicate = batch.map((p) => {
      const key = keyOf(p.delivery);
      if (key === null) return false;
      if (seen.has(key)) return true;
      seen.add(key);
      return false;
    });
    const ids = [...new Set(batch.flatMap((p, i) => (duplicate[i] ? [] : jobsOf(p).map(ciInvocationId))))];
    const known = new Set<string>();
    for (const chunk of chunks(ids)) {
      for (const row of await db.selectFrom('ci_jobs').select('id').where('id', 'in', chunk).execute()) known.add(row.id);
    }

    const reports: CiDeliveryReport[] = [];
    const invocations = [];
    const owners: number[] = [];
    const jobRows = new Map<string, CiJobsTable>();
    const deliveryRows: IntegrationDeliveriesTable[] = [];
    for (const [i, p] of batch.entries()) {
      const d = p.delivery;
      const key = keyOf(d);
      if (duplicate[i]) {
        reports.push({ delivery: d.deliveryId ?? null, outcome: 'duplicate', jobs: jobsOf(p).length, recorded: 0, known: 0 });
        continue;
      }
      if ('ignored' in d.mapped) {
        reports.push({ delivery: d.deliveryId ?? null, outcome: 'ignored', jobs: 0, recorded: 0, known: 0, reason: d.mapped.ignored });
        deliveryRows.push({
          delivery_id: key ?? `${d.source}:anonymous:${randomUUID()}`,
          source: d.source,
          event: d.event,
          outcome: 'ignored',
          reason: d.mapped.ignored.slice(0, 500),
          invocations: 0,
          received_at: now,
        });
        continue;
      }
      const report: CiDeliveryReport = { delivery: d.deliveryId ?? null, outcome: 'recorded', jobs: 0, recorded: 0, known: 0 };
      for (const job of jobsOf(p)) {
        report.jobs++;
        const id = ciInvocationId(job);
        if (known.has(id) || jobRows.has(id)) {
          report.known++;
          continue;
        }
        jobRows.set(id, {
          id,
          kind: job.kind,
          provider: job.provider,
          pipeline: job.pipeline,
          repository: job.repository,
          run_id: job.runId,
          attempt: job.attempt,
          name: job.name,
          stage: job.stage ?? job.stageName,
          commit_sha: job.commit,
          branch: job.branch,
          status: job.status,
          error: job.error,
          started_at: job.startedAt,
          duration_seconds: job.durationSeconds,
          recorded_at: now,
        });
        if (job.kind === 'job') {
          invocations.push(ciInvocation(job));
          owners.push(i);
          report.recorded++;
        }
      }
      reports.push(report);
      if (key !== null)
        deliveryRows.push({
          delivery_id: key,
          source: d.source,
          event: d.event,
          outcome: 'recorded',
          reason: null,
          invocations: report.recorded,
          received_at: now,
        });
    }
    if (invocations.length > 0) {
      const result = await recordInvocations(store, invocations, { skipInvalid: true, now });
      if (result.rejected.length > 0) {
        // A job whose fields break the storage rules is refused alone: its delivery says so.
        for (const { index, issues } of result.rejected) {
          const owner = reports[owners[index]!]!;
          owner.recorded--;
          jobRows.delete(invocations[index]!.id!);
          owner.reason = issues.map((issue) => `${issue.field}: ${issue.message}`).join('; ');
        }
      }
    }
    if (jobRows.size > 0 || deliveryRows.length > 0) {
      await writeTransaction(store, async (trx) => {
        const rows = [...jobRows.values()];
        for (let i = 0; i < rows.length; i += 200)
          await trx
            .insertInto('ci_jobs')
            .values(rows.slice(i, i + 200))
            .onConflict((oc) => oc.column('id').doNothing())
            .execute();
        for (let i = 0; i < deliveryRows.length; i += 200) {
          await trx
            .insertInto('integration_deliveries')
            .values(deliveryRows.slice(i, i + 200))
            .onConflict((oc) => oc.column('delivery_id').doNothing())
            .execute();
        }
      });
    }
    return reports;
  }

  return {
    deliver(delivery) {
      if ('rejected' in delivery.mapped) {
        return Promise.reject(new ValidationError([{ index: -1, ...delivery.mapped.rejected }]));
      }
      return new Promise((resolve, reject) => {
        queue.push({ delivery, resolve, reject });
        schedule();
      });
    },

    async deliveryCounts(since = 0) {
      const rows = await db
        .selectFrom('integration_deliveries')
        .select(['source', 'outcome', 'event', (eb) => eb.fn.countAll<number>().as('count')])
        .where('received_at', '>=', since)
        .groupBy(['source', 'outcome', 'event'])
        .orderBy('source')
        .orderBy('outcome')
        .orderBy('event')
        .execute();
      return rows.map((r) => ({ ...r, count: Number(r.count) }));
    },

    async pruneDeliveries(before) {
      const result = await db.deleteFrom('integration_deliveries').where('received_at', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

function* chunks<T>(items: T[]): Generator<T[]> {
  for (let i = 0; i < items.length; i += CHUNK) yield items.slice(i, i + CHUNK);
}
