import { snapshotThenWatch, type RecordedEvent, type Store } from '@skills/storage';
import { onAnomalies, type AnomalyEvent } from '@skills/timeseries';
import { collectDefaultMetrics, Registry } from 'prom-client';
import packageJson from '../../package.json' with { type: 'json' };
import type { Logger } from '../logger.js';
import { badOption, positiveInteger } from '../options.js';
import { DURATION_BUCKETS, readActiveSessions, readAnomalyCounts, readInvocationGroups } from './initial-totals.js';
import { familiesRenderer, HistogramFamily, ValueFamily } from './series.js';

export interface MetricsExporterOptions {
  store: Store;
  /** Distinct `skill_name` label values kept (default 1000); later names are folded into `other`. */
  maxSkillNames?: number;
  /** Distinct `workflow_phase` label values kept (default 100); later ones are folded into `other`. */
  maxPhases?: number;
  /** Prefix of the Node default metrics, build info and the exporter's own series (default `skills_`). */
  prefix?: string;
  /** A session counts as active this long after its latest invocation (default 15 minutes). */
  activeSessionMs?: number;
  /** Include Node's default process metrics (default true). */
  defaultMetrics?: boolean;
  /**
   * Routes whose requests `countIngest` counts (`skills_ingest_requests_total{route}` starts at 0
   * for each, so a rate exists before the first request); another route is counted as `other`.
   */
  ingestRoutes?: readonly string[];
  logger?: Logger;
}

export interface MetricsExporter {
  /** The exporter's own prom-client registry (never the global one). */
  readonly registry: Registry;
  /** The Content-Type of `metrics()`'s text. */
  readonly contentType: string;
  /** Resolves once the counters hold the store's totals. */
  ready(): Promise<void>;
  /** The Prometheus text exposition of every series. */
  metrics(): Promise<string>;
  /**
   * Count one answered ingest request of `route` (`${prefix}ingest_requests_total{route}`) and,
   * when it was refused, its error code (`${prefix}ingest_rejected_total{route,code}`).
   * @example exporter.countIngest('/v1/invocations', 'validation_failed');
   */
  countIngest(route: string, rejectedCode?: string): void;
  close(): Promise<void>;
}

const UNKNOWN_PHASE = 'unknown';
const OTHER = 'other';
/** Folded names remembered, so each is counted once; beyond it each sighting of a new one counts. */
const MAX_REMEMBERED_FOLDS = 100_000;

/**
 * A Prometheus exporter over a store, on its own registry: the original's series
 * (`skill_invocations_total`, `skill_duration_seconds`, `skill_completion_rate`,
 * `anomalies_detected_total`, and `skill_active_sessions`, the original's `active_sessions_total`
 * renamed), initialised from the store so totals survive restarts, then fed by every recorded
 * batch (on PostgreSQL: of every instance) and every detected anomaly.
 *
 * @example
 * const exporter = createMetricsExporter({ store });
 * http.createServer(async (req, res) => {
 *   res.setHeader('content-type', exporter.contentType);
 *   res.end(await exporter.metrics());
 * });
 */
export function createMetricsExporter(options: MetricsExporterOptions): MetricsExporter {
  const { store, logger } = options;
  const maxSkillNames = positiveInteger(options.maxSkillNames, 1000, 'maxSkillNames');
  const maxPhases = positiveInteger(options.maxPhases, 100, 'maxPhases');
  const activeSessionMs = positiveInteger(options.activeSessionMs, 15 * 60_000, 'activeSessionMs');
  const prefix = options.prefix ?? 'skills_';
  if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$|^$/.test(prefix)) {
    throw badOption('prefix', `expected a metric name prefix of letters, digits, "_" and ":" (got ${JSON.stringify(prefix)})`);
  }

  // The exporter's own series render themselves (fast); Node's default metrics render through
  // prom-client. `registry` holds both.
  const own = new Registry();
  const defaults = new Registry();
  const invocations = new ValueFamily(own, 'skill_invocations_total', 'Skill invocations recorded', 'counter');
  const durations = new HistogramFamily(
    own,
    'skill_duration_seconds',
    'Duration of skill invocations with a known duration',
    DURATION_BUCKETS,
  );
  const completionRate = new ValueFamily(
    own,
    'skill_completion_rate',
    'Share of invocations of the skill that completed, over all recorded (0-1)',
    'gauge',
  );
  const activeSessions = new ValueFamily(
    own,
    'skill_active_sessions',
    `Sessions with an invocation in the last ${activeSessionMs / 60_000} minutes`,
    'gauge',
  );
  const anomalies = new ValueFamily(own, 'anomalies_detected_total', 'Anomalies detected', 'counter');
  const folded = new ValueFamily(
    own,
    `${prefix}skill_names_folded_total`,
    `Distinct skill names reported as "${OTHER}" beyond the cap of ${maxSkillNames}`,
    'counter',
  );
  const buildInfo = new ValueFamily(own, `${prefix}build_info`, 'Version of @skills/realtime and Node.js', 'gauge');
  const ingestRequests = new ValueFamily(
    own,
    `${prefix}ingest_requests_total`,
    'Requests answered by an ingest route (invocations, hooks, OTLP logs, webhooks)',
    'counter',
  );
  const ingestRejected = new ValueFamily(
    own,
    `${prefix}ingest_rejected_total`,
    'Ingest requests refused (answered 4xx or 5xx; nothing written), by route and error code',
    'counter',
  );
  const ingestRoutes = new Set(options.ingestRoutes ?? []);
  for (const route of ingestRoutes) ingestRequests.set({ route }, 0);
  folded.set({}, 0);
  buildInfo.set({ version: packageJson.version, node_version: process.version }, 1);
  const renderOwn = familiesRenderer([
    invocations,
    durations,
    completionRate,
    activeSessions,
    anomalies,
    folded,
    ingestRequests,
    ingestRejected,
    buildInfo,
  ]);
  if (options.defaultMetrics !== false) {
    collectDefaultMetrics({ register: defaults, prefix });
    // prom-client names three gauges `…_total`, which `promtool check metrics` rejects (the same
    // rule that renamed active_sessions_total); their per-type versions stay.
    for (const metric of defaults.getMetricsAsArray()) {
      const { name, type } = metric as unknown as { name: string; type: string };
      if (type !== 'counter' && name.endsWith('_total')) defaults.removeSingleMetric(name);
    }
  }
  const registry = Registry.merge([own, defaults]);

  const skillNames = new Set<string>();
  const foldedNames = new Set<string>();
  const phases = new Set<string>();
  const totals = new Map<string, { count: number; completed: number }>();
  const sessions = new Map<string, number>();

  const skillLabel = (name: string): string => {
    if (skillNames.has(name)) return name;
    if (skillNames.size < maxSkillNames) {
      skillNames.add(name);
      return name;
    }
    if (!foldedNames.has(name)) {
      if (foldedNames.size < MAX_REMEMBERED_FOLDS) foldedNames.add(name);
      folded.inc({});
    }
    return OTHER;
  };
  const phaseLabel = (phase: string | null): string => {
    const name = phase === null || phase.trim() === '' ? UNKNOWN_PHASE : phase;
    if (phases.has(name)) return name;
    if (phases.size < maxPhases) {
      phases.add(name);
      return name;
    }
    return OTHER;
  };
  const count = (skill: string, completed: boolean, n: number) => {
    const total = totals.get(skill) ?? { count: 0, completed: 0 };
    total.count += n;
    if (completed) total.completed += n;
    totals.set(skill, total);
  };

  const onBatch = (event: RecordedEvent) => {
    for (const row of event.invocations) {
      const skill = skillLabel(row.skill_name);
      const phase = phaseLabel(row.workflow_phase);
      invocations.inc({ skill_name: skill, workflow_phase: phase, completed: String(row.completed) });
      if (row.duration_seconds !== null) durations.observe({ skill_name: skill, workflow_phase: phase }, row.duration_seconds);
      count(skill, row.completed, 1);
      if ((sessions.get(row.session_id) ?? -Infinity) < row.invoked_at) sessions.set(row.session_id, row.invoked_at);
    }
    if (sessions.size > 100_000) pruneSessions(Date.now());
  };
  const onAnomalyEvent = (event: AnomalyEvent) => {
    for (const anomaly of event.detected) anomalies.inc({ anomaly_type: anomaly.type, skill_name: skillLabel(anomaly.skill) });
  };
  const pruneSessions = (now: number) => {
    for (const [session, last] of sessions) if (last < now - activeSessionMs) sessions.delete(session);
  };

  type Snapshot = {
    groups: Awaited<ReturnType<typeof readInvocationGroups>>;
    anomalyCounts: Awaited<ReturnType<typeof readAnomalyCounts>>;
    sessions: Map<string, number>;
  };

  /**
   * Raise every series to the store's values: exact at start (everything is zero) and after a gap
   * in the events, when the counters may have missed batches but never counted one twice.
   */
  const applySnapshot = (snapshot: Snapshot) => {
    // The busiest skills get their own label when there are more names than the cap.
    const bySkill = new Map<string, number>();
    for (const group of snapshot.groups) bySkill.set(group.skill_name, (bySkill.get(group.skill_name) ?? 0) + group.count);
    for (const [skill] of [...bySkill].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))) skillLabel(skill);
    const counts = new Map<string, { labels: Record<string, string>; count: number }>();
    const histograms = new Map<string, { labels: Record<string, string>; buckets: number[]; sum: number }>();
    const skillTotals = new Map<string, { count: number; completed: number }>();
    for (const group of snapshot.groups) {
      const skill = skillLabel(group.skill_name);
      const phase = phaseLabel(group.workflow_phase);
      const labels = { skill_name: skill, workflow_phase: phase, completed: String(group.completed) };
      const key = Object.values(labels).join('\u0000');
      counts.set(key, { labels, count: (counts.get(key)?.count ?? 0) + group.count });
      const timed = group.durationBuckets.reduce((a, b) => a + b, 0);
      if (timed > 0) {
        const hkey = `${skill}\u0000${phase}`;
        const histogram = histograms.get(hkey) ?? {
          labels: { skill_name: skill, workflow_phase: phase },
          buckets: group.durationBuckets.map(() => 0),
          sum: 0,
        };
        for (const [i, n] of group.durationBuckets.entries()) histogram.buckets[i]! += n;
        histogram.sum += group.durationSum;
        histograms.set(hkey, histogram);
      }
      const total = skillTotals.get(skill) ?? { count: 0, completed: 0 };
      total.count += group.count;
      if (group.completed) total.completed += group.count;
      skillTotals.set(skill, total);
    }
    for (const { labels, count: stored } of counts.values()) invocations.atLeast(labels, stored);
    for (const { labels, buckets, sum } of histograms.values()) durations.atLeast(labels, buckets, sum);
    for (const [skill, total] of skillTotals) {
      const kept = totals.get(skill);
      if (!kept || kept.count < total.count) totals.set(skill, total);
    }
    const anomalyTotals = new Map<string, { labels: Record<string, string>; count: number }>();
    for (const row of snapshot.anomalyCounts) {
      const labels = { anomaly_type: row.anomaly_type, skill_name: skillLabel(row.skill_name) };
      const key = `${labels.anomaly_type}\u0000${labels.skill_name}`;
      anomalyTotals.set(key, { labels, count: (anomalyTotals.get(key)?.count ?? 0) + row.count });
    }
    for (const { labels, count: stored } of anomalyTotals.values()) anomalies.atLeast(labels, stored);
    for (const [session, last] of snapshot.sessions) if ((sessions.get(session) ?? -Infinity) < last) sessions.set(session, last);
  };

  let stopWatching: (() => Promise<void>) | undefined;
  let closed = false;
  let resyncing: Promise<void> | undefined;
  const stopAnomalies = onAnomalies(store, onAnomalyEvent);
  const watch = (): Promise<void> =>
    snapshotThenWatch(
      store,
      async (db): Promise<Snapshot> => ({
        groups: await readInvocationGroups(db),
        anomalyCounts: await readAnomalyCounts(db),
        sessions: await readActiveSessions(db, Date.now() - activeSessionMs),
      }),
      onBatch,
      { onError: (error) => resync(error) },
    ).then(async ({ snapshot, stop }) => {
      stopWatching = stop;
      if (closed) return stop();
      applySnapshot(snapshot);
    });
  /** Batches may have been missed (the listening connection was lost): read the totals again. */
  const resync = (error: unknown) => {
    logger?.warn?.({ err: error }, 'metrics exporter: recorded batches may have been missed; reading the store totals again');
    if (resyncing || closed) return;
    resyncing = (async () => {
      await started.catch(() => {});
      await stopWatching?.();
      stopWatching = undefined;
      for (let delay = 100; !closed; delay = Math.min(delay * 2, 5000)) {
        try {
          await watch();
          return;
        } catch (failure) {
          logger?.warn?.({ err: failure }, 'metrics exporter: cannot read the store totals yet');
          await new Promise((resolve) => setTimeout(resolve, delay).unref());
        }
      }
    })().finally(() => {
      resyncing = undefined;
    });
  };
  const started = watch();
  started.catch((error: unknown) => logger?.error?.({ err: error }, 'metrics exporter: cannot read the store totals'));

  let anomaliesReadAt = 0;
  /** Other instances record anomalies too (the hourly job runs on one): follow the table. */
  const followAnomalies = async () => {
    if (Date.now() - anomaliesReadAt < 10_000) return;
    anomaliesReadAt = Date.now();
    const merged = new Map<string, { labels: { anomaly_type: string; skill_name: string }; count: number }>();
    for (const row of await readAnomalyCounts(store.db)) {
      const labels = { anomaly_type: row.anomaly_type, skill_name: skillLabel(row.skill_name) };
      const key = `${labels.anomaly_type}\u0000${labels.skill_name}`;
      merged.set(key, { labels, count: (merged.get(key)?.count ?? 0) + row.count });
    }
    for (const { labels, count: stored } of merged.values()) anomalies.atLeast(labels, stored);
  };

  return {
    registry,
    contentType: registry.contentType,
    ready: () => started,
    countIngest(route, rejectedCode) {
      // Labels stay bounded: the configured routes, and error codes of the API's short list shape.
      const label = ingestRoutes.size === 0 || ingestRoutes.has(route) ? route : OTHER;
      ingestRequests.inc({ route: label });
      if (rejectedCode !== undefined)
        ingestRejected.inc({ route: label, code: /^[a-z_]{1,40}$/.test(rejectedCode) ? rejectedCode : OTHER });
    },
    async metrics() {
      await started;
      await followAnomalies();
      const now = Date.now();
      pruneSessions(now);
      activeSessions.set({}, sessions.size);
      for (const [skill, total] of totals) completionRate.set({ skill_name: skill }, total.count > 0 ? total.completed / total.count : 0);
      const rest = defaults.getMetricsAsArray().length > 0 ? await defaults.metrics() : '';
      return `${renderOwn()}${rest}`;
    },
    async close() {
      closed = true;
      stopAnomalies();
      await started.catch(() => {});
      await resyncing;
      await stopWatching?.();
      registry.clear();
      own.clear();
      defaults.clear();
    },
  };
}
