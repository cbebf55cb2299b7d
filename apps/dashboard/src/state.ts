/** The page's state, kept in the URL so a view can be shared and reloaded. */
export const RANGES = ['1h', '24h', '7d', '30d'] as const;
export type RangeName = (typeof RANGES)[number];

export type SortKey =
  | 'skill_name'
  | 'invocations'
  | 'completion_rate'
  | 'errors'
  | 'avg_duration_seconds'
  | 'p95_duration_seconds'
  | 'trend';

export interface PageState {
  range: RangeName | 'custom';
  /** Epoch ms, for a range dragged on a chart. */
  since?: number;
  until?: number;
  skill?: string;
  phase?: string;
  user?: string;
  /** The skill whose view is open. */
  view?: string;
  sort: SortKey;
  desc: boolean;
  /** The user picked in Recommendations. */
  rec?: string;
  /** The CI pipeline whose report is open. */
  pipeline?: string;
}

const SORTS: readonly SortKey[] = [
  'skill_name',
  'invocations',
  'completion_rate',
  'errors',
  'avg_duration_seconds',
  'p95_duration_seconds',
  'trend',
];

export function readState(search: string): PageState {
  const params = new URLSearchParams(search);
  const since = Number(params.get('since'));
  const until = Number(params.get('until'));
  const range = params.get('range');
  const state: PageState = { range: '24h', sort: 'invocations', desc: true };
  if (Number.isInteger(since) && Number.isInteger(until) && since > 0 && until > since)
    Object.assign(state, { range: 'custom', since, until });
  else if (RANGES.includes(range as RangeName)) state.range = range as RangeName;
  for (const key of ['skill', 'phase', 'user', 'view', 'rec', 'pipeline'] as const) {
    const value = params.get(key);
    if (value) state[key] = value;
  }
  const sort = params.get('sort');
  if (SORTS.includes(sort as SortKey)) state.sort = sort as SortKey;
  if (params.get('dir') === 'asc') state.desc = false;
  return state;
}

export function writeState(state: PageState): string {
  const params = new URLSearchParams();
  if (state.range === 'custom' && state.since !== undefined && state.until !== undefined) {
    params.set('since', String(state.since));
    params.set('until', String(state.until));
  } else if (state.range !== '24h') params.set('range', state.range);
  for (const key of ['skill', 'phase', 'user', 'view', 'rec', 'pipeline'] as const) if (state[key]) params.set(key, state[key]);
  if (state.sort !== 'invocations') params.set('sort', state.sort);
  if (!state.desc) params.set('dir', 'asc');
  const text = params.toString();
  return text === '' ? location.pathname : `?${text}`;
}

/** since/until query parameters of the API for the state's range. */
export function rangeParams(state: PageState): Record<string, string> {
  if (state.range === 'custom' && state.since !== undefined && state.until !== undefined)
    return { since: String(state.since), until: String(state.until) };
  return { since: state.range };
}

export function filterParams(state: PageState): Record<string, string> {
  const params: Record<string, string> = {};
  if (state.skill) params.skill = state.skill;
  if (state.phase) params.phase = state.phase;
  if (state.user) params.user = state.user;
  return params;
}
