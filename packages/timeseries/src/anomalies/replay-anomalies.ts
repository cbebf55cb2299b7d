import type { Metric } from '../metrics.js';
import { HOUR_MS, type SeriesPoint } from '../series.js';
import { anomaliesOf, backToNormal, judgeHours, type Anomaly, type DetectOptions, type HourJudgement } from './detect-anomalies.js';
import type { ResolvedDetectionOptions } from './options.js';

/** The identity of an open anomaly for de-duplication: one per skill, metric, method and direction. */
export interface OpenAnomalyKey {
  metric: Metric;
  /** −1: below the baseline (drops, downward shifts); +1: above. */
  direction: number;
  /** The hour that raised it: only a later hour can show it is over. */
  bucket: number;
}

export const directionOf = (anomaly: { score: number }): number => (anomaly.score < 0 ? -1 : 1);

/**
 * One step of the detector as it runs in production, once per hour: given the anomalies still
 * open and this hour's judgements, which open ones are back to normal and which new ones to
 * open (never a second one for an open metric and direction). Judging an hour again (a re-run
 * over past hours) resolves nothing that a later hour raised.
 */
export function stepAnomalies<T extends OpenAnomalyKey>(
  open: readonly T[],
  judged: HourJudgement,
  options: ResolvedDetectionOptions,
): { resolved: T[]; opened: Anomaly[] } {
  const resolved = open.filter(
    (anomaly) => anomaly.bucket < judged.bucket && backToNormal(judged, anomaly.metric, anomaly.direction, options),
  );
  const stillOpen = open.filter((anomaly) => !resolved.includes(anomaly));
  const opened = anomaliesOf(judged, options, (metric, direction) =>
    stillOpen.some((o) => o.metric === metric && o.direction === direction),
  );
  return { resolved, opened };
}

/** An anomaly as the hourly detector would have recorded it. */
export interface AnomalyEpisode extends Anomaly {
  /** When it was found: the end of its hour (the detector judges hours once they are over). */
  detectedAt: number;
  /** The end of the first hour at which its metric was back to normal; null if still open. */
  resolvedAt: number | null;
}

/**
 * Replay the detector over a past series as if it had run at the end of every hour from `since`
 * to `until`, each time on the data up to that hour only: the anomalies it would have opened, with
 * when they were resolved. This is how the quality figures in the README are measured, and how
 * the two methods can be compared on a skill's history.
 * @example replayAnomalies(series, { skill: 'pytest-run', since: Date.now() - 7 * 86_400_000 })
 */
export function replayAnomalies(series: readonly SeriesPoint[], options: DetectOptions = {}): AnomalyEpisode[] {
  const episodes: (AnomalyEpisode & OpenAnomalyKey)[] = [];
  let open: (AnomalyEpisode & OpenAnomalyKey)[] = [];
  judgeHours(series, options, (judged, ts, resolved) => {
    const step = stepAnomalies(open, judged, resolved);
    for (const episode of step.resolved) episode.resolvedAt = ts + HOUR_MS;
    open = open.filter((episode) => episode.resolvedAt === null);
    for (const anomaly of step.opened) {
      const episode = { ...anomaly, detectedAt: ts + HOUR_MS, resolvedAt: null, direction: directionOf(anomaly) };
      episodes.push(episode);
      open.push(episode);
    }
  });
  return episodes.map(({ direction: _direction, ...episode }): AnomalyEpisode => episode);
}
