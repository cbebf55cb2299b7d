import { h } from './dom.js';
import { formatCount, formatDuration, formatRate, formatTime } from './format.js';
import type { CiPipelines, CiReport } from './types.js';

/** The pipelines of the range (GET /v1/integrations/ci/pipelines); a pipeline's button opens its report. */
export function pipelinesView(data: CiPipelines, open: string | undefined, onOpen: (pipeline: string) => void): HTMLElement {
  if (data.pipelines.length === 0)
    return h('p', { class: 'empty' }, 'No CI pipeline ran in this range (POST /v1/integrations/github, /gitlab or /ci).');
  return h(
    'div',
    { class: 'scroll' },
    h(
      'table',
      { class: 'pipelines' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Pipeline', 'Provider', 'Runs', 'Jobs', 'Success', 'Last run'].map((t, i) =>
            h('th', { scope: 'col', class: i >= 2 && i <= 4 ? 'num' : '' }, t),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        data.pipelines.map((p) =>
          h(
            'tr',
            { 'data-pipeline': p.pipeline, class: p.pipeline === open ? 'selected' : '' },
            h(
              'th',
              { scope: 'row' },
              h(
                'button',
                { type: 'button', class: 'link', 'aria-pressed': String(p.pipeline === open), onclick: () => onOpen(p.pipeline) },
                p.pipeline,
              ),
            ),
            h('td', { 'data-col': 'provider' }, p.provider),
            h('td', { class: 'num', 'data-col': 'runs', 'data-value': p.runs }, formatCount(p.runs)),
            h('td', { class: 'num', 'data-col': 'jobs', 'data-value': p.jobs }, formatCount(p.jobs)),
            h('td', { class: 'num', 'data-col': 'success_rate', 'data-value': p.success_rate ?? '' }, formatRate(p.success_rate)),
            h('td', { 'data-col': 'last_run_at' }, formatTime(p.last_run_at)),
          ),
        ),
      ),
    ),
  );
}

/** One pipeline's report (GET /v1/integrations/ci/report): stage success rates, bottlenecks, flaky steps, recommendations. */
export function pipelineReportView(report: CiReport): HTMLElement {
  const failures = (counts: Record<string, number>) =>
    Object.entries(counts)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .map(([reason, n]) => `${reason} ×${n}`)
      .join(', ') || '–';
  return h(
    'article',
    { class: 'ci-report', 'data-pipeline': report.pipeline },
    h(
      'h3',
      { class: 'ci-title' },
      `Report: ${report.pipeline}`,
      report.repository ? h('span', { class: 'muted' }, ` · ${report.repository}`) : null,
    ),
    h(
      'p',
      { class: 'ci-overall' },
      `${formatCount(report.runs)} runs, ${formatCount(report.jobs)} jobs, `,
      h('strong', { 'data-value': report.overall_success_rate ?? '' }, formatRate(report.overall_success_rate)),
      ' of jobs succeeded',
      report.pipeline_runs
        ? ` · pipeline runs ${formatCount(report.pipeline_runs.successful)} of ${formatCount(report.pipeline_runs.total)} (${formatRate(report.pipeline_runs.success_rate)})`
        : '',
    ),
    h('h4', {}, 'Stages'),
    h(
      'div',
      { class: 'scroll' },
      h(
        'table',
        { class: 'ci-stages' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Stage', 'Phase', 'Runs', 'Success', 'Avg (successful)', 'Jobs', 'Failures'].map((t, i) =>
              h('th', { scope: 'col', class: i >= 2 && i <= 4 ? 'num' : '' }, t),
            ),
          ),
        ),
        h(
          'tbody',
          {},
          report.stages.map((s) =>
            h(
              'tr',
              { 'data-stage': s.stage },
              h('th', { scope: 'row' }, s.stage),
              h('td', { 'data-col': 'phase' }, s.workflow_phase ?? '–'),
              h(
                'td',
                { class: 'num', 'data-col': 'runs', 'data-value': s.total_runs },
                `${formatCount(s.successful_runs)} / ${formatCount(s.total_runs)}`,
              ),
              h(
                'td',
                { class: `num ${s.success_rate < 0.8 ? 'bad' : ''}`, 'data-col': 'success_rate', 'data-value': s.success_rate },
                formatRate(s.success_rate),
              ),
              h('td', { class: 'num', 'data-col': 'avg_duration_seconds' }, formatDuration(s.avg_duration_seconds)),
              h('td', { class: 'wrap', 'data-col': 'skills' }, s.skills_used.join(', ')),
              h('td', { class: 'wrap', 'data-col': 'failures' }, failures(s.common_failures)),
            ),
          ),
        ),
      ),
    ),
    h(
      'div',
      { class: 'columns' },
      h(
        'div',
        { id: 'ci-bottlenecks' },
        h('h4', {}, 'Bottlenecks (stages under 80 % success)'),
        report.bottlenecks.length === 0
          ? h('p', { class: 'empty' }, 'None.')
          : h(
              'ul',
              { class: 'plain' },
              report.bottlenecks.map((b) =>
                h(
                  'li',
                  { 'data-stage': b.stage },
                  h('span', { class: `badge ${b.severity === 'high' ? 'bad' : 'warn'}` }, b.severity),
                  ' ',
                  h('strong', {}, b.stage),
                  ` ${formatRate(b.success_rate)} success, ${b.avg_duration_seconds === null ? 'no successful run' : `${formatDuration(b.avg_duration_seconds)} average`}`,
                ),
              ),
            ),
      ),
      h(
        'div',
        { id: 'ci-flaky' },
        h('h4', {}, 'Flaky steps (failed, then passed on a retry of the same commit)'),
        report.flaky_steps.length === 0
          ? h('p', { class: 'empty' }, 'None.')
          : h(
              'ul',
              { class: 'plain' },
              report.flaky_steps.map((f) =>
                h(
                  'li',
                  { 'data-step': f.name },
                  h('strong', {}, f.name),
                  h(
                    'span',
                    { class: 'muted' },
                    ` ${f.stage ?? ''} · on ${formatCount(f.commits)} commit${f.commits === 1 ? '' : 's'}; latest ${f.latest.commit.slice(0, 10)}: ${f.latest.failures} failed attempt${f.latest.failures === 1 ? '' : 's'}, passed ${formatTime(f.latest.passed_at)}`,
                  ),
                ),
              ),
            ),
      ),
    ),
    h('h4', {}, 'Recommendations'),
    report.recommendations.length === 0
      ? h('p', { class: 'empty' }, 'None.')
      : h(
          'ul',
          { class: 'plain', id: 'ci-recommendations' },
          report.recommendations.map((r) =>
            h(
              'li',
              { 'data-stage': r.stage, 'data-priority': r.priority },
              h('span', { class: `badge ${r.priority === 'high' ? 'bad' : r.priority === 'medium' ? 'warn' : ''}` }, r.priority),
              ` ${r.message}`,
            ),
          ),
        ),
  );
}
