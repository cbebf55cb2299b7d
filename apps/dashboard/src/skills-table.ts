import { sparkline } from './charts.js';
import { h } from './dom.js';
import { formatCount, formatDuration, formatRate } from './format.js';
import type { SortKey } from './state.js';
import type { SkillRow } from './types.js';

/** `short`: the label at phone width, where the table has to fit 390 px without scrolling. */
const COLUMNS: { key: SortKey; label: string; short?: string; numeric: boolean }[] = [
  { key: 'skill_name', label: 'Skill', numeric: false },
  { key: 'invocations', label: 'Invocations', short: 'Runs', numeric: true },
  { key: 'completion_rate', label: 'Completion', short: 'Done', numeric: true },
  { key: 'errors', label: 'Errors', short: 'Err', numeric: true },
  { key: 'avg_duration_seconds', label: 'Avg', numeric: true },
  { key: 'p95_duration_seconds', label: 'p95', numeric: true },
  { key: 'trend', label: 'Trend', numeric: false },
];

const TREND: Record<NonNullable<SkillRow['trend']> | 'pending', { text: string; mark: string; rank: number }> = {
  pending: { text: 'reading…', mark: '…', rank: -1 },
  improving: { text: 'improving', mark: '▲', rank: 3 },
  stable: { text: 'stable', mark: '▬', rank: 2 },
  declining: { text: 'declining', mark: '▼', rank: 1 },
  insufficient_data: { text: 'too little data', mark: '·', rank: 0 },
};

function compare(a: SkillRow, b: SkillRow, key: SortKey): number {
  if (key === 'skill_name') return a.skill_name < b.skill_name ? -1 : a.skill_name > b.skill_name ? 1 : 0;
  if (key === 'trend') return TREND[a.trend ?? 'pending'].rank - TREND[b.trend ?? 'pending'].rank;
  return (a[key] ?? -1) - (b[key] ?? -1);
}

export interface SkillsTableOptions {
  rows: SkillRow[];
  sort: SortKey;
  desc: boolean;
  bucketLabel: string;
  onSort(key: SortKey, desc: boolean): void;
  onOpen(skill: string): void;
}

/** The sortable skills table; a row's name opens the skill's view. */
export function skillsTableView(options: SkillsTableOptions): HTMLElement {
  const rows = [...options.rows].sort(
    (a, b) => (options.desc ? -1 : 1) * compare(a, b, options.sort) || (a.skill_name < b.skill_name ? -1 : 1),
  );
  if (rows.length === 0) return h('p', { class: 'empty' }, 'No invocations in this range.');
  const head = h(
    'tr',
    {},
    COLUMNS.map((column) => {
      const active = column.key === options.sort;
      return h(
        'th',
        { scope: 'col', class: column.numeric ? 'num' : '', 'aria-sort': active ? (options.desc ? 'descending' : 'ascending') : 'none' },
        h(
          'button',
          {
            type: 'button',
            class: 'sort',
            onclick: () => options.onSort(column.key, active ? !options.desc : column.key !== 'skill_name'),
          },
          column.short === undefined
            ? column.label
            : [h('span', { class: 'long' }, column.label), h('span', { class: 'short', 'aria-hidden': 'true' }, column.short)],
          active ? (options.desc ? ' ↓' : ' ↑') : '',
        ),
      );
    }),
    h('th', { scope: 'col', class: 'spark-col' }, `Volume (${options.bucketLabel})`),
  );
  const body = rows.map((row) =>
    h(
      'tr',
      {
        'data-skill': row.skill_name,
        onclick: (event: Event) => (event.target as HTMLElement).closest('button') === null && options.onOpen(row.skill_name),
      },
      h(
        'th',
        { scope: 'row' },
        h('button', { type: 'button', class: 'link', onclick: () => options.onOpen(row.skill_name) }, row.skill_name),
      ),
      h('td', { class: 'num', 'data-col': 'invocations', 'data-value': row.invocations }, formatCount(row.invocations)),
      h('td', { class: 'num', 'data-col': 'completion_rate', 'data-value': row.completion_rate }, formatRate(row.completion_rate)),
      h('td', { class: 'num', 'data-col': 'errors', 'data-value': row.errors }, formatCount(row.errors)),
      h(
        'td',
        { class: 'num', 'data-col': 'avg_duration_seconds', 'data-value': row.avg_duration_seconds ?? '' },
        formatDuration(row.avg_duration_seconds),
      ),
      h(
        'td',
        { class: 'num', 'data-col': 'p95_duration_seconds', 'data-value': row.p95_duration_seconds ?? '' },
        formatDuration(row.p95_duration_seconds),
      ),
      h(
        'td',
        { class: `trend ${row.trend ?? 'pending'}`, 'data-col': 'trend', 'data-value': row.trend ?? '' },
        h('span', { 'aria-hidden': 'true' }, TREND[row.trend ?? 'pending'].mark),
        h('span', { class: 'long' }, ` ${TREND[row.trend ?? 'pending'].text}`),
      ),
      h('td', { class: 'spark-col' }, sparkline(row.sparkline, `invocations of ${row.skill_name} over the range`)),
    ),
  );
  return h('div', { class: 'scroll' }, h('table', { class: 'skills' }, h('thead', {}, head), h('tbody', {}, body)));
}
