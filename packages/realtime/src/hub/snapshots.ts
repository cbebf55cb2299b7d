import { HOUR_MS, topSkills, type Store, type TopSkill } from '@skills/storage';
import { listAnomalies, type RecordedAnomaly } from '@skills/timeseries';
import { iso } from './protocol.js';

/** A skill in `metrics_update.top_skills`: the original's fields, plus the p95. */
export interface TopSkillEntry {
  skill_name: string;
  /** Invocations in the window. */
  total_invocations: number;
  /** 0–100, as the original's clients expect. */
  completion_rate: number;
  avg_duration_seconds: number | null;
  p95_duration_seconds: number | null;
}

/** An anomaly in `metrics_update.anomalies`: the original's fields, plus the metric and resolution. */
export interface SnapshotAnomaly {
  skill_name: string;
  /** ISO-8601. */
  detected_at: string;
  anomaly_type: string;
  deviation_score: number;
  metric: string;
  /** ISO-8601, or null while open. */
  resolved_at: string | null;
}

export interface SkillNumbers {
  skill_name: string;
  window_hours: number;
  invocations: number;
  completed: number;
  /** 0–1. */
  completion_rate: number | null;
  avg_duration_seconds: number | null;
  p95_duration_seconds: number | null;
  /** The last 24 hours, oldest first, hours without invocations as zeros. */
  hourly: { hour_start: number; invocations: number; completed: number; avg_duration_seconds: number | null }[];
}

/** What one tick computes, once for every client. */
export interface Snapshot {
  ts: number;
  top: TopSkillEntry[];
  /** Numbers of skills clients follow (filter or `skill:` channel), top or not; absent: none in the window. */
  skills: Map<string, TopSkill>;
  anomalies: SnapshotAnomaly[];
}

export function windowOf(now: number, windowHours: number): { since: number; until: number } {
  return { since: now - (now % HOUR_MS) - (windowHours - 1) * HOUR_MS, until: now };
}

export function entry(skill: TopSkill): TopSkillEntry {
  return {
    skill_name: skill.skill_name,
    total_invocations: skill.invocations,
    completion_rate: Math.round(skill.completion_rate * 10_000) / 100,
    avg_duration_seconds: skill.avg_duration_seconds,
    p95_duration_seconds: skill.p95_duration_seconds,
  };
}

export function snapshotAnomaly(anomaly: RecordedAnomaly): SnapshotAnomaly {
  return {
    skill_name: anomaly.skill,
    detected_at: iso(anomaly.detectedAt),
    anomaly_type: anomaly.type,
    deviation_score: anomaly.score,
    metric: anomaly.metric,
    resolved_at: anomaly.resolvedAt === null ? null : iso(anomaly.resolvedAt),
  };
}

/**
 * The top skills over the window, the followed skills (top or not), and the anomalies open or
 * resolved within the last hour — from the rollups, a handful of queries whatever the number of
 * clients.
 */
export async function computeSnapshot(
  store: Store,
  options: { now: number; windowHours: number; topCount: number; followed: ReadonlySet<string> },
): Promise<Snapshot> {
  const window = windowOf(options.now, options.windowHours);
  const top = await topSkills(store, { ...window, limit: options.topCount });
  const skills = new Map<string, TopSkill>();
  for (const skill of top) if (options.followed.has(skill.skill_name)) skills.set(skill.skill_name, skill);
  const missing = [...options.followed].filter((skill) => !skills.has(skill));
  for (let i = 0; i < missing.length; i += 1000) {
    for (const skill of await topSkills(store, { ...window, limit: 1000, skills: missing.slice(i, i + 1000) }))
      skills.set(skill.skill_name, skill);
  }
  const anomalies = (await listAnomalies(store, { since: options.now - HOUR_MS, limit: 100 })).map(snapshotAnomaly);
  return { ts: options.now, top: top.map(entry), skills, anomalies };
}

/**
 * One skill's live numbers and its last 24 hourly points, or undefined when it was never recorded.
 * Counts and the average come from the same read of the hourly rows as the points, so they always
 * agree; the p95 comes from the tick's snapshot.
 */
export async function computeSkillNumbers(
  store: Store,
  skill: string,
  now: number,
  windowHours: number,
  numbers: TopSkill | undefined,
): Promise<SkillNumbers | undefined> {
  const span = Math.max(24, windowHours);
  const { since, until } = windowOf(now, span);
  const rows = await store.db
    .selectFrom('skill_time_series')
    .select(['hour_start', 'invocation_count', 'completed_count', 'duration_sum', 'duration_count'])
    .where('skill_name', '=', skill)
    .where('hour_start', '>=', since)
    .where('hour_start', '<', until)
    .execute();
  if (rows.length === 0) {
    const known = await store.db.selectFrom('skill_metrics').select('skill_name').where('skill_name', '=', skill).executeTakeFirst();
    if (!known) return undefined;
  }
  const byHour = new Map(rows.map((row) => [Number(row.hour_start), row]));
  const points = Array.from({ length: span }, (_, i) => {
    const hour = since + i * HOUR_MS;
    const row = byHour.get(hour);
    return {
      hour,
      count: Number(row?.invocation_count ?? 0),
      completed: Number(row?.completed_count ?? 0),
      durationSum: Number(row?.duration_sum ?? 0),
      durationCount: Number(row?.duration_count ?? 0),
    };
  });
  let invocations = 0;
  let completed = 0;
  let durationSum = 0;
  let timed = 0;
  for (const point of points.slice(span - windowHours)) {
    invocations += point.count;
    completed += point.completed;
    durationSum += point.durationSum;
    timed += point.durationCount;
  }
  return {
    skill_name: skill,
    window_hours: windowHours,
    invocations,
    completed,
    completion_rate: invocations > 0 ? completed / invocations : null,
    avg_duration_seconds: timed > 0 ? durationSum / timed : null,
    p95_duration_seconds: numbers?.p95_duration_seconds ?? null,
    hourly: points.slice(-24).map((point) => ({
      hour_start: point.hour,
      invocations: point.count,
      completed: point.completed,
      avg_duration_seconds: point.durationCount > 0 ? point.durationSum / point.durationCount : null,
    })),
  };
}
