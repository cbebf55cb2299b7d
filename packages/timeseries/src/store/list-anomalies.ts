import { ValidationError, NotFoundError, type FieldIssue, type SkillsDatabase, type Store } from '@skills/storage';
import type { Selectable } from 'kysely';
import type { AnomalyType } from '../anomalies/detect-anomalies.js';
import type { DetectionMethod } from '../anomalies/options.js';
import type { Metric } from '../metrics.js';

/** An anomaly as stored in `skill_anomalies`. */
export interface RecordedAnomaly {
  id: string;
  skill: string;
  type: AnomalyType;
  metric: Metric;
  /** Start of the (last) hour judged, epoch ms. */
  bucket: number;
  baseline: number | null;
  observed: number | null;
  score: number;
  method: DetectionMethod;
  reason: string;
  /** End of the hour whose data showed it (the detector judges hours once they are over). */
  detectedAt: number;
  /** End of the hour at which its metric was back to normal; null while open. */
  resolvedAt: number | null;
}

export interface ListAnomaliesOptions {
  /** Anomalies open at any time since then: bucket, or resolution, at or after it, or still open. */
  since?: number | undefined;
  /** Only anomalies whose bucket is before this time. */
  until?: number | undefined;
  /** Only this skill (a NotFoundError when the skill was never recorded). */
  skill?: string | undefined;
  /** true: only open ones; false: only resolved ones; default both. */
  open?: boolean | undefined;
  method?: DetectionMethod | undefined;
  /** Most recent first; default 1000, at most 10,000. */
  limit?: number | undefined;
}

type AnomalyRow = Selectable<SkillsDatabase['skill_anomalies']>;

export function anomalyFromRow(row: AnomalyRow): RecordedAnomaly {
  return {
    id: row.id,
    skill: row.skill_name,
    type: row.anomaly_type as AnomalyType,
    metric: row.metric as Metric,
    bucket: row.bucket_start,
    baseline: row.baseline_value,
    observed: row.observed_value,
    score: row.deviation_score,
    method: row.method as DetectionMethod,
    reason: row.reason,
    detectedAt: row.detected_at,
    resolvedAt: row.resolved_at,
  };
}

/**
 * Recorded anomalies, most recent bucket first.
 * @example await listAnomalies(store, { since: Date.now() - 86_400_000, open: true })
 */
export async function listAnomalies(store: Store, options: ListAnomaliesOptions = {}): Promise<RecordedAnomaly[]> {
  const issues: FieldIssue[] = [];
  for (const field of ['since', 'until'] as const) {
    const value = options[field];
    if (value !== undefined && !Number.isFinite(value))
      issues.push({ index: -1, field, message: `expected a time in epoch milliseconds (got ${String(value)})` });
  }
  const limit = options.limit ?? 1000;
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
    issues.push({ index: -1, field: 'limit', message: 'expected an integer from 1 to 10000' });
  if (options.method !== undefined && options.method !== 'robust' && options.method !== 'zscore') {
    issues.push({ index: -1, field: 'method', message: `expected robust or zscore (got ${JSON.stringify(options.method)})` });
  }
  if (issues.length > 0) throw new ValidationError(issues);
  if (options.skill !== undefined) {
    const known = await store.db
      .selectFrom('skill_metrics')
      .select('skill_name')
      .where('skill_name', '=', options.skill)
      .executeTakeFirst();
    if (!known) throw new NotFoundError('skill', options.skill);
  }
  let query = store.db.selectFrom('skill_anomalies').selectAll();
  const { since, until, skill, open, method } = options;
  if (since !== undefined) {
    query = query.where((eb) => eb.or([eb('bucket_start', '>=', since), eb('resolved_at', 'is', null), eb('resolved_at', '>', since)]));
  }
  if (until !== undefined) query = query.where('bucket_start', '<', until);
  if (skill !== undefined) query = query.where('skill_name', '=', skill);
  if (open === true) query = query.where('resolved_at', 'is', null);
  if (open === false) query = query.where('resolved_at', 'is not', null);
  if (method !== undefined) query = query.where('method', '=', method);
  const rows = await query.orderBy('bucket_start', 'desc').orderBy('skill_name').orderBy('metric').limit(limit).execute();
  return rows.map(anomalyFromRow);
}
