import { beforeAll, describe, expect, it } from 'vitest';
import { checkExpressions, scrapeRealExporter, unknownNames, type Exposition } from './prometheus.js';
import { readDoc } from './workspace.js';

interface Target {
  expr?: string;
  refId?: string;
  datasource?: { type?: string; uid?: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
}
interface Variable {
  name: string;
  type: string;
  query?: string | { query: string };
  datasource?: { type?: string; uid?: string };
}
interface Dashboard {
  title: string;
  uid: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: Variable[] };
}

const dashboard = JSON.parse(readDoc('grafana/skills-dashboard.json')) as Dashboard;
const queryPanels = dashboard.panels.filter((p) => p.type !== 'row');
const expressions = queryPanels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr ?? '' })));
const variableQueries = dashboard.templating.list
  .filter((v) => v.type === 'query')
  .map((v) => ({ name: v.name, query: typeof v.query === 'string' ? v.query : (v.query?.query ?? '') }));

/**
 * Grafana's variables as Grafana fills them in before a query goes to Prometheus (`$job` and
 * `$skill` with their "All" value); anything else left with a `$` is a variable nobody defines.
 */
function asSent(expr: string): string {
  const filled = expr
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('$__interval', '30s')
    .replaceAll('$__range', '6h')
    .replaceAll('$job', '.+')
    .replaceAll('$skill', '.+');
  if (filled.includes('$')) throw new Error(`unknown Grafana variable in: ${expr}`);
  return filled;
}

/** `label_values(SELECTOR, label)`: the selector as an expression, and the label it lists. */
function labelValues(query: string): { selector: string; label: string } {
  const match = /^label_values\((.+),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)$/.exec(query);
  if (!match) throw new Error(`variable query "${query}": expected label_values(selector, label)`);
  return { selector: match[1]!, label: match[2]! };
}

describe('docs/grafana/skills-dashboard.json', () => {
  let exposition: Exposition;
  beforeAll(async () => {
    ({ exposition } = await scrapeRealExporter());
  });

  it('is a dashboard Grafana imports: title, uid, schemaVersion, a Prometheus datasource variable', () => {
    expect(dashboard.title).toBe('Skills Analytics');
    expect(dashboard.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
    expect(Number.isInteger(dashboard.schemaVersion) && dashboard.schemaVersion >= 36).toBe(true);
    const datasource = dashboard.templating.list.find((v) => v.name === 'datasource');
    expect(datasource).toMatchObject({ type: 'datasource', query: 'prometheus' });
    for (const variable of dashboard.templating.list.filter((v) => v.type === 'query')) {
      expect(variable.datasource, `variable ${variable.name}`).toEqual({ type: 'prometheus', uid: '${datasource}' });
    }
  });

  it('lays every panel on the 24-column grid, without overlaps, with unique ids', () => {
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { title, gridPos } of dashboard.panels) {
      for (const key of ['h', 'w', 'x', 'y'] as const) expect(Number.isInteger(gridPos[key]), `${title}: gridPos.${key}`).toBe(true);
      expect(
        gridPos.w >= 1 && gridPos.h >= 1 && gridPos.x >= 0 && gridPos.y >= 0 && gridPos.x + gridPos.w <= 24,
        `${title}: ${JSON.stringify(gridPos)}`,
      ).toBe(true);
    }
    const overlaps: string[] = [];
    for (const [i, a] of dashboard.panels.entries()) {
      for (const b of dashboard.panels.slice(i + 1)) {
        const apart =
          a.gridPos.x + a.gridPos.w <= b.gridPos.x ||
          b.gridPos.x + b.gridPos.w <= a.gridPos.x ||
          a.gridPos.y + a.gridPos.h <= b.gridPos.y ||
          b.gridPos.y + b.gridPos.h <= a.gridPos.y;
        if (!apart) overlaps.push(`${a.title} / ${b.title}`);
      }
    }
    expect(overlaps).toEqual([]);
  });

  it('queries the datasource variable in every panel and target', () => {
    for (const panel of queryPanels) {
      expect(panel.datasource, panel.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) {
        expect(target.datasource, panel.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
        expect(target.expr, panel.title).toMatch(/\S/);
      }
    }
  });

  it('shows what operators asked for: invocation rate, completion rate from the counters, p50/p95, anomalies, active sessions, ingest errors', () => {
    const uses = (pattern: RegExp) => expressions.filter((e) => pattern.test(e.expr)).map((e) => e.panel);
    expect(uses(/sum by \(skill_name\) \(max without \(instance\) \(rate\(skill_invocations_total/)).toContain(
      'Invocations per minute by skill',
    );
    expect(uses(/completed="true".*\/ sum by \(skill_name\)/)).toContain('Completion rate by skill');
    expect(uses(/histogram_quantile\(0\.5, .*skill_duration_seconds_bucket/)).toContain('Duration p50 and p95 (selected skills)');
    expect(uses(/histogram_quantile\(0\.95, sum by \(skill_name, le\)/)).toContain('Duration p95 by skill');
    expect(uses(/anomalies_detected_total/)).toEqual(
      expect.arrayContaining(['Anomalies in range', 'Anomalies per hour by skill and type']),
    );
    expect(uses(/skill_active_sessions/)).toEqual(expect.arrayContaining(['Active sessions']));
    expect(uses(/sum by \(route, code\) \(rate\(skills_ingest_rejected_total/)).toEqual(['Ingest errors per minute by route and code']);
    expect(uses(/skills_ingest_rejected_total.*\/ sum\(increase\(skills_ingest_requests_total/)).toEqual([
      'Ingest refused (share, 15 min)',
    ]);
    // The original's gauge name is gone (see the migration guide), and so is its 0-100 reading of rates.
    expect(uses(/active_sessions_total/)).toEqual([]);
  });

  it('parses: promtool check rules accepts every expression and every variable selector', () => {
    const all = [...expressions.map((e) => asSent(e.expr)), ...variableQueries.map((v) => asSent(labelValues(v.query).selector))];
    expect(all.length).toBe(expressions.length + variableQueries.length);
    const result = checkExpressions(all);
    expect(result.output).toContain(`SUCCESS: ${all.length} rules found`);
    expect(result.status).toBe(0);
  });

  it('names only metrics and labels a real exporter emits (and Prometheus adds: up, job, instance)', () => {
    const problems = [
      ...expressions.flatMap((e) => unknownNames(asSent(e.expr), exposition).map((p) => `${e.panel}: ${p}`)),
      ...variableQueries.flatMap((v) => {
        const { selector, label } = labelValues(v.query);
        // The listed label must be on the selected metric, as if the selector used it.
        return unknownNames(`${asSent(selector)} and on (${label}) vector(1)`, exposition).map((p) => `variable ${v.name}: ${p}`);
      }),
    ];
    expect(problems).toEqual([]);
  });

  it('would catch a metric the exporter does not emit (the original dashboards cited several)', () => {
    expect(unknownNames('sum(rate(sqlite_connections_active{job="skills"}[5m]))', exposition)).toEqual([
      'metric sqlite_connections_active',
    ]);
    expect(unknownNames('active_sessions_total', exposition)).toEqual(['metric active_sessions_total']);
    expect(unknownNames('sum by (skill) (rate(skill_invocations_total[5m]))', exposition)).toEqual(['label skill']);
    expect(unknownNames('histogram_quantile(0.95, sum by (le) (rate(skill_duration_seconds_bucket[5m])))', exposition)).toEqual([]);
  });
});
