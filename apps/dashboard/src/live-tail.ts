import { h } from './dom.js';
import { formatClock, formatDuration } from './format.js';
import type { Invocation } from './types.js';

const MAX_ROWS = 200;

/** The live tail: newest first, pause/resume, a text filter. */
export function createLiveTail() {
  const rows: Invocation[] = [];
  const seen = new Set<string>();
  let buffered: Invocation[] = [];
  let paused = false;
  let text = '';
  let accept: (row: Invocation) => boolean = () => true;

  const list = h('ol', { class: 'tail', id: 'tail', 'aria-live': 'polite' });
  const pending = h('span', { class: 'muted', id: 'tail-pending' });
  const pause = h('button', { type: 'button', id: 'tail-pause', 'aria-pressed': 'false' }, 'Pause');
  const filter = h('input', {
    type: 'search',
    id: 'tail-filter',
    placeholder: 'Filter: skill, user, session, error',
    'aria-label': 'Filter the live tail',
  });

  const matches = (row: Invocation) => {
    if (text === '') return true;
    return [row.skill_name, row.user_id, row.session_id, row.workflow_phase, row.error_type].some((v) => v?.toLowerCase().includes(text));
  };
  const render = () => {
    list.replaceChildren(
      ...rows
        .filter(matches)
        .map((row) =>
          h(
            'li',
            { 'data-id': row.id, class: row.completed ? 'ok' : 'failed' },
            h('time', { datetime: new Date(row.invoked_at).toISOString() }, formatClock(row.invoked_at)),
            h('strong', {}, row.skill_name),
            h(
              'span',
              { class: `badge ${row.completed ? 'ok' : 'bad'}` },
              row.completed ? 'completed' : (row.error_type ?? 'not completed'),
            ),
            h(
              'span',
              { class: 'muted' },
              [row.user_id, row.workflow_phase, formatDuration(row.duration_seconds)].filter((v) => v !== null && v !== '–').join(' · '),
            ),
          ),
        ),
    );
    pending.textContent = paused && buffered.length > 0 ? `${buffered.length} new while paused` : '';
  };
  const insert = (incoming: Invocation[]) => {
    for (const row of incoming) {
      if (seen.has(row.id) || !accept(row)) continue;
      seen.add(row.id);
      rows.push(row);
    }
    rows.sort((a, b) => b.invoked_at - a.invoked_at || (a.id < b.id ? 1 : -1));
    for (const dropped of rows.splice(MAX_ROWS)) seen.delete(dropped.id);
  };

  pause.addEventListener('click', () => {
    paused = !paused;
    pause.textContent = paused ? 'Resume' : 'Pause';
    pause.setAttribute('aria-pressed', String(paused));
    if (!paused) {
      insert(buffered);
      buffered = [];
    }
    render();
  });
  filter.addEventListener('input', () => {
    text = filter.value.trim().toLowerCase();
    render();
  });

  return {
    element: h('div', { class: 'tail-box' }, h('div', { class: 'tail-controls' }, pause, filter, pending), list),
    /** Rows pushed over the WebSocket (held back while paused). */
    push(incoming: Invocation[]) {
      if (paused) buffered.push(...incoming.filter((row) => accept(row) && !seen.has(row.id)));
      else insert(incoming);
      render();
    },
    /** Rows read over HTTP (at start and after a reconnection), merged by id. */
    merge(incoming: Invocation[]) {
      insert(incoming);
      render();
    },
    /** The page's filters: rows that do not match are not shown; the current rows are dropped. */
    setAccept(predicate: (row: Invocation) => boolean) {
      accept = predicate;
      rows.length = 0;
      seen.clear();
      buffered = [];
      render();
    },
  };
}
