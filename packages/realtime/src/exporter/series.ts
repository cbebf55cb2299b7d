import type { Registry } from 'prom-client';

/**
 * Labelled series kept in plain maps and rendered straight to the text format: prom-client's
 * generic formatter takes ~150 ms for the ~20,000 lines of 500 skills, these take a few. Each family
 * is also registered in the exporter's prom-client `Registry` (through the metric interface the
 * registry calls), so `registry.metrics()` and `getMetricsAsJSON()` show the same values. Rendered
 * lines are kept until their value changes, so a scrape rebuilds only what changed since the last.
 */

/** A label value as the text format wants it: backslash, quote and newline escaped. */
export function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** A number as the text format writes it. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  /** The family in the text format, HELP and TYPE first (kept until a value changes). */
  rendered(): string;
  /** prom-client's metric-object form, for the registry. */
  values(): { metricName?: string; labels: Record<string, string | number>; value: number }[];
}

function header(family: Family): string {
  return `# HELP ${family.name} ${family.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n# TYPE ${family.name} ${family.type}`;
}

/** Register a family in a prom-client registry, so the registry's own rendering includes it. */
function register(registry: Registry, family: Family): void {
  registry.registerMetric({
    name: family.name,
    help: family.help,
    type: family.type,
    get: async () => ({ name: family.name, help: family.help, type: family.type, values: family.values(), aggregator: 'sum' }),
  } as never);
}

interface Point {
  labels: Record<string, string>;
  /** `{a="x",b="y"}`, built once. */
  text: string;
  value: number;
  /** The rendered line, until the value changes. */
  line: string | undefined;
}

function labelText(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(([key, value]) => `${key}="${escapeLabel(value)}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

/** A counter or gauge with labels. */
export class ValueFamily implements Family {
  private readonly points = new Map<string, Point>();
  /** The rendered family, until a value changes. */
  private text: string | undefined;

  constructor(
    registry: Registry,
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'gauge',
  ) {
    register(registry, this);
  }

  private point(labels: Record<string, string>): Point {
    const key = Object.values(labels).join('\u0000');
    let point = this.points.get(key);
    if (!point) {
      point = { labels, text: labelText(labels), value: 0, line: undefined };
      this.points.set(key, point);
      this.text = undefined;
    }
    return point;
  }

  private change(point: Point, value: number): void {
    if (point.value === value && point.line !== undefined) return;
    point.value = value;
    point.line = undefined;
    this.text = undefined;
  }

  inc(labels: Record<string, string>, by = 1): void {
    const point = this.point(labels);
    this.change(point, point.value + by);
  }

  set(labels: Record<string, string>, value: number): void {
    this.change(this.point(labels), value);
  }

  get(labels: Record<string, string>): number {
    return this.points.get(Object.values(labels).join('\u0000'))?.value ?? 0;
  }

  /** Raise to `value` if below it (a counter must never go down). */
  atLeast(labels: Record<string, string>, value: number): void {
    const point = this.point(labels);
    if (point.value < value) this.change(point, value);
  }

  rendered(): string {
    if (this.text === undefined) {
      const lines = [header(this)];
      for (const point of this.points.values()) {
        point.line ??= `${this.name}${point.text} ${formatValue(point.value)}`;
        lines.push(point.line);
      }
      this.text = lines.join('\n');
    }
    return this.text;
  }

  values() {
    return [...this.points.values()].map((point) => ({ labels: point.labels, value: point.value }));
  }
}

interface HistogramPoint {
  labels: Record<string, string>;
  /** `a="x",b="y"`, built once. */
  inner: string;
  /** Per bucket, not cumulative; the last is +Inf. */
  counts: Float64Array;
  sum: number;
  count: number;
  /** The rendered lines, until an observation. */
  block: string | undefined;
}

/** A histogram with labels and fixed upper bounds. */
export class HistogramFamily implements Family {
  readonly type = 'histogram' as const;
  private readonly points = new Map<string, HistogramPoint>();
  private readonly bounds: string[];
  private text: string | undefined;

  constructor(
    registry: Registry,
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[],
  ) {
    this.bounds = [...buckets.map(formatValue), '+Inf'];
    register(registry, this);
  }

  private point(labels: Record<string, string>): HistogramPoint {
    const key = Object.values(labels).join('\u0000');
    let point = this.points.get(key);
    if (!point) {
      const inner = Object.entries(labels)
        .map(([label, value]) => `${label}="${escapeLabel(value)}"`)
        .join(',');
      point = { labels, inner, counts: new Float64Array(this.buckets.length + 1), sum: 0, count: 0, block: undefined };
      this.points.set(key, point);
      this.text = undefined;
    }
    return point;
  }

  /** The bucket index of a value (the last index is +Inf). */
  bucketOf(value: number): number {
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]!) return i;
    return this.buckets.length;
  }

  observe(labels: Record<string, string>, value: number): void {
    const point = this.point(labels);
    point.counts[this.bucketOf(value)]! += 1;
    point.sum += value;
    point.count += 1;
    point.block = undefined;
    this.text = undefined;
  }

  /** Add counts per bucket (not cumulative), their sum and their number, e.g. read from the store. */
  add(labels: Record<string, string>, counts: readonly number[], sum: number): void {
    const point = this.point(labels);
    let count = 0;
    counts.forEach((n, i) => {
      point.counts[i]! += n;
      count += n;
    });
    point.sum += sum;
    point.count += count;
    point.block = undefined;
    this.text = undefined;
  }

  /** Replace a series by these counts (per bucket, +Inf last) and sum if it holds fewer observations. */
  atLeast(labels: Record<string, string>, counts: readonly number[], sum: number): void {
    const point = this.point(labels);
    const count = counts.reduce((a, b) => a + b, 0);
    if (count <= point.count) return;
    point.counts.set(counts);
    point.sum = sum;
    point.count = count;
    point.block = undefined;
    this.text = undefined;
  }

  rendered(): string {
    if (this.text === undefined) {
      const blocks = [header(this)];
      const prefix = `${this.name}_bucket{`;
      for (const point of this.points.values()) {
        if (point.block === undefined) {
          const lines: string[] = [];
          const comma = point.inner === '' ? '' : ',';
          let cumulative = 0;
          for (let i = 0; i < this.bounds.length; i++) {
            cumulative += point.counts[i]!;
            lines.push(`${prefix}${point.inner}${comma}le="${this.bounds[i]}"} ${cumulative}`);
          }
          const labels = point.inner === '' ? '' : `{${point.inner}}`;
          lines.push(`${this.name}_sum${labels} ${formatValue(point.sum)}`);
          lines.push(`${this.name}_count${labels} ${point.count}`);
          point.block = lines.join('\n');
        }
        blocks.push(point.block);
      }
      this.text = blocks.join('\n');
    }
    return this.text;
  }

  values() {
    const values: { metricName: string; labels: Record<string, string | number>; value: number }[] = [];
    for (const point of this.points.values()) {
      let cumulative = 0;
      for (let i = 0; i < this.bounds.length; i++) {
        cumulative += point.counts[i]!;
        values.push({ metricName: `${this.name}_bucket`, labels: { ...point.labels, le: this.bounds[i]! }, value: cumulative });
      }
      values.push({ metricName: `${this.name}_sum`, labels: point.labels, value: point.sum });
      values.push({ metricName: `${this.name}_count`, labels: point.labels, value: point.count });
    }
    return values;
  }
}

/**
 * Renders families to the text format (each with HELP and TYPE, a blank line after each); the
 * whole text is reused while no family changed.
 */
export function familiesRenderer(families: readonly Family[]): () => string {
  let parts: string[] = [];
  let text = '';
  return () => {
    const now = families.map((family) => family.rendered());
    if (now.length !== parts.length || now.some((part, i) => part !== parts[i])) {
      parts = now;
      text = `${now.join('\n\n')}\n\n`;
    }
    return text;
  };
}
