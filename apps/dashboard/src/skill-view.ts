import { timeChart, type ChartMarker } from './charts.js';
import { h } from './dom.js';
import { formatCount, formatDuration, formatRate } from './format.js';
import { anomalyList } from './panels.js';
import type { Anomaly, SkillView } from './types.js';

const CHART_METRIC = { volume: 'invocation_count', rate: 'completion_rate', duration: 'avg_duration_seconds' } as const;

function markersOf(anomalies: Anomaly[], metric: Anomaly['metric']): ChartMarker[] {
  return anomalies.map((a) => ({ id: a.id, ts: a.bucket, label: `${a.skill}: ${a.reason}`, strong: a.metric === metric }));
}

/** One skill over the range: three charts with anomalies marked, errors, trend, dependencies, baseline. */
export function skillViewPanel(
  view: SkillView,
  onRange: (since: number, until: number) => void,
  onBack: () => void,
  openSkill: (skill: string) => void,
): HTMLElement {
  const xs = view.hours.map((p) => p.ts);
  const baseline = view.community_baseline;
  return h(
    'section',
    { class: 'skill-view', id: 'skill-view', 'data-skill': view.skill_name, 'aria-label': `Skill ${view.skill_name}` },
    h(
      'div',
      { class: 'section-head start' },
      h('button', { type: 'button', class: 'back', onclick: onBack }, '← All skills'),
      h('h2', { class: 'skill-title' }, view.skill_name),
    ),
    h('p', { class: 'trend-summary', 'data-direction': view.trend.direction }, h('strong', {}, 'Trend: '), view.trend.summary),
    h(
      'div',
      { class: 'charts' },
      timeChart({
        title: 'Invocations per hour',
        xs,
        ys: view.hours.map((p) => p.invocations),
        kind: 'count',
        bars: true,
        markers: markersOf(view.anomalies, CHART_METRIC.volume),
        onRange,
      }),
      timeChart({
        title: 'Completion rate',
        xs,
        ys: view.hours.map((p) => p.completion_rate),
        kind: 'rate',
        markers: markersOf(view.anomalies, CHART_METRIC.rate),
        onRange,
      }),
      timeChart({
        title: 'p95 duration',
        xs,
        ys: view.hours.map((p) => p.p95_duration_seconds),
        kind: 'duration',
        markers: markersOf(view.anomalies, CHART_METRIC.duration),
        onRange,
      }),
    ),
    h(
      'div',
      { class: 'columns' },
      h(
        'div',
        {},
        h('h3', {}, 'Top error types'),
        view.top_errors.length === 0
          ? h('p', { class: 'empty' }, 'No errors recorded in this range.')
          : h(
              'ul',
              { class: 'plain', id: 'top-errors' },
              view.top_errors.map((e) => h('li', {}, h('code', {}, e.error_type), ` ${formatCount(e.count)}`)),
            ),
        h('h3', {}, 'Goes with'),
        view.dependencies.length === 0
          ? h('p', { class: 'empty' }, 'No skills found together with it yet.')
          : h(
              'ul',
              { class: 'plain', id: 'dependencies' },
              view.dependencies.map((d) =>
                h(
                  'li',
                  {},
                  h('button', { type: 'button', class: 'link', onclick: () => openSkill(d.partner) }, d.partner),
                  h(
                    'span',
                    { class: 'muted' },
                    ` lift ${d.lift.toFixed(1)}×${d.source === 'declared' ? ' (declared)' : ` · ${formatCount(d.sessions)} sessions`}`,
                  ),
                ),
              ),
            ),
      ),
      h(
        'div',
        {},
        h('h3', {}, 'Community baseline'),
        baseline === null
          ? h('p', { class: 'empty' }, 'Not available (the server has no user-pseudonym secret).')
          : h(
              'dl',
              { class: 'facts', id: 'baseline' },
              h('dt', {}, 'Completion rate, all users'),
              h('dd', {}, formatRate(baseline.completionRate)),
              h('dt', {}, 'Average duration'),
              h('dd', {}, formatDuration(baseline.avgDurationSeconds)),
              h('dt', {}, 'Users'),
              h('dd', {}, formatCount(baseline.totalUsers)),
              h('dt', {}, 'Invocations, all time'),
              h('dd', {}, formatCount(baseline.totalInvocations)),
              h('dt', {}, 'Better than'),
              h('dd', {}, `${baseline.effectivenessPercentile.toFixed(0)} % of skills`),
              h('dt', {}, 'Usual phase'),
              h('dd', {}, baseline.mostCommonPhase ?? '–'),
            ),
        h('h3', {}, `Anomalies of ${view.skill_name}`),
        anomalyList(view.anomalies, openSkill),
      ),
    ),
  );
}
