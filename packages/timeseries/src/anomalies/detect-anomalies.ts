import { ValidationError } from '@skills/storage';
import type { Metric } from '../metrics.js';
import { checkSeries, denseSeries, HOUR_MS, type DenseSeries, type SeriesPoint } from '../series.js';
import { isJudgement, type Judgement, type NotJudged } from './judgement.js';
import { resolveDetectionOptions, type DetectionMethod, type DetectionOptions, type ResolvedDetectionOptions } from './options.js';
import { describeJudgement, describeNotJudged } from './reason.js';
import { hoursRead, referencesFor } from './references.js';
import { judgeCount, judgeDuration, judgeRate } from './robust-tests.js';
import { estimateSpread } from './spread.js';
import { judgeZscore } from './zscore-method.js';

export type AnomalyType = 'drop' | 'spike' | 'pattern_shift';

/** Something unusual in one metric of one skill. */
export interface Anomaly {
  skill: string;
  /** `drop` / `spike`: one hour far below / above its baseline; `pattern_shift`: a sustained shift over several hours. */
  type: AnomalyType;
  metric: Metric;
  /** Start of the (last) hour judged, epoch ms. */
  bucket: number;
  /** Hours judged together: 1 for drops and spikes, the window for pattern shifts. */
  hours: number;
  /** What was expected and what was seen: a rate 0–1, invocations per hour, or seconds. */
  baseline: number;
  observed: number;
  /** Signed deviation in standard-normal units (negative: below the baseline). */
  score: number;
  method: DetectionMethod;
  /** The anomaly in plain words. */
  reason: string;
}

export interface DetectOptions extends DetectionOptions {
  /** Judge every hour from the one containing this time, each only against data before it (default: the last hour only). */
  since?: number | undefined;
  /**
   * End of the judged range, exclusive (default: the hour after the last point). Hours missing
   * before it count as zero invocations; the hour containing `until` is not judged (it is not over).
   */
  until?: number | undefined;
}

/** The judgements of one hour: per metric, the hour alone and the pooled window ending with it. */
export interface HourJudgement {
  bucket: number;
  metrics: { metric: Metric; hour: Judgement | NotJudged; windows: (Judgement | NotJudged)[] }[];
}

/**
 * Find drops, spikes and pattern shifts in an hourly series of one skill.
 *
 * The default `robust` method compares each hour with the same hour on earlier days of the same
 * type (weekday/weekend), with a test that fits the metric (binomial for rates, negative binomial
 * for counts, t on log durations) widened for noise seen between days, and asks for a material
 * change as well as a significant one; 3-hour windows catch sustained shifts too small for one
 * hour. `zscore` is the original system's method, for comparison.
 *
 * Only data before each judged hour is used (no look-ahead). Gaps count as hours without
 * invocations. An empty series, or one too short for a baseline, gives `[]`.
 *
 * @example detectAnomalies(await hourlySeries(store, 'pytest-run', { fill: true }), { skill: 'pytest-run' })
 */
export function detectAnomalies(series: readonly SeriesPoint[], options: DetectOptions = {}): Anomaly[] {
  const anomalies: Anomaly[] = [];
  judgeHours(series, options, (judged, _ts, resolved) => anomalies.push(...anomaliesOf(judged, resolved)));
  return anomalies;
}

/**
 * Validate the series and options, then judge every hour of the range, oldest first, each on the
 * data before it only, and hand each judgement to `visit` with the hour's start: the loop that
 * `detectAnomalies`, `explainAnomalies` and `replayAnomalies` share. Nothing to judge, no calls.
 */
export function judgeHours(
  series: readonly SeriesPoint[],
  options: DetectOptions,
  visit: (judged: HourJudgement, ts: number, resolved: ResolvedDetectionOptions) => void,
): void {
  const resolved = resolveDetectionOptions(options);
  const points = checkSeries(series);
  const range = judgedRange(points, options);
  if (range === undefined) return;
  const dense = denseSeries(points, points[0]?.ts ?? range.since, range.until);
  for (let ts = Math.max(range.since, dense.start); ts < range.until; ts += HOUR_MS) {
    visit(judgeHour(dense, (ts - dense.start) / HOUR_MS, resolved), ts, resolved);
  }
}

/** The hours to judge: [since, until), hour-aligned; undefined when there is nothing to judge. */
export function judgedRange(
  points: readonly SeriesPoint[],
  options: { since?: number | undefined; until?: number | undefined },
): { since: number; until: number } | undefined {
  for (const field of ['since', 'until'] as const) {
    const value = options[field];
    if (value !== undefined && !Number.isFinite(value)) {
      throw new ValidationError([{ index: -1, field, message: `expected a time in epoch milliseconds (got ${String(value)})` }]);
    }
  }
  const last = points[points.length - 1];
  const rawUntil = options.until ?? (last === undefined ? undefined : last.ts + HOUR_MS);
  if (rawUntil === undefined) return undefined;
  const until = rawUntil - (((rawUntil % HOUR_MS) + HOUR_MS) % HOUR_MS);
  const rawSince = options.since ?? until - HOUR_MS;
  const since = rawSince - (((rawSince % HOUR_MS) + HOUR_MS) % HOUR_MS);
  if (since > until) {
    throw new ValidationError([{ index: -1, field: 'since', message: 'must not be after until' }]);
  }
  if (points.length === 0 || since >= until) return undefined;
  if (until - (points[0] as SeriesPoint).ts > MAX_SPAN_MS) {
    throw new ValidationError([{ index: -1, field: 'until', message: 'must be within 10 years of the first point' }]);
  }
  return { since, until };
}

/** Longest span a series may cover, so a mistyped `until` cannot allocate without bound. */
const MAX_SPAN_MS = 3653 * 24 * HOUR_MS;

/** The pooled windows judged besides the single hour, shortest first (the single hour excluded). */
export function windowLengths(options: ResolvedDetectionOptions): number[] {
  return [...new Set([options.windowHours, options.longWindowHours])].filter((hours) => hours > 1).sort((a, b) => a - b);
}

/** Judge the hour at index `end` of a dense series for every metric asked for. */
export function judgeHour(series: DenseSeries, end: number, options: ResolvedDetectionOptions): HourJudgement {
  const bucket = series.start + end * HOUR_MS;
  if (options.method === 'zscore') {
    return {
      bucket,
      metrics: options.metrics.map((metric) => ({
        metric,
        hour: judgeZscore(series, end, metric) ?? {
          metric,
          hours: 1,
          code: 'no_baseline',
          reason: describeNotJudged(metric, 1, 'no_baseline', 0, 0),
        },
        windows: [],
      })),
    };
  }
  const hourRefs = referencesFor(series, end, 1, options);
  const spread = estimateSpread(series, hourRefs);
  // Each window is judged with the spread of the hours it spans on its reference days.
  const windows = windowLengths(options)
    .filter((hours) => end + 1 >= hours)
    .map((hours) => {
      const refs = referencesFor(series, end, hours, options);
      return { refs, spread: estimateSpread(series, refs) };
    });
  return {
    bucket,
    metrics: options.metrics.map((metric) => {
      const judge = metric === 'completion_rate' ? judgeRate : metric === 'invocation_count' ? judgeCount : judgeDuration;
      return {
        metric,
        hour: judge(series, hourRefs, spread, options),
        windows: windows.map((w) => judge(series, w.refs, w.spread, options)),
      };
    }),
  };
}

function flagged(j: Judgement | NotJudged | undefined, options: ResolvedDetectionOptions): j is Judgement {
  if (!isJudgement(j) || !j.material) return false;
  // Good news (faster, more completions) is held to its own, stricter threshold with the robust method.
  const better =
    options.method === 'robust' && j.metric !== 'invocation_count' && (j.metric === 'avg_duration_seconds' ? j.score < 0 : j.score > 0);
  return Math.abs(j.score) >= (better ? options.improvementThreshold : options.threshold);
}

/**
 * A long window holds the hours of a shift for most of its length after the shift is over, so it
 * counts only while the short window (or the hour) still leans the same way by the resolve
 * threshold: it adds evidence to a shift under way, never raises one that has ended.
 */
function stillGoingOn(
  j: Judgement,
  hour: Judgement | NotJudged,
  windows: readonly (Judgement | NotJudged)[],
  options: ResolvedDetectionOptions,
): boolean {
  if (j.hours <= options.windowHours) return true;
  const recent = options.windowHours > 1 ? windows.find((w) => w.hours === options.windowHours) : hour;
  return isJudgement(recent) && Math.sign(j.score) * recent.score >= options.resolveThreshold;
}

/**
 * The anomalies in one hour's judgements: at most one per metric, the single hour first; none
 * for a metric and direction `skip` says are already open (their reason is never written).
 */
export function anomaliesOf(
  judged: HourJudgement,
  options: ResolvedDetectionOptions,
  skip?: (metric: Metric, direction: number) => boolean,
): Anomaly[] {
  const anomalies: Anomaly[] = [];
  for (const { metric, hour, windows } of judged.metrics) {
    const j = flagged(hour, options)
      ? hour
      : windows.find((w): w is Judgement => flagged(w, options) && stillGoingOn(w, hour, windows, options));
    if (j === undefined || skip?.(metric, j.score < 0 ? -1 : 1)) continue;
    anomalies.push({
      skill: options.skill,
      type: j.hours > 1 ? 'pattern_shift' : j.score < 0 ? 'drop' : 'spike',
      metric,
      bucket: judged.bucket,
      hours: j.hours,
      baseline: j.baseline,
      observed: j.observed,
      score: j.score,
      method: options.method,
      reason: describeJudgement(j, judged.bucket - (j.hours - 1) * HOUR_MS, options.method, options.threshold),
    });
  }
  return anomalies;
}

/**
 * Whether a metric is back to normal in the direction of an open anomaly (`direction` −1 for
 * lower, +1 for higher): every judgement with data is under the resolve threshold that way. With
 * no data at all (no invocations to judge a rate by) it is not: the anomaly stays open.
 */
export function backToNormal(judged: HourJudgement, metric: Metric, direction: number, options: ResolvedDetectionOptions): boolean {
  const entry = judged.metrics.find((m) => m.metric === metric);
  if (entry === undefined) return false;
  // The long window only ever adds to a shift the short one still shows, so it has no say here.
  const present = [entry.hour, ...entry.windows.filter((w) => w.hours <= options.windowHours)].filter(isJudgement);
  if (present.length === 0) return false;
  const limit = options.method === 'zscore' ? options.threshold : options.resolveThreshold;
  return present.every((j) => direction * j.score < limit);
}

/**
 * Hours (epoch ms) that judging the hour `bucket` reads with this method, for a series starting
 * at `start` (the skill's first hour, or the earliest hour that could matter).
 */
export function hoursJudgedFrom(start: number, bucket: number, options: ResolvedDetectionOptions): number[] {
  const end = (bucket - start) / HOUR_MS;
  const indices =
    options.method === 'zscore'
      ? Array.from({ length: 24 }, (_, i) => end - 23 + i).filter((i) => i >= 0)
      : hoursRead(start, end, windowLengths(options), options);
  return indices.map((i) => start + i * HOUR_MS);
}
