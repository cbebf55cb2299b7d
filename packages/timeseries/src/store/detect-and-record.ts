import { createHash } from 'node:crypto';
import { ValidationError, NotFoundError, writeTransaction, type Store } from '@skills/storage';
import { hoursJudgedFrom, judgeHour, windowLengths, type Anomaly, type HourJudgement } from '../anomalies/detect-anomalies.js';
import { notJudgedOf } from '../anomalies/explain-hours.js';
import { isJudgement, type NotJudgedCode } from '../anomalies/judgement.js';
import { resolveDetectionOptions, type DetectionOptions, type ResolvedDetectionOptions } from '../anomalies/options.js';
import { directionOf, stepAnomalies } from '../anomalies/replay-anomalies.js';
import { denseSeries, HOUR_MS, type DenseScratch, type SeriesPoint } from '../series.js';
import { emitAnomalies } from './anomaly-events.js';
import { anomalyFromRow, type RecordedAnomaly } from './list-anomalies.js';
import { firstHours, readHours } from './read-series.js';

export interface DetectAndRecordOptions extends Omit<DetectionOptions, 'skill'> {
  /** The clock (default `Date.now()`); the hour containing it is not judged, since it is not over. */
  now?: number | undefined;
  /** Judge every hour from the one containing this time, oldest first (default: the last complete hour only). */
  since?: number | undefined;
  /** Only these skills (a NotFoundError names one never recorded); default every skill. */
  skills?: readonly string[] | undefined;
  /** Called with any error thrown by an `onAnomalies` listener (the anomalies are recorded regardless). */
  onListenerError?: ((error: unknown) => void) | undefined;
  /** Judge and return what would be recorded, but write nothing and tell no listener (works on a read-only store). */
  dryRun?: boolean | undefined;
}

export interface DetectAndRecordResult {
  /** The hours judged: [since, until). */
  since: number;
  until: number;
  /** Skills judged. */
  skills: number;
  /** Anomalies opened, and anomalies resolved, by this run. */
  detected: RecordedAnomaly[];
  resolved: RecordedAnomaly[];
  /** Anomalies of this method still open afterwards. */
  open: number;
  /** Every judged hour and metric of a skill that could not be judged, and why (oldest first per skill). */
  notJudged: NotJudgedHour[];
}

/** A metric of an hour of a skill that the detector could not judge. */
export interface NotJudgedHour {
  skill: string;
  metric: RecordedAnomaly['metric'];
  /** Start of the hour, epoch ms. */
  bucket: number;
  code: NotJudgedCode;
  /** The reason in plain words, e.g. "completion rate not judged: no invocations in the hour". */
  reason: string;
}

/** At most 31 days of hours per run, so a mistaken `since` cannot read the whole history. */
const MAX_JUDGED_HOURS = 31 * 24;

interface OpenRow {
  row: RecordedAnomaly;
  metric: RecordedAnomaly['metric'];
  direction: number;
  bucket: number;
}

/**
 * Judge the last complete hour (or every hour since `since`) of every skill, from the
 * `skill_time_series` rollups, and record the result in `skill_anomalies`: new anomalies are
 * inserted unless one is already open for the same skill, metric, method and direction; open ones
 * whose metric is back to normal get `resolved_at`. With the robust method,
 * `skill_metrics_cache.is_anomalous` / `anomaly_score` follow the open anomalies. Listeners of
 * `onAnomalies` hear of it after the commit.
 *
 * Reads only the hours the method needs (for the robust method: the judged window and the same
 * hours with their neighbours on each reference day), never raw invocations.
 * @example await detectAndRecordAnomalies(store) // run once an hour, e.g. from cron or the server
 */
export async function detectAndRecordAnomalies(store: Store, options: DetectAndRecordOptions = {}): Promise<DetectAndRecordResult> {
  const { now: rawNow, since: rawSince, skills: onlySkills, onListenerError, dryRun, ...detection } = options;
  const resolved = resolveDetectionOptions(detection);
  const now = rawNow ?? Date.now();
  if (!Number.isFinite(now))
    throw new ValidationError([{ index: -1, field: 'now', message: `expected a time in epoch milliseconds (got ${String(now)})` }]);
  const until = now - (((now % HOUR_MS) + HOUR_MS) % HOUR_MS);
  const since = rawSince === undefined ? until - HOUR_MS : rawSince - (((rawSince % HOUR_MS) + HOUR_MS) % HOUR_MS);
  if (!Number.isFinite(since) || since > until)
    throw new ValidationError([{ index: -1, field: 'since', message: 'expected a time in epoch milliseconds, not after now' }]);
  if ((until - since) / HOUR_MS > MAX_JUDGED_HOURS)
    throw new ValidationError([{ index: -1, field: 'since', message: `at most ${MAX_JUDGED_HOURS / 24} days can be judged in one run` }]);

  const firsts = await firstHours(store, onlySkills);
  for (const skill of onlySkills ?? []) if (!firsts.has(skill)) throw new NotFoundError('skill', skill);

  const judged = judgedHours(since, until);
  // The earliest hour any judgement could read; a skill first seen later starts at its first hour.
  const earliest = since - (resolved.baselineDays * 24 + Math.max(resolved.windowHours, resolved.longWindowHours, 24)) * HOUR_MS;
  const startOf = (first: number) => Math.max(first, earliest);
  const skillsByStart = new Map<number, string[]>();
  for (const [skill, first] of firsts) {
    if (first >= until) continue;
    const start = startOf(first);
    const list = skillsByStart.get(start) ?? [];
    list.push(skill);
    skillsByStart.set(start, list);
  }
  // The long window only counts while the short one leans the same way by the resolve threshold,
  // so it is read and judged only for the skills where some short judgement does (a few in a
  // hundred): the rest give the same answers without its ten hours on each reference day.
  const short: ResolvedDetectionOptions = { ...resolved, longWindowHours: 1 };
  const twoPass = resolved.method === 'robust' && windowLengths(resolved).length > windowLengths(short).length;
  const [series, openRows] = await Promise.all([
    readNeeded(store, skillsByStart, earliest, judged, twoPass ? short : resolved, onlySkills),
    readOpen(store, resolved, onlySkills),
  ]);

  const openBySkill = new Map<string, OpenRow[]>();
  for (const row of openRows) {
    const list = openBySkill.get(row.skill) ?? [];
    list.push({ row, metric: row.metric, direction: directionOf(row), bucket: row.bucket });
    openBySkill.set(row.skill, list);
  }
  // Every skill seen before the end, with or without data in the hours read (silence is data too).
  const skills = [...new Set([...firsts.keys(), ...openBySkill.keys()])].filter((skill) => {
    const first = firsts.get(skill);
    return first !== undefined && first < until;
  });
  // One skill is judged at a time, so its dense series can reuse the last one's memory.
  const scratch: DenseScratch = { arrays: [] };
  const denseOf = (points: SeriesPoint[] | undefined, skill: string) =>
    denseSeries(points ?? [], startOf(firsts.get(skill) as number), until, scratch);
  /** Each skill's judgement of every judged hour it has (hours before its first are skipped). */
  const judgeAll = (skill: string, points: SeriesPoint[] | undefined, options: ResolvedDetectionOptions): HourJudgement[] => {
    const dense = denseOf(points, skill);
    const skillOptions = { ...options, skill };
    return judged.filter((hour) => hour >= dense.start).map((hour) => judgeHour(dense, (hour - dense.start) / HOUR_MS, skillOptions));
  };
  const judgements = new Map(skills.map((skill) => [skill, judgeAll(skill, series.get(skill), twoPass ? short : resolved)]));
  if (twoPass) {
    const leaning = skills.filter((skill) =>
      (judgements.get(skill) as HourJudgement[]).some((judgement) =>
        judgement.metrics.some(({ windows }) => windows.some((w) => isJudgement(w) && Math.abs(w.score) >= resolved.resolveThreshold)),
      ),
    );
    if (leaning.length > 0) {
      // A few skills, and only the hours the long window needs (the union over their starts; a
      // superset is harmless): with both the skills and the hours listed, the rollup's primary
      // key (skill, hour) is sought for each pair, a third of the rows of each skill's whole span.
      const needed = new Set<number>();
      for (const start of new Set(leaning.map((skill) => startOf(firsts.get(skill) as number)))) {
        for (const hour of neededHours(start, judged, resolved)) needed.add(hour);
      }
      const full = await readHours(
        store,
        [...needed].sort((a, b) => a - b),
        leaning,
      );
      for (const skill of leaning) judgements.set(skill, judgeAll(skill, full.get(skill), resolved));
    }
  }

  const detected: RecordedAnomaly[] = [];
  const resolvedRows: RecordedAnomaly[] = [];
  const notJudged: NotJudgedHour[] = [];
  for (const skill of skills) {
    const skillOptions = { ...resolved, skill };
    let open = openBySkill.get(skill) ?? [];
    for (const judgement of judgements.get(skill) as HourJudgement[]) {
      const hour = judgement.bucket;
      for (const entry of notJudgedOf(judgement, skillOptions)) notJudged.push({ skill, ...entry, bucket: hour });
      const step = stepAnomalies(open, judgement, skillOptions);
      for (const entry of step.resolved) {
        entry.row.resolvedAt = hour + HOUR_MS;
        resolvedRows.push(entry.row);
      }
      open = open.filter((entry) => !step.resolved.includes(entry));
      for (const anomaly of step.opened) {
        const row = toRecorded(anomaly, hour + HOUR_MS);
        detected.push(row);
        open.push({ row, metric: row.metric, direction: directionOf(row), bucket: row.bucket });
      }
    }
  }
  const judgedSkills = skills.length;

  // A re-run over hours judged before finds anomalies already recorded (same ids): not new.
  const known = await existingIds(
    store,
    detected.map((a) => a.id),
  );
  const fresh = detected.filter((a) => !known.has(a.id));
  if (dryRun) {
    const stillOpen = new Set([...openRows.map((a) => a.id), ...fresh.map((a) => a.id)]);
    for (const a of resolvedRows) stillOpen.delete(a.id);
    return { since, until, skills: judgedSkills, detected: fresh, resolved: resolvedRows, open: stillOpen.size, notJudged };
  }
  const written = await write(store, resolved, fresh, resolvedRows);
  const openCount = await countOpen(store, resolved);
  emitAnomalies(store, { method: resolved.method, since, until, ...written }, onListenerError);
  return { since, until, skills: judgedSkills, ...written, open: openCount, notJudged };
}

function judgedHours(since: number, until: number): number[] {
  const hours: number[] = [];
  for (let hour = since; hour < until; hour += HOUR_MS) hours.push(hour);
  return hours;
}

/** Every hour the judged hours read for a series starting at `start`, sorted. */
function neededHours(start: number, judged: readonly number[], options: ResolvedDetectionOptions): number[] {
  const hours = new Set<number>();
  for (const hour of judged) if (hour >= start) for (const h of hoursJudgedFrom(start, hour, options)) hours.add(h);
  return [...hours].sort((a, b) => a - b);
}

/**
 * Read the hours the skills' judgements need (a superset is harmless; a missing hour would read as
 * silence): one query for the skills older than the baseline, which all start at `earliest` and so
 * need the same hours, and one for the younger skills, whose reference days are cut short by their
 * first hour, over the union of what they need.
 */
async function readNeeded(
  store: Store,
  skillsByStart: Map<number, string[]>,
  earliest: number,
  judged: readonly number[],
  options: ResolvedDetectionOptions,
  onlySkills: readonly string[] | undefined,
): Promise<Map<string, SeriesPoint[]>> {
  const series = new Map<string, SeriesPoint[]>();
  const old = skillsByStart.get(earliest) ?? [];
  if (old.length > 0) {
    // No skill list unless the caller gave one: readHours then takes every skill from skill_metrics.
    const read = await readHours(store, neededHours(earliest, judged, options), onlySkills);
    const wanted = new Set(old);
    for (const [skill, points] of read) if (wanted.has(skill)) series.set(skill, points);
  }
  const young = [...skillsByStart].filter(([start]) => start !== earliest);
  if (young.length > 0) {
    const hours = new Set<number>();
    for (const [start] of young) for (const hour of neededHours(start, judged, options)) hours.add(hour);
    const read = await readHours(
      store,
      [...hours].sort((a, b) => a - b),
      young.flatMap(([, skills]) => skills),
    );
    for (const [skill, points] of read) series.set(skill, points);
  }
  return series;
}

/** Same skill, metric, method, direction and bucket: the same id, so a concurrent run cannot insert it twice. */
function anomalyId(anomaly: Anomaly): string {
  const key = `${anomaly.method}\u0000${anomaly.skill}\u0000${anomaly.metric}\u0000${directionOf(anomaly)}\u0000${anomaly.bucket}`;
  return `an_${createHash('sha256').update(key).digest('hex').slice(0, 24)}`;
}

function toRecorded(anomaly: Anomaly, detectedAt: number): RecordedAnomaly {
  return {
    id: anomalyId(anomaly),
    skill: anomaly.skill,
    type: anomaly.type,
    metric: anomaly.metric,
    bucket: anomaly.bucket,
    baseline: anomaly.baseline,
    observed: anomaly.observed,
    score: anomaly.score,
    method: anomaly.method,
    reason: anomaly.reason,
    detectedAt,
    resolvedAt: null,
  };
}

async function readOpen(store: Store, options: ResolvedDetectionOptions, skills?: readonly string[]): Promise<RecordedAnomaly[]> {
  if (skills !== undefined && skills.length === 0) return [];
  let query = store.db.selectFrom('skill_anomalies').selectAll().where('resolved_at', 'is', null).where('method', '=', options.method);
  if (skills !== undefined) query = query.where('skill_name', 'in', [...skills]);
  return (await query.execute()).filter((row) => options.metrics.includes(row.metric as RecordedAnomaly['metric'])).map(anomalyFromRow);
}

async function existingIds(store: Store, ids: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await store.db
      .selectFrom('skill_anomalies')
      .select('id')
      .where('id', 'in', ids.slice(i, i + 500))
      .execute();
    for (const row of rows) found.add(row.id);
  }
  return found;
}

async function countOpen(store: Store, options: ResolvedDetectionOptions): Promise<number> {
  const row = await store.db
    .selectFrom('skill_anomalies')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('resolved_at', 'is', null)
    .where('method', '=', options.method)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Insert the new anomalies and resolve the others, in one transaction; returns what it changed. */
async function write(
  store: Store,
  options: ResolvedDetectionOptions,
  detected: RecordedAnomaly[],
  resolved: RecordedAnomaly[],
): Promise<{ detected: RecordedAnomaly[]; resolved: RecordedAnomaly[] }> {
  if (detected.length === 0 && resolved.length === 0) return { detected, resolved };
  return writeTransaction(store, async (trx) => {
    const inserted: RecordedAnomaly[] = [];
    const closed: RecordedAnomaly[] = [];
    for (let i = 0; i < detected.length; i += 500) {
      await trx
        .insertInto('skill_anomalies')
        .values(
          detected.slice(i, i + 500).map((a) => ({
            id: a.id,
            skill_name: a.skill,
            anomaly_type: a.type,
            metric: a.metric,
            bucket_start: a.bucket,
            baseline_value: Number.isFinite(a.baseline) ? a.baseline : null,
            observed_value: Number.isFinite(a.observed) ? a.observed : null,
            deviation_score: a.score,
            method: a.method,
            reason: a.reason,
            detected_at: a.detectedAt,
            // Opened and closed within one catch-up run.
            resolved_at: a.resolvedAt,
          })),
        )
        .onConflict((oc) => oc.column('id').doNothing())
        .returning('id')
        .execute()
        .then((rows) => {
          const ids = new Set(rows.map((row) => row.id));
          inserted.push(...detected.filter((a) => ids.has(a.id)));
        });
    }
    for (const a of resolved) {
      if (inserted.includes(a)) {
        closed.push(a);
        continue;
      }
      const result = await trx
        .updateTable('skill_anomalies')
        .set({ resolved_at: a.resolvedAt })
        .where('id', '=', a.id)
        .where('resolved_at', 'is', null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) > 0) closed.push(a);
    }
    if (options.method !== 'robust') return { detected: inserted, resolved: closed };
    // The cache mirrors the default method's open anomalies of the skills that changed.
    const changed = [...new Set([...inserted, ...closed].map((a) => a.skill))];
    for (const skill of changed) {
      const open = await trx
        .selectFrom('skill_anomalies')
        .select(['deviation_score'])
        .where('skill_name', '=', skill)
        .where('method', '=', 'robust')
        .where('resolved_at', 'is', null)
        .execute();
      const score = open.reduce<number | null>(
        (max, r) => (max === null || Math.abs(r.deviation_score) > max ? Math.abs(r.deviation_score) : max),
        null,
      );
      await trx
        .updateTable('skill_metrics_cache')
        .set({ is_anomalous: open.length > 0 ? 1 : 0, anomaly_score: score })
        .where('skill_name', '=', skill)
        .execute();
    }
    return { detected: inserted, resolved: closed };
  });
}
