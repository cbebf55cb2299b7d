import { spawnSync } from 'node:child_process';
import { recordInvocations, ValidationError, type Store } from '@skills/storage';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createMetricsExporter } from '../src/index.js';
import { sleep, storeFactories } from './helpers.js';

const NOW = Date.now();

const row = (
  id: string,
  skill_name: string,
  workflow_phase: string | null,
  completed: boolean,
  duration_seconds: number | null,
  session_id = 's1',
) => ({
  id,
  skill_name,
  session_id,
  invoked_at: NOW - 60_000,
  completed,
  duration_seconds,
  workflow_phase,
});

/** The value lines of a family, without HELP/TYPE, sorted (series order is not part of the format) unless asked. */
const lines = (text: string, name: string, sorted = true) => {
  const found = text.split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));
  return sorted ? found.sort() : found;
};

/** `promtool check metrics` on the text: exit code and what it printed. */
function promtool(text: string): { status: number | null; output: string } {
  const result = spawnSync('/usr/bin/promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}

async function waitFor(check: () => Promise<boolean>, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}

async function storeTotals(store: Store): Promise<Map<string, number>> {
  const rows = await store.db.selectFrom('skill_metrics').select(['skill_name', 'total_invocations']).execute();
  return new Map(rows.map((r) => [r.skill_name, Number(r.total_invocations)]));
}

function exportedTotals(text: string): Map<string, number> {
  const totals = new Map<string, number>();
  for (const line of lines(text, 'skill_invocations_total')) {
    const skill = /skill_name="([^"]*)"/.exec(line)![1]!;
    totals.set(skill, (totals.get(skill) ?? 0) + Number(line.split(' ').at(-1)));
  }
  return totals;
}

describe.each(storeFactories)('createMetricsExporter [$name]', (factory) => {
  afterAll(() => factory.cleanup());

  it('starts from the store and adds every recorded batch, in the original series and labels', async () => {
    const { store } = await factory.create();
    await recordInvocations(store, [
      row('a1', 'pytest-run', 'testing', true, 0.05),
      row('a2', 'pytest-run', 'testing', true, 4),
      row('a3', 'pytest-run', null, false, null),
    ]);
    const exporter = createMetricsExporter({ store, defaultMetrics: false });
    try {
      await exporter.ready();
      await recordInvocations(store, [row('b1', 'pytest-run', '', true, 400, 's2'), row('b2', 'ruff-check', 'coding', false, 1, 's2')]);
      await waitFor(async () => (await exporter.metrics()).includes('skill_name="ruff-check"'));
      const text = await exporter.metrics();
      expect(lines(text, 'skill_invocations_total')).toEqual([
        'skill_invocations_total{skill_name="pytest-run",workflow_phase="testing",completed="true"} 2',
        'skill_invocations_total{skill_name="pytest-run",workflow_phase="unknown",completed="false"} 1',
        'skill_invocations_total{skill_name="pytest-run",workflow_phase="unknown",completed="true"} 1',
        'skill_invocations_total{skill_name="ruff-check",workflow_phase="coding",completed="false"} 1',
      ]);
      expect(lines(text, 'skill_duration_seconds_bucket', false).filter((line) => line.includes('"testing"'))).toEqual([
        'skill_duration_seconds_bucket{skill_name="pytest-run",workflow_phase="testing",le="0.1"} 1',
        'skill_duration_seconds_bucket{skill_name="pytest-run",workflow_phase="testing",le="0.5"} 1',
        'skill_duration_seconds_bucket{skill_name="pytest-run",workflow_phase="testing",le="1"} 1',
        'skill_duration_seconds_bucket{skill_name="pytest-run",workflow_phase="testing",le="2"} 1',
        'skill_duration_seconds_bucket{skill_name="pytest-run",workflow_phase="testing",le="5"} 2',
        'skill_duration_seconds_bucket{skill_name="pytest-run",workflow_phase="testing",le="10"} 2',
        'skill_duration_seconds_bucket{skill_name="pytest-run",workflow_phase="testing",le="30"} 2',
        'skill_duration_seconds_bucket{skill_name="pytest-run",workflow_phase="testing",le="60"} 2',
        'skill_duration_seconds_bucket{skill_name="pytest-run",workflow_phase="testing",le="300"} 2',
        'skill_duration_seconds_bucket{skill_name="pytest-run",workflow_phase="testing",le="+Inf"} 2',
      ]);
      expect(lines(text, 'skill_duration_seconds_sum')).toEqual([
        'skill_duration_seconds_sum{skill_name="pytest-run",workflow_phase="testing"} 4.05',
        'skill_duration_seconds_sum{skill_name="pytest-run",workflow_phase="unknown"} 400',
        'skill_duration_seconds_sum{skill_name="ruff-check",workflow_phase="coding"} 1',
      ]);
      // The unknown-phase row without a duration adds no sample: only the 400 s one counts.
      expect(lines(text, 'skill_duration_seconds_count')).toEqual([
        'skill_duration_seconds_count{skill_name="pytest-run",workflow_phase="testing"} 2',
        'skill_duration_seconds_count{skill_name="pytest-run",workflow_phase="unknown"} 1',
        'skill_duration_seconds_count{skill_name="ruff-check",workflow_phase="coding"} 1',
      ]);
      expect(lines(text, 'skill_completion_rate')).toEqual([
        'skill_completion_rate{skill_name="pytest-run"} 0.75',
        'skill_completion_rate{skill_name="ruff-check"} 0',
      ]);
      expect(lines(text, 'skill_active_sessions')).toEqual(['skill_active_sessions 2']);
      expect(text).not.toContain('active_sessions_total');
      expect(lines(text, 'skills_build_info')).toEqual([`skills_build_info{version="0.1.0",node_version="${process.version}"} 1`]);
    } finally {
      await exporter.close();
      await store.close();
    }
  });

  it('passes promtool check metrics, with Node default metrics under the prefix', async () => {
    const { store } = await factory.create();
    await recordInvocations(store, [row('a1', 'pytest-run', 'testing', true, 1), row('a2', 'say "hi"\\now', null, false, null)]);
    await store.db
      .insertInto('skill_anomalies')
      .values({
        id: 'an1',
        skill_name: 'pytest-run',
        anomaly_type: 'drop',
        metric: 'completion_rate',
        bucket_start: NOW - 3_600_000,
        baseline_value: 0.9,
        observed_value: 0.2,
        deviation_score: -5,
        method: 'robust',
        reason: 'test',
        detected_at: NOW,
        resolved_at: null,
      })
      .execute();
    const exporter = createMetricsExporter({ store });
    try {
      const text = await exporter.metrics();
      expect(exporter.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(lines(text, 'anomalies_detected_total')).toEqual(['anomalies_detected_total{anomaly_type="drop",skill_name="pytest-run"} 1']);
      expect(text).toContain('skill_invocations_total{skill_name="say \\"hi\\"\\\\now",workflow_phase="unknown",completed="false"} 1');
      expect(text).toMatch(/^skills_process_cpu_user_seconds_total \d/m);
      expect(promtool(text)).toEqual({ status: 0, output: '' });
      // The registry renders the same series through prom-client.
      const fromRegistry = await exporter.registry.metrics();
      expect(lines(fromRegistry, 'skill_invocations_total')).toEqual(lines(text, 'skill_invocations_total'));
    } finally {
      await exporter.close();
      await store.close();
    }
  });

  it('after a restart, reports the same totals as the store', async () => {
    const { store, reopen } = await factory.create();
    await recordInvocations(store, [row('a1', 'pytest-run', 'testing', true, 1), row('a2', 'ruff-check', 'testing', false, null)]);
    const first = createMetricsExporter({ store, defaultMetrics: false });
    await first.ready();
    await recordInvocations(store, [row('b1', 'pytest-run', 'testing', true, 2), row('b2', 'pytest-run', 'coding', true, 3)]);
    await waitFor(async () => exportedTotals(await first.metrics()).get('pytest-run') === 3);
    const before = exportedTotals(await first.metrics());
    await first.close();
    await store.close();

    const again = await reopen();
    const second = createMetricsExporter({ store: again, defaultMetrics: false });
    try {
      const after = exportedTotals(await second.metrics());
      expect(after).toEqual(
        new Map([
          ['pytest-run', 3],
          ['ruff-check', 1],
        ]),
      );
      expect(after).toEqual(before);
      expect(after).toEqual(await storeTotals(again));
    } finally {
      await second.close();
      await again.close();
    }
  });

  it('folds skill names beyond the cap into "other" and counts the folded names', async () => {
    const { store } = await factory.create();
    await recordInvocations(store, [row('a1', 'busy', 'x', true, 1), row('a2', 'busy', 'x', true, 1), row('a3', 'quiet', 'x', true, 1)]);
    const exporter = createMetricsExporter({ store, maxSkillNames: 1, defaultMetrics: false });
    try {
      await exporter.ready();
      await recordInvocations(store, [
        row('b1', 'new-one', 'x', true, 1),
        row('b2', 'new-one', 'x', false, 1),
        row('b3', 'busy', 'x', true, 1),
      ]);
      await waitFor(async () => exportedTotals(await exporter.metrics()).get('other') === 3);
      const text = await exporter.metrics();
      expect(lines(text, 'skill_invocations_total')).toEqual([
        'skill_invocations_total{skill_name="busy",workflow_phase="x",completed="true"} 3',
        'skill_invocations_total{skill_name="other",workflow_phase="x",completed="false"} 1',
        'skill_invocations_total{skill_name="other",workflow_phase="x",completed="true"} 2',
      ]);
      expect(lines(text, 'skills_skill_names_folded_total')).toEqual(['skills_skill_names_folded_total 2']);
    } finally {
      await exporter.close();
      await store.close();
    }
  });

  it('counts ingest requests per route from 0, and refused ones by route and code, passing promtool', async () => {
    const { store } = await factory.create();
    const exporter = createMetricsExporter({ store, defaultMetrics: false, ingestRoutes: ['/v1/invocations', '/v1/logs'] });
    try {
      const before = await exporter.metrics();
      expect(lines(before, 'skills_ingest_requests_total')).toEqual([
        'skills_ingest_requests_total{route="/v1/invocations"} 0',
        'skills_ingest_requests_total{route="/v1/logs"} 0',
      ]);
      expect(lines(before, 'skills_ingest_rejected_total')).toEqual([]);
      exporter.countIngest('/v1/invocations');
      exporter.countIngest('/v1/invocations', 'validation_failed');
      exporter.countIngest('/v1/invocations', 'validation_failed');
      exporter.countIngest('/v1/logs', 'payload_too_large');
      exporter.countIngest('/v1/not-configured', 'Bad Code!');
      const text = await exporter.metrics();
      expect(lines(text, 'skills_ingest_requests_total')).toEqual([
        'skills_ingest_requests_total{route="/v1/invocations"} 3',
        'skills_ingest_requests_total{route="/v1/logs"} 1',
        'skills_ingest_requests_total{route="other"} 1',
      ]);
      expect(lines(text, 'skills_ingest_rejected_total')).toEqual([
        'skills_ingest_rejected_total{route="/v1/invocations",code="validation_failed"} 2',
        'skills_ingest_rejected_total{route="/v1/logs",code="payload_too_large"} 1',
        'skills_ingest_rejected_total{route="other",code="other"} 1',
      ]);
      expect(promtool(text)).toEqual({ status: 0, output: '' });
    } finally {
      await exporter.close();
      await store.close();
    }
  });

  if (factory.name === 'postgres') {
    it('reads the totals again after losing its listening connection, so batches of the gap are not missed', async () => {
      const { store, reopen } = await factory.create();
      const other = await reopen();
      const exporter = createMetricsExporter({ store, defaultMetrics: false });
      try {
        await exporter.ready();
        await recordInvocations(other, [row('g0', 'gap-skill', 'testing', true, 1)]);
        await waitFor(async () => exportedTotals(await exporter.metrics()).get('gap-skill') === 1);
        const { rows } = await sql<{ channel: string }>`select 'skills_recorded_' || md5(current_schema()) as channel`.execute(store.db);
        await sql`select pg_terminate_backend(pid) from pg_stat_activity where query = ${`listen "${rows[0]!.channel}"`}`.execute(store.db);
        await recordInvocations(other, [row('g1', 'gap-skill', 'testing', true, 1), row('g2', 'gap-skill', 'testing', false, null)]);
        await waitFor(async () => exportedTotals(await exporter.metrics()).get('gap-skill') === 3, 10_000);
        await recordInvocations(other, [row('g3', 'gap-skill', 'testing', true, 2)]);
        await waitFor(async () => exportedTotals(await exporter.metrics()).get('gap-skill') === 4, 10_000);
        expect(lines(await exporter.metrics(), 'skill_invocations_total')).toEqual([
          'skill_invocations_total{skill_name="gap-skill",workflow_phase="testing",completed="false"} 1',
          'skill_invocations_total{skill_name="gap-skill",workflow_phase="testing",completed="true"} 3',
        ]);
        expect(lines(await exporter.metrics(), 'skill_duration_seconds_count')).toEqual([
          'skill_duration_seconds_count{skill_name="gap-skill",workflow_phase="testing"} 3',
        ]);
      } finally {
        await exporter.close();
        await other.close();
        await store.close();
      }
    });

    it('counts batches recorded through another instance on the same schema', async () => {
      const { store, reopen } = await factory.create();
      const other = await reopen();
      const exporter = createMetricsExporter({ store, defaultMetrics: false });
      try {
        await exporter.ready();
        await recordInvocations(other, [row('r1', 'remote-skill', 'testing', true, 1)]);
        await waitFor(async () => exportedTotals(await exporter.metrics()).get('remote-skill') === 1, 1000);
      } finally {
        await exporter.close();
        await other.close();
        await store.close();
      }
    });
  }
});

describe('createMetricsExporter bad options', () => {
  it('names the option', async () => {
    const [factory] = storeFactories;
    const { store } = await factory!.create();
    try {
      expect(() => createMetricsExporter({ store, maxSkillNames: 0 })).toThrow(ValidationError);
      expect(() => createMetricsExporter({ store, maxSkillNames: 0 })).toThrow('maxSkillNames: expected a positive integer (got 0)');
      expect(() => createMetricsExporter({ store, prefix: 'bad-prefix' })).toThrow('prefix: expected a metric name prefix');
    } finally {
      await store.close();
      await factory!.cleanup();
    }
  });
});
