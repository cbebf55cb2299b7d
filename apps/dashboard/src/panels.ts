import { h } from './dom.js';
import { formatChange, formatCount, formatDuration, formatPoints, formatRate, formatTime } from './format.js';
import type { Anomaly, Experiments, Summary, Unused, UserView } from './types.js';

/** The header's totals, each with its change against the previous range. */
export function totalsView(summary: Summary): HTMLElement[] {
  const { current, change } = summary;
  const card = (key: string, label: string, value: string, raw: number | null, delta: string, good: boolean | null) =>
    h(
      'div',
      { class: 'total', 'data-total': key },
      h('span', { class: 'label' }, label),
      h('span', { class: 'value', 'data-value': raw === null ? '' : String(raw) }, value),
      h('span', { class: `delta ${good === null ? '' : good ? 'up' : 'down'}` }, delta),
    );
  const sign = (x: number | null, higherIsBetter: boolean) => (x === null || x === 0 ? null : x > 0 === higherIsBetter);
  if (change === null) {
    // The first render asks without the previous range; its change follows a moment later.
    const pending = '…';
    return [
      card('invocations', 'Invocations', formatCount(current.invocations), current.invocations, pending, null),
      card('completion_rate', 'Completion rate', formatRate(current.completion_rate), current.completion_rate, pending, null),
      card(
        'p95_duration_seconds',
        'p95 duration',
        formatDuration(current.p95_duration_seconds),
        current.p95_duration_seconds,
        pending,
        null,
      ),
      card('active_sessions', 'Active sessions', formatCount(current.active_sessions), current.active_sessions, pending, null),
      card('open_anomalies', 'Open anomalies', formatCount(current.open_anomalies), current.open_anomalies, pending, null),
    ];
  }
  return [
    card('invocations', 'Invocations', formatCount(current.invocations), current.invocations, formatChange(change.invocations), null),
    card(
      'completion_rate',
      'Completion rate',
      formatRate(current.completion_rate),
      current.completion_rate,
      formatPoints(change.completion_rate),
      sign(change.completion_rate, true),
    ),
    card(
      'p95_duration_seconds',
      'p95 duration',
      formatDuration(current.p95_duration_seconds),
      current.p95_duration_seconds,
      formatChange(change.p95_duration_seconds),
      sign(change.p95_duration_seconds, false),
    ),
    card(
      'active_sessions',
      'Active sessions',
      formatCount(current.active_sessions),
      current.active_sessions,
      formatChange(change.active_sessions),
      null,
    ),
    card(
      'open_anomalies',
      'Open anomalies',
      formatCount(current.open_anomalies),
      current.open_anomalies,
      `${change.open_anomalies >= 0 ? '+' : '−'}${Math.abs(change.open_anomalies)} vs previous`,
      sign(change.open_anomalies, false),
    ),
  ];
}

const METRIC_NAMES: Record<string, string> = {
  completion_rate: 'completion rate',
  invocation_count: 'volume',
  avg_duration_seconds: 'duration',
};

/** Anomalies, open first, each with its reason sentence. */
export function anomalyList(anomalies: Anomaly[], openSkill: (skill: string) => void): HTMLElement {
  if (anomalies.length === 0) return h('p', { class: 'empty' }, 'No anomalies in this range.');
  const sorted = [...anomalies].sort((a, b) => Number(a.resolvedAt !== null) - Number(b.resolvedAt !== null) || b.bucket - a.bucket);
  return h(
    'ul',
    { class: 'anomalies' },
    sorted.map((a) =>
      h(
        'li',
        { 'data-anomaly-id': a.id, class: a.resolvedAt === null ? 'open' : 'resolved' },
        h(
          'div',
          { class: 'row' },
          h('button', { class: 'link', type: 'button', onclick: () => openSkill(a.skill) }, a.skill),
          h('span', { class: `badge ${a.resolvedAt === null ? 'bad' : ''}` }, a.resolvedAt === null ? 'open' : 'resolved'),
          h('span', { class: 'muted' }, `${a.type.replace('_', ' ')} · ${METRIC_NAMES[a.metric] ?? a.metric} · ${formatTime(a.bucket)}`),
        ),
        h('p', { class: 'reason' }, a.reason),
      ),
    ),
  );
}

export function unusedView(unused: Unused): HTMLElement {
  const list = (rows: Unused['never'], empty: string) =>
    rows.length === 0
      ? h('p', { class: 'empty' }, empty)
      : h(
          'ul',
          { class: 'plain' },
          rows.map((row) =>
            h(
              'li',
              { 'data-skill': row.skill_name },
              h('strong', {}, row.skill_name),
              h(
                'span',
                { class: 'muted' },
                ` ${row.invocations > 0 ? `${formatCount(row.invocations)} in range · ` : ''}${row.last_invoked === null ? 'never invoked' : `last ${formatTime(row.last_invoked)}`}${row.categories.length > 0 ? ` · ${row.categories.join(', ')}` : ''}`,
              ),
            ),
          ),
        );
  return h(
    'div',
    { class: 'columns' },
    h(
      'div',
      { id: 'never-used' },
      h('h3', {}, `Never used (${unused.never.length} of ${unused.known_skills} known)`),
      list(unused.never, 'Every known skill was used in this range.'),
    ),
    h(
      'div',
      { id: 'rarely-used' },
      h('h3', {}, `Rarely used (fewer than ${unused.rare_below})`),
      list(unused.rarely, 'No skill was rarely used.'),
    ),
  );
}

const VERDICTS: Record<string, string> = {
  treatment_wins: 'treatment wins',
  control_wins: 'control wins',
  no_difference: 'no difference',
  keep_running: 'keep running',
  invalid_srm: 'invalid: sample ratio mismatch',
};

export function experimentsView(data: Experiments): HTMLElement {
  if (data.experiments.length === 0) return h('p', { class: 'empty' }, 'No running experiments.');
  return h(
    'div',
    { class: 'experiments' },
    data.experiments.map(({ experiment, analysis }) => {
      const comparison = (variant: string) =>
        analysis.comparisons.find((c) => c.variant === variant && c.metric === analysis.primaryMetric);
      return h(
        'article',
        { class: 'experiment', 'data-experiment': experiment.name },
        h(
          'h3',
          {},
          experiment.name,
          ' ',
          h('span', { class: 'badge' }, experiment.status),
          ' ',
          h(
            'span',
            { class: `badge srm ${analysis.srm.mismatch ? 'bad' : 'ok'}`, 'data-value': String(analysis.srm.mismatch) },
            analysis.srm.mismatch ? 'SRM: mismatch' : 'SRM: ok',
          ),
        ),
        h(
          'p',
          { class: 'verdict', 'data-value': analysis.verdict },
          h('strong', {}, VERDICTS[analysis.verdict] ?? analysis.verdict),
          ` — ${analysis.reason}`,
        ),
        h(
          'div',
          { class: 'scroll' },
          h(
            'table',
            {},
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                [
                  'Variant',
                  'Users',
                  'Completion rate',
                  `Lift (${analysis.primaryMetric.replace('_', ' ')})`,
                  '95 % interval',
                  'Chance to beat control',
                ].map((t) => h('th', { scope: 'col' }, t)),
              ),
            ),
            h(
              'tbody',
              {},
              analysis.variants.map((v, i) => {
                const c = comparison(v.name);
                return h(
                  'tr',
                  { 'data-variant': v.name },
                  h('th', { scope: 'row' }, v.name, i === 0 ? h('span', { class: 'muted' }, ' (control)') : null),
                  h('td', { class: 'num', 'data-col': 'users' }, formatCount(v.assigned)),
                  h(
                    'td',
                    { class: 'num', 'data-col': 'completion_rate' },
                    `${formatRate(v.completionRate)} (${formatRate(v.completionRateInterval.lower)}–${formatRate(v.completionRateInterval.upper)})`,
                  ),
                  h('td', { class: 'num', 'data-col': 'lift' }, c ? formatChange(c.relativeLift) : '–'),
                  h(
                    'td',
                    { class: 'num', 'data-col': 'lift_interval' },
                    c ? `${formatChange(c.relativeLiftInterval.lower)} to ${formatChange(c.relativeLiftInterval.upper)}` : '–',
                  ),
                  h('td', { class: 'num', 'data-col': 'chance' }, c?.bayesian ? formatRate(c.bayesian.chanceToBeatControl) : '–'),
                );
              }),
            ),
          ),
        ),
      );
    }),
  );
}

export function userViewPanel(view: UserView): HTMLElement {
  return h(
    'div',
    { class: 'columns' },
    h(
      'div',
      { id: 'recommended' },
      h('h3', {}, `Skills ${view.user} has not tried`),
      view.recommendations.length === 0
        ? h('p', { class: 'empty' }, 'Nothing to recommend yet.')
        : h(
            'ol',
            { class: 'plain' },
            view.recommendations.map((r) =>
              h('li', { 'data-skill': r.skill }, h('strong', {}, r.skill), h('span', { class: 'muted reason' }, ` ${r.reason}`)),
            ),
          ),
    ),
    h(
      'div',
      { id: 'community' },
      h('h3', {}, `${view.user} against the community`),
      view.community.length === 0
        ? h('p', { class: 'empty' }, 'No invocations of this user yet.')
        : h(
            'div',
            { class: 'scroll' },
            h(
              'table',
              {},
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  ['Skill', 'Runs', 'User', 'Others', 'Verdict'].map((t) => h('th', { scope: 'col' }, t)),
                ),
              ),
              h(
                'tbody',
                {},
                view.community.map((c) =>
                  h(
                    'tr',
                    { 'data-skill': c.skill },
                    h('th', { scope: 'row' }, c.skill),
                    h('td', { class: 'num', 'data-col': 'runs' }, formatCount(c.userInvocations)),
                    h('td', { class: 'num', 'data-col': 'user_rate' }, formatRate(c.userRate)),
                    h('td', { class: 'num', 'data-col': 'global_rate' }, formatRate(c.globalRate)),
                    h(
                      'td',
                      { class: `verdict ${c.verdict}`, 'data-col': 'verdict', 'data-value': c.verdict },
                      c.verdict === 'indistinguishable' ? 'about the same' : c.verdict,
                    ),
                  ),
                ),
              ),
            ),
          ),
    ),
  );
}
