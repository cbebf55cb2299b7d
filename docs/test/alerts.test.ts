import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { promtool, scrapeRealExporter, unknownNames, type Exposition } from './prometheus.js';
import { DOCS, readDoc } from './workspace.js';

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RuleTest {
  alert_rule_test?: { eval_time: string; alertname: string; exp_alerts: unknown[] }[];
}

const rules = (parse(readDoc('prometheus/alerts.yaml')) as { groups: { name: string; rules: Rule[] }[] }).groups.flatMap((g) => g.rules);
const unitTests = parse(readDoc('prometheus/alerts.test.yaml')) as { rule_files: string[]; tests: RuleTest[] };
const folder = join(DOCS, 'prometheus');

describe('docs/prometheus/alerts.yaml', () => {
  let exposition: Exposition;
  beforeAll(async () => {
    ({ exposition } = await scrapeRealExporter());
  });

  it('passes promtool check rules', () => {
    const result = promtool(['check', 'rules', 'alerts.yaml'], folder);
    expect(result.output).toBe(`Checking alerts.yaml\n  SUCCESS: ${rules.length} rules found`);
    expect(result.status).toBe(0);
  });

  it('passes its unit tests: promtool test rules alerts.test.yaml', () => {
    const result = promtool(['test', 'rules', 'alerts.test.yaml'], folder);
    expect(result.output).toBe('Unit Testing:  alerts.test.yaml\n  SUCCESS');
    expect(result.status).toBe(0);
  });

  it('has the alerts operators asked for, each with a severity, a summary and a description', () => {
    expect(rules.map((r) => r.alert)).toEqual([
      'SkillCompletionRateDrop',
      'SkillLatencyRegression',
      'SkillAnomalyBurst',
      'SkillsExporterDown',
      'SkillsExporterMissing',
      'SkillNamesFolded',
      'SkillsIngestErrors',
    ]);
    for (const rule of rules) {
      expect(['critical', 'warning', 'info'], rule.alert).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary, rule.alert).toMatch(/\S/);
      expect(rule.annotations?.description, rule.alert).toMatch(/\S/);
    }
    const byName = new Map(rules.map((r) => [r.alert, r.expr]));
    // A drop per skill from the counters, a regression from the histogram, the scrape itself.
    expect(byName.get('SkillCompletionRateDrop')).toMatch(
      /sum by \(job, skill_name\) \(max without \(instance\) \(increase\(skill_invocations_total\{job="skills",completed="true"\}\[1h\]\)\)\)/,
    );
    expect(byName.get('SkillLatencyRegression')).toMatch(
      /histogram_quantile\(0\.95, sum by \(job, skill_name, le\) .*skill_duration_seconds_bucket/,
    );
    expect(byName.get('SkillsExporterDown')).toBe('up{job="skills"} == 0');
    // Refused over all ingest requests per route, summed over instances (each counts its own).
    expect(byName.get('SkillsIngestErrors')).toMatch(
      /sum by \(job, route\) \(increase\(skills_ingest_rejected_total\{job="skills"\}\[15m\]\)\)\s+\/\s+sum by \(job, route\) \(increase\(skills_ingest_requests_total\{job="skills"\}\[15m\]\)\)/,
    );
  });

  it('is unit-tested for every alert: a case where it fires and one where it must not', () => {
    expect(unitTests.rule_files).toEqual(['alerts.yaml']);
    const cases = unitTests.tests.flatMap((t) => t.alert_rule_test ?? []);
    for (const rule of rules) {
      const mine = cases.filter((c) => c.alertname === rule.alert);
      expect(
        mine.some((c) => c.exp_alerts.length > 0),
        `${rule.alert} fires somewhere`,
      ).toBe(true);
      expect(
        mine.some((c) => c.exp_alerts.length === 0),
        `${rule.alert} stays quiet somewhere`,
      ).toBe(true);
    }
  });

  it('names only metrics and labels a real exporter emits (and Prometheus adds: up, job, instance)', () => {
    const problems = rules.flatMap((rule) => unknownNames(rule.expr, exposition).map((p) => `${rule.alert}: ${p}`));
    expect(problems).toEqual([]);
  });
});
