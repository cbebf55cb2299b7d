import './style.css';
import { getJson, setTokenPrompt } from './api.js';
import { timeChart } from './charts.js';
import { pipelineReportView, pipelinesView } from './ci-view.js';
import { fill, h } from './dom.js';
import { forgetEarly, mainRequest, summaryRequest } from './early-requests.js';
import { formatTime } from './format.js';
import { openLiveFeed, type LiveStatus } from './live.js';
import { createLiveTail } from './live-tail.js';
import { anomalyList, experimentsView, totalsView, unusedView, userViewPanel } from './panels.js';
import { skillViewPanel } from './skill-view.js';
import { skillsTableView } from './skills-table.js';
import { filterParams, rangeParams, RANGES, readState, writeState, type PageState } from './state.js';
import type {
  Anomaly,
  CiPipelines,
  CiReport,
  Experiments,
  Filters,
  Invocation,
  SkillView,
  SkillsTable,
  Summary,
  Unused,
  UserView,
} from './types.js';

let state: PageState = readState(location.search);

// ---- layout -------------------------------------------------------------------------------
const status = h('span', { id: 'status', class: 'status connecting', role: 'status' }, 'connecting…');
const rangeButtons = h('div', { class: 'ranges', role: 'group', 'aria-label': 'Time range' });
const skillFilter = h('select', { id: 'filter-skill', 'aria-label': 'Skill' });
const phaseFilter = h('select', { id: 'filter-phase', 'aria-label': 'Workflow phase' });
const userFilter = h('select', { id: 'filter-user', 'aria-label': 'User' });
const rangeLabel = h('span', { id: 'range-label', class: 'muted' });
const totals = h('section', { id: 'totals', class: 'totals', 'aria-label': 'Totals' });
const content = h('div', { id: 'content' });
const anomalies = h('div', { id: 'anomalies' });
const tail = createLiveTail();
const unused = h('div', { id: 'unused' });
const experiments = h('div', { id: 'experiments' });
const recUser = h('select', { id: 'rec-user', 'aria-label': 'User for recommendations' });
const recommendations = h('div', { id: 'recommendations' });
const ciPipelines = h('div', { id: 'ci-pipelines' });
const ciReport = h('div', { id: 'ci-report' });
const errorBox = h('p', { id: 'error', class: 'error', role: 'alert', hidden: true });

const app = document.getElementById('app')!;
fill(
  app,
  h(
    'header',
    { class: 'top' },
    h('div', { class: 'brand' }, h('h1', {}, 'Skills Analytics'), status),
    h('div', { class: 'controls' }, rangeButtons, h('div', { class: 'filters' }, skillFilter, phaseFilter, userFilter), rangeLabel),
  ),
  errorBox,
  h(
    'main',
    {},
    totals,
    h(
      'div',
      { class: 'grid' },
      h('div', { class: 'primary' }, content),
      h(
        'aside',
        { class: 'side' },
        h('section', { 'aria-labelledby': 'anomalies-title' }, h('h2', { id: 'anomalies-title' }, 'Anomalies'), anomalies),
        h('section', { 'aria-labelledby': 'tail-title' }, h('h2', { id: 'tail-title' }, 'Live tail'), tail.element),
      ),
    ),
    h('section', { 'aria-labelledby': 'unused-title' }, h('h2', { id: 'unused-title' }, 'Never and rarely used skills'), unused),
    h('section', { 'aria-labelledby': 'experiments-title' }, h('h2', { id: 'experiments-title' }, 'Experiments'), experiments),
    h(
      'section',
      { 'aria-labelledby': 'rec-title' },
      h('div', { class: 'section-head' }, h('h2', { id: 'rec-title' }, 'Recommendations'), recUser),
      recommendations,
    ),
    h('section', { id: 'ci', 'aria-labelledby': 'ci-title' }, h('h2', { id: 'ci-title' }, 'CI pipelines'), ciPipelines, ciReport),
  ),
);

// ---- token dialog (auth on) -----------------------------------------------------------------
setTokenPrompt(
  (wrong) =>
    new Promise<string>((resolve) => {
      const input = h('input', { type: 'password', id: 'token-input', required: true, autocomplete: 'off', 'aria-label': 'Token' });
      const dialog = h(
        'dialog',
        { id: 'token-dialog' },
        h(
          'form',
          { method: 'dialog' },
          h('h2', {}, 'Token needed'),
          h(
            'p',
            {},
            wrong
              ? 'That token was refused. Enter a read token of this server:'
              : 'This server needs a read token. It is kept for this tab only.',
          ),
          input,
          h('button', { type: 'submit' }, 'Continue'),
        ),
      );
      dialog.addEventListener('close', () => {
        dialog.remove();
        resolve(input.value.trim());
      });
      document.body.appendChild(dialog);
      dialog.showModal();
    }),
);

// ---- state and navigation -------------------------------------------------------------------
type StateChange = { [K in keyof PageState]?: PageState[K] | undefined };

function setState(next: StateChange, replace = false): void {
  state = { ...state, ...next } as PageState;
  for (const key of Object.keys(next) as (keyof PageState)[]) if (next[key] === undefined) delete state[key];
  const url = writeState(state);
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  void refreshAll();
}

addEventListener('popstate', () => {
  state = readState(location.search);
  void refreshAll();
});

const openSkill = (skill: string) => {
  setState({ view: skill });
  scrollTo({ top: 0 });
};
const pickRange = (since: number, until: number) => setState({ range: 'custom', since, until });

function renderControls(): void {
  fill(
    rangeButtons,
    RANGES.map((range) =>
      h(
        'button',
        {
          type: 'button',
          'aria-pressed': String(state.range === range),
          onclick: () => setState({ range, since: undefined, until: undefined }),
        },
        range,
      ),
    ),
    state.range === 'custom'
      ? h('button', { type: 'button', 'aria-pressed': 'true', title: 'Dragged on a chart; pick another range to leave it' }, 'custom')
      : null,
  );
}

let filterOptions: Filters | null = null;
function renderFilters(): void {
  const options = (select: HTMLSelectElement, all: string, values: string[], current: string | undefined) => {
    const list = current !== undefined && !values.includes(current) ? [current, ...values] : values;
    fill(
      select,
      h('option', { value: '' }, all),
      list.map((value) => h('option', { value, selected: value === current }, value)),
    );
  };
  options(skillFilter, 'All skills', filterOptions?.skills ?? [], state.skill);
  options(phaseFilter, 'All phases', filterOptions?.phases ?? [], state.phase);
  const users = filterOptions?.users.map((u) => u.user_id) ?? [];
  options(userFilter, 'All users', users, state.user);
  options(recUser, 'Pick a user', users, state.rec);
}
skillFilter.addEventListener('change', () => setState({ skill: skillFilter.value || undefined }));
phaseFilter.addEventListener('change', () => setState({ phase: phaseFilter.value || undefined }));
userFilter.addEventListener('change', () => setState({ user: userFilter.value || undefined }));
recUser.addEventListener('change', () => setState({ rec: recUser.value || undefined }, true));

// ---- data -----------------------------------------------------------------------------------
function showError(error: unknown): void {
  errorBox.hidden = false;
  errorBox.textContent = `Could not load: ${error instanceof Error ? error.message : String(error)}`;
}

/** `first`: without the previous range (the first render waits for less); the change follows. */
async function loadSummary(first = false): Promise<void> {
  const summary = await getJson<Summary>(...summaryRequest(state, first));
  fill(totals, totalsView(summary));
  shownRange = { since: summary.since, until: summary.until };
  rangeLabel.textContent = `${formatTime(summary.since)} – ${formatTime(summary.until)}`;
  if (state.view === undefined) {
    const chart = document.getElementById('overview-chart');
    const next = h(
      'div',
      { id: 'overview-chart' },
      timeChart({
        title: 'Invocations',
        xs: summary.series.points.map((p) => p.ts),
        ys: summary.series.points.map((p) => p.invocations),
        kind: 'count',
        bars: true,
        bucketMs: summary.series.bucket_ms,
        onRange: pickRange,
      }),
    );
    if (chart) chart.replaceWith(next);
    else content.prepend(next);
  }
}

function bucketLabel(ms: number): string {
  return ms === 3_600_000 ? 'per hour' : ms === 86_400_000 ? 'per day' : `per ${ms / 3_600_000} h`;
}

/** `first`: the table without its trend directions (they follow). */
async function loadMain(first = false): Promise<void> {
  if (state.view !== undefined) {
    const view = await getJson<SkillView>(...mainRequest(state, first));
    fill(
      content,
      skillViewPanel(view, pickRange, () => setState({ view: undefined }), openSkill),
    );
    return;
  }
  const table = await getJson<SkillsTable>(...mainRequest(state, first));
  const existing = document.getElementById('overview-chart');
  fill(
    content,
    existing,
    h(
      'section',
      { 'aria-labelledby': 'skills-title' },
      h('h2', { id: 'skills-title' }, `Skills (${table.skills.length})`),
      skillsTableView({
        rows: table.skills,
        sort: state.sort,
        desc: state.desc,
        bucketLabel: bucketLabel(table.sparkline_bucket_ms),
        onSort: (sort, desc) => setState({ sort, desc }, true),
        onOpen: openSkill,
      }),
    ),
  );
}

async function loadAnomalies(): Promise<void> {
  const query: Record<string, string> = { ...rangeParams(state), limit: '200' };
  if (state.skill) query.skill = state.skill;
  const list = await getJson<{ anomalies: Anomaly[] }>('/v1/anomalies', query);
  fill(anomalies, anomalyList(list.anomalies, openSkill));
}

async function loadTail(): Promise<void> {
  const page = await getJson<{ items: Invocation[] }>('/v1/invocations', { ...filterParams(state), limit: '50' });
  tail.merge(page.items);
}

async function loadPanels(): Promise<void> {
  fill(unused, unusedView(await getJson<Unused>('/v1/dashboard/unused', rangeParams(state))));
  fill(experiments, experimentsView(await getJson<Experiments>('/v1/dashboard/experiments')));
  filterOptions = await getJson<Filters>('/v1/dashboard/filters', rangeParams(state));
  renderFilters();
  if (state.rec) fill(recommendations, userViewPanel(await getJson<UserView>(`/v1/dashboard/users/${encodeURIComponent(state.rec)}`)));
  else
    fill(
      recommendations,
      h(
        'p',
        { class: 'empty' },
        'Pick a user to see the skills similar users succeed with that they have not tried, and how they compare with everyone.',
      ),
    );
}

/** The CI view: the range's pipelines, and the report of the one picked (`?pipeline=`). */
async function loadCi(): Promise<void> {
  const list = await getJson<CiPipelines>('/v1/integrations/ci/pipelines', ciRange());
  const open = state.pipeline;
  fill(
    ciPipelines,
    pipelinesView(list, open, (pipeline) => setState({ pipeline: pipeline === state.pipeline ? undefined : pipeline }, true)),
  );
  if (open === undefined) fill(ciReport);
  else fill(ciReport, pipelineReportView(await getJson<CiReport>('/v1/integrations/ci/report', { ...ciRange(), pipeline: open })));
}

/** The integrations endpoints take since/until as durations or epoch ms, as the page's range. */
function ciRange(): Record<string, string> {
  const range = rangeParams(state);
  return shownRange === null ? range : { since: String(shownRange.since), until: String(shownRange.until) };
}

const FIRST_RENDER = 'skills-dashboard:first-render';
let generation = 0;
// biome-ignore lint/correctness/noUnusedVariables: holds the page's one live feed, opened by the first refresh
let feed: { close(): void } | null = null;

async function refreshAll(): Promise<void> {
  const mine = ++generation;
  renderControls();
  renderFilters();
  tail.setAccept(
    (row) =>
      (!state.skill || row.skill_name === state.skill) &&
      (!state.phase || row.workflow_phase === state.phase) &&
      (!state.user || row.user_id === state.user),
  );
  try {
    // Header and table first: the first meaningful render; the rest follows.
    const first = performance.getEntriesByName(FIRST_RENDER).length === 0;
    await Promise.all([loadSummary(first), loadMain(first)]);
    // What bench/dashboard.bench.mjs measures: totals and the skills table (or skill view) on screen.
    if (first) {
      performance.mark(FIRST_RENDER);
      forgetEarly();
    }
    if (mine !== generation) return;
    // With the previous range's totals and the trend directions, left out of the first render.
    await Promise.all([first ? loadSummary() : null, first ? loadMain() : null, loadAnomalies(), loadTail(), loadPanels(), loadCi()]);
    errorBox.hidden = true;
    feed ??= openLiveFeed({ onStatus: showStatus, onMessage, onReconnected: () => void refreshAll() });
  } catch (error) {
    showError(error);
  }
}

// ---- live -----------------------------------------------------------------------------------
function showStatus(live: LiveStatus, retryInMs?: number): void {
  status.className = `status ${live}`;
  status.textContent =
    live === 'live' ? 'live' : live === 'connecting' ? 'connecting…' : `disconnected — retrying in ${Math.ceil((retryInMs ?? 0) / 1000)} s`;
}

let refreshTimer: ReturnType<typeof setTimeout> | undefined;
let lastRefresh = 0;
let lastRefreshTook = 0;
/**
 * New invocations change the numbers: re-read them from the server, at most about once a second,
 * and never more often than twice the time the last re-read took (a big store is not kept busy).
 */
function scheduleRefresh(): void {
  if (refreshTimer !== undefined) return;
  const wait = Math.max(150, Math.max(1000, 2 * lastRefreshTook) - (Date.now() - lastRefresh));
  refreshTimer = setTimeout(() => {
    refreshTimer = undefined;
    lastRefresh = Date.now();
    void Promise.all([loadSummary(), loadMain(), loadCi()])
      .then(() => (lastRefreshTook = Date.now() - lastRefresh))
      .catch(showError);
  }, wait);
}

/** The range shown, as the server resolved it (hour-aligned), to tell whether new rows change its numbers. */
let shownRange: { since: number; until: number } | null = null;

function onMessage(type: string, data: unknown): void {
  if (type === 'invocations') {
    const rows = (data as { invocations: Invocation[] }).invocations;
    tail.push(rows);
    // A relative range moves with the clock; a dragged one only changes when rows land inside it.
    const inside =
      state.range !== 'custom' ||
      shownRange === null ||
      rows.some((row) => row.invoked_at >= shownRange!.since && row.invoked_at < shownRange!.until);
    if (inside) scheduleRefresh();
  } else if (type === 'invocations_dropped') {
    void loadTail().catch(showError);
    scheduleRefresh();
  } else if (type === 'anomalies') {
    void Promise.all([loadAnomalies(), loadSummary(), state.view !== undefined ? loadMain() : null]).catch(showError);
  }
}

// Charts take their colours from the theme: redraw when the system switches light/dark.
matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => void Promise.all([loadSummary(), loadMain()]).catch(showError));

void refreshAll();
