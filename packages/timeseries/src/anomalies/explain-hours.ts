import type { Metric } from '../metrics.js';
import { HOUR_MS, type SeriesPoint } from '../series.js';
import { anomaliesOf, judgeHours, type DetectOptions, type HourJudgement } from './detect-anomalies.js';
import { isJudgement, type NotJudgedCode } from './judgement.js';
import { describeJudgement } from './reason.js';
import type { ResolvedDetectionOptions } from './options.js';

/** What the detector made of one metric of one hour. */
export interface HourExplanation {
  skill: string;
  /** Start of the hour, epoch ms. */
  bucket: number;
  metric: Metric;
  /** `anomaly`: flagged; `normal`: judged and within bounds (or not material); `not_judged`: see `code` and `reason`. */
  status: 'anomaly' | 'normal' | 'not_judged';
  /** The score of the judgement that decided (the hour, or a pooled window when only it was judged); null when not judged. */
  score: number | null;
  /** Why it was not judged; null when it was. */
  code: NotJudgedCode | null;
  /** Hours of the judgement that decided (1, or a pooled window); null when not judged. */
  hours: number | null;
  /** What that judgement expected and saw (a rate 0–1, invocations per hour, or seconds); null when not judged. */
  baseline: number | null;
  observed: number | null;
  /** The judgement or the reason for none, in plain words (for a normal hour: what was seen against what was expected). */
  reason: string;
}

/**
 * One entry per hour and metric of a judged hour: flagged, normal, or not judged and why. A
 * metric counts as judged when the hour alone or the short window (`windowHours`) ending with it was.
 */
export function explainJudgement(judged: HourJudgement, options: ResolvedDetectionOptions): HourExplanation[] {
  const flagged = new Map(anomaliesOf(judged, options).map((a) => [a.metric, a]));
  return judged.metrics.map(({ metric, hour, windows }): HourExplanation => {
    const base = { skill: options.skill, bucket: judged.bucket, metric };
    const anomaly = flagged.get(metric);
    if (anomaly !== undefined) {
      return {
        ...base,
        status: 'anomaly',
        score: anomaly.score,
        code: null,
        hours: anomaly.hours,
        baseline: anomaly.baseline,
        observed: anomaly.observed,
        reason: anomaly.reason,
      };
    }
    // The long window only adds evidence to a shift the short one shows: it does not make an hour judged.
    const counted = windows.filter((w) => w.hours <= options.windowHours);
    const judgement = isJudgement(hour) ? hour : counted.find(isJudgement);
    if (judgement !== undefined) {
      const strongest = [hour, ...counted].filter(isJudgement).reduce((a, b) => (Math.abs(b.score) > Math.abs(a.score) ? b : a), judgement);
      const score = strongest.score;
      const why = Math.abs(score) >= options.threshold ? 'significant but not a material change' : `within ${options.threshold} of normal`;
      const seen = describeJudgement(strongest, judged.bucket - (strongest.hours - 1) * HOUR_MS, options.method, options.threshold);
      return {
        ...base,
        status: 'normal',
        score,
        code: null,
        hours: strongest.hours,
        baseline: strongest.baseline,
        observed: strongest.observed,
        reason: `${metric.replace(/_/g, ' ')} judged: ${why} (${seen})`,
      };
    }
    const missing = isJudgement(hour) ? undefined : hour;
    return {
      ...base,
      status: 'not_judged',
      score: null,
      code: missing?.code ?? 'no_data',
      hours: null,
      baseline: null,
      observed: null,
      reason: missing?.reason ?? 'not judged',
    };
  });
}

/** The metrics of a judged hour that were not judged, and why (cheaper than `explainJudgement`: no reasons for anomalies). */
export function notJudgedOf(
  judged: HourJudgement,
  options: ResolvedDetectionOptions,
): { metric: Metric; code: NotJudgedCode; reason: string }[] {
  const out: { metric: Metric; code: NotJudgedCode; reason: string }[] = [];
  for (const { metric, hour, windows } of judged.metrics) {
    if (isJudgement(hour) || windows.some((w) => w.hours <= options.windowHours && isJudgement(w))) continue;
    out.push({ metric, code: hour.code, reason: hour.reason });
  }
  return out;
}

/**
 * What the detector made of every hour and metric of a range (default: the last hour): which
 * hours were flagged, which were normal, and for each hour that could not be judged, why (no
 * data, a history too young, too few reference days even with the neighbouring hours, no history
 * of the day type). Same options and look-ahead rules as `detectAnomalies`.
 * @example explainAnomalies(series, { since: Date.now() - 86_400_000 }).filter((h) => h.status === 'not_judged')
 */
export function explainAnomalies(series: readonly SeriesPoint[], options: DetectOptions = {}): HourExplanation[] {
  const out: HourExplanation[] = [];
  judgeHours(series, options, (judged, _ts, resolved) => out.push(...explainJudgement(judged, resolved)));
  return out;
}
