import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { h } from './dom.js';
import { formatCount, formatDuration, formatRate } from './format.js';

const HOUR_MS = 3_600_000;

export interface ChartMarker {
  id: string;
  /** Start of the hour, epoch ms. */
  ts: number;
  label: string;
  /** Marked more strongly on the chart of its own metric. */
  strong: boolean;
}

export interface TimeChartOptions {
  title: string;
  /** Epoch ms, oldest first. */
  xs: number[];
  ys: (number | null)[];
  kind: 'count' | 'rate' | 'duration';
  bars?: boolean;
  markers?: ChartMarker[];
  bucketMs?: number;
  /** Dragging across the chart picks this range (epoch ms) for the whole page. */
  onRange(since: number, until: number): void;
}

const charts = new Set<{ chart: uPlot; host: HTMLElement }>();
let resizeTimer: ReturnType<typeof setTimeout> | undefined;
addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    for (const entry of charts) {
      if (!entry.host.isConnected) charts.delete(entry);
      else entry.chart.setSize({ width: widthOf(entry.host), height: entry.chart.height });
    }
  }, 100);
});

function widthOf(host: HTMLElement): number {
  return Math.max(240, Math.floor(host.getBoundingClientRect().width || host.parentElement?.getBoundingClientRect().width || 600));
}

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

const FORMAT = { count: formatCount, rate: formatRate, duration: formatDuration } as const;

/** A time chart (uPlot) whose x range can be dragged to pick the page's range; anomalies as marked bands. */
export function timeChart(options: TimeChartOptions): HTMLElement {
  const plot = h('div', { class: 'chart-plot' });
  const figure = h('figure', { class: 'chart', 'aria-label': options.title }, h('figcaption', {}, options.title), plot);
  const format = FORMAT[options.kind];
  const accent = options.kind === 'rate' ? cssVar('--good') : options.kind === 'duration' ? cssVar('--warn') : cssVar('--accent');
  const grid = { stroke: cssVar('--grid'), width: 1 };
  const axisColour = cssVar('--muted');
  const bucketMs = options.bucketMs ?? HOUR_MS;
  const markers = options.markers ?? [];
  const opts: uPlot.Options = {
    width: 600,
    height: 170,
    ms: 1,
    legend: { show: false },
    cursor: { sync: { key: 'page' }, drag: { x: true, y: false, setScale: false } },
    select: { show: true, left: 0, top: 0, width: 0, height: 0 },
    scales: { x: { time: true }, y: { range: options.kind === 'rate' ? [0, 1] : (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
    axes: [
      { stroke: axisColour, grid, ticks: grid },
      {
        stroke: axisColour,
        grid,
        ticks: grid,
        size: 64,
        values: (_u, values) => values.map((v) => (options.kind === 'rate' ? `${Math.round(v * 100)} %` : format(v))),
      },
    ],
    series: [
      {},
      {
        label: options.title,
        stroke: accent,
        fill: `${accent}33`,
        width: 1.5,
        spanGaps: false,
        points: { show: false },
        ...(options.bars ? { paths: uPlot.paths.bars!({ size: [0.8, 40] }) } : {}),
        value: (_u, v) => format(v),
      },
    ],
    hooks: {
      setSelect: [
        (u) => {
          if (u.select.width < 4) return;
          const since = u.posToVal(u.select.left, 'x');
          const until = u.posToVal(u.select.left + u.select.width, 'x');
          u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          options.onRange(Math.floor(since), Math.ceil(until));
        },
      ],
      draw: [
        (u) => {
          for (const node of u.over.querySelectorAll('.anomaly-marker')) node.remove();
          for (const marker of markers) {
            const left = u.valToPos(marker.ts, 'x');
            const right = u.valToPos(marker.ts + bucketMs, 'x');
            if (right < 0 || left > u.over.clientWidth) continue;
            const band = h('div', {
              class: marker.strong ? 'anomaly-marker strong' : 'anomaly-marker',
              'data-anomaly-id': marker.id,
              role: 'img',
              'aria-label': marker.label,
              title: marker.label,
            });
            // CSSOM, not a style attribute: the page's CSP allows no inline styles.
            band.style.left = `${Math.max(0, left)}px`;
            band.style.width = `${Math.max(3, right - left)}px`;
            u.over.appendChild(band);
          }
        },
      ],
    },
  };
  // Built once the figure is in the document, so it takes the width it has there.
  requestAnimationFrame(() => {
    if (!plot.isConnected) return;
    opts.width = widthOf(plot);
    // Bars narrower than 3 px merge into a block (7 days of hours on a phone): draw steps instead.
    if (options.bars && opts.width / Math.max(1, options.xs.length) < 3) opts.series[1]!.paths = uPlot.paths.stepped!({ align: 1 });
    const chart = new uPlot(opts, [options.xs, options.ys] as uPlot.AlignedData, plot);
    charts.add({ chart, host: plot });
  });
  return figure;
}

/** A small inline SVG sparkline of counts. */
export function sparkline(values: number[], label: string): SVGSVGElement {
  const width = 96;
  const height = 24;
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? width / (values.length - 1) : width;
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(height - 2 - (v / max) * (height - 4)).toFixed(1)}`).join(' ');
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('width', String(width));
  svg.setAttribute('height', String(height));
  svg.setAttribute('class', 'sparkline');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  const line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
  line.setAttribute('points', points);
  svg.appendChild(line);
  return svg;
}
