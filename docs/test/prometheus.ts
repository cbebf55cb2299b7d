import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveServerConfig, startServer } from '@skills/server';
import { openStore, recordInvocations } from '@skills/storage';
import { stringify } from 'yaml';

export const PROMTOOL = '/usr/bin/promtool';

/** `promtool ARGS…` in `cwd`: its exit code and everything it printed. */
export function promtool(args: string[], cwd?: string): { status: number | null; output: string } {
  const result = spawnSync(PROMTOOL, args, { encoding: 'utf8', ...(cwd === undefined ? {} : { cwd }) });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}

/**
 * `promtool check rules` over expressions that are not rules yet (a dashboard's): each becomes a
 * recording rule in a temporary file, so promtool's PromQL parser judges every one.
 */
export function checkExpressions(expressions: readonly string[]): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'skills-docs-promql-'));
  try {
    const file = join(dir, 'expressions.rules.yaml');
    const rules = expressions.map((expr, i) => ({ record: `docs:expression_${i}`, expr }));
    writeFileSync(file, stringify({ groups: [{ name: 'dashboard-expressions', rules }] }));
    return promtool(['check', 'rules', file]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What a scrape shows: each sample name with the label names it carries. */
export type Exposition = Map<string, Set<string>>;

/**
 * Scrape a real server's exporter (`@skills/server` over `@skills/realtime`): a SQLite store with
 * invocations (timed and not, several skills and phases) and one recorded anomaly, the server on
 * 127.0.0.1:0 after one accepted and one refused `POST /v1/invocations` (so the ingest counters
 * have their route and code labels), `/metrics` fetched as Prometheus would.
 */
export async function scrapeRealExporter(): Promise<{ text: string; exposition: Exposition }> {
  const dir = mkdtempSync(join(tmpdir(), 'skills-docs-exporter-'));
  const store = await openStore(join(dir, 'skills.db'));
  const now = Date.now();
  try {
    await recordInvocations(store, [
      {
        id: 'd1',
        skill_name: 'pytest-run',
        session_id: 's1',
        invoked_at: now - 60_000,
        completed: true,
        duration_seconds: 1.5,
        workflow_phase: 'execution',
      },
      {
        id: 'd2',
        skill_name: 'pytest-run',
        session_id: 's1',
        invoked_at: now - 50_000,
        completed: false,
        duration_seconds: null,
        workflow_phase: 'execution',
      },
    ]);
    await store.db
      .insertInto('skill_anomalies')
      .values({
        id: 'an_docs_1',
        skill_name: 'pytest-run',
        anomaly_type: 'drop',
        metric: 'completion_rate',
        bucket_start: now - (now % 3_600_000) - 3_600_000,
        baseline_value: 0.9,
        observed_value: 0.5,
        deviation_score: -5,
        method: 'robust',
        reason: 'a fixture of the docs tests',
        detected_at: now,
        resolved_at: null,
      })
      .execute();
    const server = await startServer(resolveServerConfig({ port: '0', anomalyJob: 'off', logLevel: 'silent' }, {}), {
      store,
      dialect: 'sqlite',
    });
    try {
      const post = (body: unknown) =>
        fetch(`${server.url}/v1/invocations`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const accepted = await post({
        id: 'd3',
        skill_name: 'ruff-check',
        session_id: 's2',
        invoked_at: now - 40_000,
        completed: true,
        duration_seconds: 0.2,
      });
      const refused = await post({ skill_name: '' });
      if (accepted.status !== 201 || refused.status !== 400)
        throw new Error(`ingest: HTTP ${accepted.status} and ${refused.status}, expected 201 and 400`);
      const response = await fetch(`${server.url}/metrics`);
      if (response.status !== 200) throw new Error(`scrape: HTTP ${response.status}`);
      const text = await response.text();
      return { text, exposition: parseExposition(text) };
    } finally {
      await server.close();
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Sample names and their label names, from the text format (HELP/TYPE comments skipped). */
export function parseExposition(text: string): Exposition {
  const found: Exposition = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s/.exec(line);
    if (!match) throw new Error(`cannot read the exposition line "${line}"`);
    const labels = found.get(match[1]!) ?? new Set<string>();
    for (const label of (match[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g)) labels.add(label[1]!);
    found.set(match[1]!, labels);
  }
  return found;
}

/** Labels Prometheus itself attaches to every scraped series (the scrape job's target labels). */
export const TARGET_LABELS = ['job', 'instance'];
/** Series Prometheus makes for every target, beside what the target exposes. */
export const SCRAPE_SERIES = ['up'];

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'offset',
  'and',
  'or',
  'unless',
  'inf',
  'nan',
]);

/**
 * The metric names and label names a PromQL expression uses. A small lexer, not a parser: string
 * literals, label-matcher bodies, range and subquery brackets and grouping lists are read apart,
 * and an identifier followed by `(` is a function or aggregation. promtool has judged the syntax.
 */
export function promqlNames(expr: string): { metrics: string[]; labels: string[] } {
  const labels = new Set<string>();
  let rest = expr;
  // Label matchers: {name="x", other=~"y"} (the values are strings, read first).
  rest = rest.replace(/\{([^}]*)\}/g, (_whole, body: string) => {
    for (const m of body.replace(/"(?:[^"\\]|\\.)*"/g, '""').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)/g)) labels.add(m[1]!);
    return ' ';
  });
  rest = rest.replace(/"(?:[^"\\]|\\.)*"/g, ' ');
  // Grouping and matching lists: by (a, b), without (…), on (…), ignoring (…), group_left (…).
  rest = rest.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g, (_whole, _keyword: string, list: string) => {
    for (const name of list
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean))
      labels.add(name);
    return ' ';
  });
  // Ranges and subqueries: [5m], [1h:1m]; offsets: offset 1h.
  rest = rest.replace(/\[[^\]]*\]/g, ' ').replace(/\boffset\s+-?[0-9a-z]+/g, ' ');
  const metrics = new Set<string>();
  for (const m of rest.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)) {
    const name = m[1]!;
    const start = m.index!;
    // Part of a number such as 1e3 or 0.95?
    if (start > 0 && /[0-9.]/.test(rest[start - 1]!)) continue;
    if (m[2] !== undefined || KEYWORDS.has(name.toLowerCase())) continue;
    metrics.add(name);
  }
  return { metrics: [...metrics].sort(), labels: [...labels].sort() };
}

/**
 * What an expression names that the scrape does not have: unknown metrics, and labels carried by
 * none of the metrics it names (nor by Prometheus: `job`, `instance`; `le` of a `_bucket`).
 */
export function unknownNames(expr: string, exposition: Exposition): string[] {
  const { metrics, labels } = promqlNames(expr);
  const problems: string[] = [];
  const carried = new Set(TARGET_LABELS);
  for (const metric of metrics) {
    const known = exposition.get(metric);
    if (known === undefined && !SCRAPE_SERIES.includes(metric)) problems.push(`metric ${metric}`);
    for (const label of known ?? []) carried.add(label);
  }
  for (const label of labels) if (!carried.has(label)) problems.push(`label ${label}`);
  return problems;
}
