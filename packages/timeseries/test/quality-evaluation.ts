/**
 * How the quality figures are measured (README "Quality"): replay the hourly detector over the
 * synthetic fixture, each hour on the data up to that hour only, and compare what it opened with
 * the incidents the generator injected.
 *
 * Definitions:
 * - evaluated: the hours from `evaluateFrom` (after a 7-day warm-up that only serves as history)
 *   to the end; an incident is evaluated when it starts in them;
 * - found: the detector opened an anomaly on the incident's skill, in the incident's metric and
 *   direction (success_drop → completion rate down, volume_spike → volume up,
 *   latency_regression → duration up), whose bucket lies in [start, start + 2 h];
 * - explained: an anomaly on the incident's skill and metric in [start, end + 3 h] (recovery), or
 *   a volume drop of another skill during a volume spike (the generator gives the spiking skill
 *   the other skills' traffic, so their volume really falls);
 * - false alarm: every other anomaly opened in the evaluated hours;
 * - skill-days: skills × evaluated days.
 */
import { readFileSync } from 'node:fs';
import type { Metric } from '../src/metrics.js';
import { replayAnomalies, type AnomalyEpisode } from '../src/anomalies/replay-anomalies.js';
import type { DetectionOptions } from '../src/anomalies/options.js';
import type { SeriesPoint } from '../src/series.js';

const HOUR = 3_600_000;
export const FOUND_WITHIN_MS = 2 * HOUR;
export const RECOVERY_MS = 3 * HOUR;

export interface FixtureIncident {
  skill: string;
  kind: 'success_drop' | 'volume_spike' | 'latency_regression';
  start: number;
  end: number;
  magnitude: number;
}

export interface Fixture {
  start: number;
  hours: number;
  evaluateFrom: number;
  incidents: FixtureIncident[];
  skills: { name: string; count: number[]; completed: number[]; untimed: number[]; avgDuration: (number | null)[] }[];
}

export function loadFixture(path: string | URL): Fixture {
  return JSON.parse(readFileSync(path, 'utf8')) as Fixture;
}

/** A skill's hours as the store returns them: only hours with invocations. */
export function fixtureSeries(fixture: Fixture, skill: Fixture['skills'][number]): SeriesPoint[] {
  const points: SeriesPoint[] = [];
  for (let h = 0; h < fixture.hours; h++) {
    const count = skill.count[h] as number;
    if (count === 0) continue;
    const completed = skill.completed[h] as number;
    points.push({
      ts: fixture.start + h * HOUR,
      count,
      completed,
      avgDuration: skill.avgDuration[h] ?? null,
      durationCount: completed - (skill.untimed[h] as number),
    });
  }
  return points;
}

const METRIC_OF: Record<FixtureIncident['kind'], { metric: Metric; direction: number }> = {
  success_drop: { metric: 'completion_rate', direction: -1 },
  volume_spike: { metric: 'invocation_count', direction: 1 },
  latency_regression: { metric: 'avg_duration_seconds', direction: 1 },
};

export interface IncidentResult extends FixtureIncident {
  tier: 'head' | 'middle' | 'tail';
  found: boolean;
  /** Hours from the incident's start to the bucket of the first matching anomaly. */
  delayHours: number | null;
}

export interface QualityReport {
  incidents: IncidentResult[];
  found: number;
  foundShare: number;
  anomalies: number;
  explained: number;
  collateral: number;
  falseAlarms: AnomalyEpisode[];
  skillDays: number;
  falseAlarmsPer10SkillDays: number;
}

/** Replay `options` over every skill of the fixture and score it against the injected incidents. */
export function evaluateQuality(fixture: Fixture, options: DetectionOptions = {}): QualityReport {
  const end = fixture.start + fixture.hours * HOUR;
  const totals = fixture.skills.map((skill) => ({ name: skill.name, total: skill.count.reduce((a, b) => a + b, 0) }));
  totals.sort((a, b) => b.total - a.total);
  const headEnd = Math.ceil(totals.length * 0.1);
  const middleEnd = Math.ceil(totals.length * 0.5);
  const tierOf = (name: string) => {
    const rank = totals.findIndex((t) => t.name === name);
    return rank < headEnd ? 'head' : rank < middleEnd ? 'middle' : 'tail';
  };

  const episodes: AnomalyEpisode[] = [];
  for (const skill of fixture.skills) {
    episodes.push(
      ...replayAnomalies(fixtureSeries(fixture, skill), { ...options, skill: skill.name, since: fixture.evaluateFrom, until: end }),
    );
  }
  const direction = (a: AnomalyEpisode) => (a.score < 0 ? -1 : 1);
  const evaluated = fixture.incidents.filter(
    (incident) => incident.start >= fixture.evaluateFrom && incident.start + FOUND_WITHIN_MS < end,
  );
  const incidents = evaluated.map((incident): IncidentResult => {
    const { metric, direction: wanted } = METRIC_OF[incident.kind];
    const matches = episodes.filter(
      (a) =>
        a.skill === incident.skill &&
        a.metric === metric &&
        direction(a) === wanted &&
        a.bucket >= incident.start &&
        a.bucket <= incident.start + FOUND_WITHIN_MS,
    );
    const first = matches.reduce<number | null>((min, a) => (min === null || a.bucket < min ? a.bucket : min), null);
    return {
      ...incident,
      tier: tierOf(incident.skill),
      found: first !== null,
      delayHours: first === null ? null : (first - incident.start) / HOUR,
    };
  });
  let explained = 0;
  let collateral = 0;
  const falseAlarms: AnomalyEpisode[] = [];
  for (const a of episodes) {
    const own = fixture.incidents.some(
      (i) => i.skill === a.skill && METRIC_OF[i.kind].metric === a.metric && a.bucket >= i.start && a.bucket < i.end + RECOVERY_MS,
    );
    const spillover =
      a.metric === 'invocation_count' &&
      direction(a) < 0 &&
      fixture.incidents.some(
        (i) => i.kind === 'volume_spike' && i.skill !== a.skill && a.bucket >= i.start && a.bucket < i.end + RECOVERY_MS,
      );
    if (own) explained += 1;
    else if (spillover) collateral += 1;
    else falseAlarms.push(a);
  }
  const skillDays = (fixture.skills.length * (end - fixture.evaluateFrom)) / (24 * HOUR);
  const found = incidents.filter((i) => i.found).length;
  return {
    incidents,
    found,
    foundShare: found / incidents.length,
    anomalies: episodes.length,
    explained,
    collateral,
    falseAlarms,
    skillDays,
    falseAlarmsPer10SkillDays: (falseAlarms.length / skillDays) * 10,
  };
}
