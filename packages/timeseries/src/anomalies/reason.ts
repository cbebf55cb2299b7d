import { HOUR_MS, isWeekend } from '../series.js';
import type { Judgement, NotJudged } from './judgement.js';
import type { Metric } from '../metrics.js';
import type { DetectionMethod } from './options.js';

const hhmm = (ts: number) => new Date(ts).toISOString().slice(11, 16);

/** `first`: start of the first hour of the window. */
function when(first: number, hours: number): string {
  return hours === 1
    ? `in the hour from ${hhmm(first)} UTC`
    : `over the ${hours} hours from ${hhmm(first)} to ${hhmm(first + hours * HOUR_MS)} UTC`;
}

const percent = (x: number) => `${(x * 100).toFixed(x > 0.995 && x < 1 ? 1 : 0)}%`;
const seconds = (x: number) => `${x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : Math.round(x).toLocaleString('en-US')} s`;
const perHour = (x: number) => (x >= 100 ? Math.round(x).toLocaleString('en-US') : x >= 10 ? x.toFixed(0) : x.toFixed(1));
const times = (x: number) => (x >= 10 ? `${Math.round(x)}×` : `${x.toFixed(1)}×`);

/**
 * One sentence an operator can act on: what was seen, when, against what, and how unusual.
 * @example "completion rate 61% (412 of 675) in the hour from 14:00 UTC; usually 92% at this hour on weekdays (20 earlier days); score −9.1"
 */
export function describeJudgement(j: Judgement, first: number, method: DetectionMethod, threshold: number): string {
  const span = when(first, j.hours);
  const score = `score ${j.score < 0 ? '−' : '+'}${Math.abs(j.score).toFixed(1)}`;
  const usual =
    method === 'zscore'
      ? j.metric === 'completion_rate'
        ? `against ${percent(j.baseline)} over the previous 23 hours`
        : `against a mean of ${j.metric === 'invocation_count' ? perHour(j.baseline) : seconds(j.baseline)} over the 24 hours to it`
      : `usually ${usualValue(j)} at ${j.hours === 1 ? 'this hour' : 'these hours'}${j.pooled ? ' and the hour either side' : ''} ${dayType(j, first)} (${j.references} earlier days)`;
  const tail = method === 'zscore' ? `z = ${j.score.toFixed(1)}, threshold ${threshold}` : score;
  if (j.metric === 'completion_rate') {
    return `completion rate ${percent(j.observed)} (${j.completed ?? 0} of ${j.sample}) ${span}; ${usual}; ${tail}`;
  }
  if (j.metric === 'invocation_count') {
    const ratio = j.baseline > 0 ? j.observed / j.baseline : Number.POSITIVE_INFINITY;
    const size =
      j.observed === 0
        ? ', none at all'
        : ratio >= 1
          ? Number.isFinite(ratio)
            ? `, ${times(ratio)} the usual`
            : ''
          : `, ${times(1 / ratio)} fewer than usual`;
    const count = j.hours === 1 ? `${j.sample.toLocaleString('en-US')} invocations` : `${perHour(j.observed)} invocations an hour`;
    return `${count} ${span}${size}; ${usual}; ${tail}`;
  }
  const ratio = j.observed / j.baseline;
  const size = ratio >= 1 ? `${times(ratio)} slower than usual` : `${times(1 / ratio)} faster than usual`;
  return `average duration ${seconds(j.observed)} over ${j.sample.toLocaleString('en-US')} timed completions ${span}, ${size}; ${usual}; ${tail}`;
}

function usualValue(j: Judgement): string {
  if (j.metric === 'completion_rate') return percent(j.baseline);
  if (j.metric === 'invocation_count') return `${perHour(j.baseline)} an hour`;
  return seconds(j.baseline);
}

function dayType(j: Judgement, bucket: number): string {
  if (j.sameDayType === false) return 'on any day';
  return isWeekend(bucket) ? 'on weekends' : 'on weekdays';
}

const METRIC_WORDS: Record<Metric, string> = {
  completion_rate: 'completion rate',
  invocation_count: 'volume',
  avg_duration_seconds: 'duration',
};

/**
 * Why a metric was not judged, in plain words.
 * @example "completion rate not judged: only 2 earlier days had invocations at this hour, even with the hour either side (3 needed)"
 */
export function describeNotJudged(metric: Metric, hours: number, code: NotJudged['code'], days: number, needed: number): string {
  const what = METRIC_WORDS[metric];
  const at = hours === 1 ? 'this hour' : 'these hours';
  const data = metric === 'avg_duration_seconds' ? 'timed completions' : 'invocations';
  switch (code) {
    case 'no_data':
      return `${what} not judged: no ${data} ${hours === 1 ? 'in the hour' : `in the ${hours} hours`}`;
    case 'young_history':
      return `${what} not judged: ${days} earlier day${days === 1 ? '' : 's'} of history (${needed} needed)`;
    case 'thin_references':
      return `${what} not judged: only ${days} earlier day${days === 1 ? '' : 's'} had ${data} at ${at}, even with the hour either side (${needed} needed)`;
    case 'no_day_type_history':
      return `volume drop not judged: no history of this day type (weekend or weekday) to scale the other days by; only a rise above them is judged`;
    case 'no_baseline':
      return `${what} not judged: the z-score baseline is too short or constant`;
  }
}
