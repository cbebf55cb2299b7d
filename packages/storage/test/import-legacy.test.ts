import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { importLegacyDatabase, LegacyDatabaseError, listInvocations, openStore, verifyRollups, type Store } from '../src/index.js';
import { storeFactories } from './helpers.js';
import { buildLegacyDatabase, embeddingBytes, legacyMetrics } from './legacy-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'skills-legacy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const at = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0) => Date.UTC(y, mo - 1, d, h, mi, s, ms);

async function count(store: Store, table: 'skill_invocation' | 'ab_test_configs' | 'skill_categories'): Promise<number> {
  const row = await store.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('importLegacyDatabase: versions V1-V3 [sqlite]', () => {
  it.each([1, 2, 3] as const)(
    'reads a V%i database: times to epoch ms (naive = UTC), stable ids, odd rows skipped with reasons',
    async (version) => {
      const path = join(dir, `v${version}.db`);
      buildLegacyDatabase(path, version);
      const before = sha256(path);
      const store = await openStore(':memory:');
      try {
        const report = await importLegacyDatabase(store, path, { now: at(2026, 3, 1) });
        expect(report.version).toBe(version);
        expect(report.naiveTimestamps).toBe(1);
        expect(report.tables).toEqual([
          {
            table: 'skill_invocation',
            into: 'skill_invocation',
            found: 6,
            imported: 4,
            alreadyImported: 0,
            skipped: [
              { reason: 'invoked_at: not an ISO-8601 timestamp', count: 1 },
              { reason: 'session_id: must not be empty', count: 1 },
            ],
            adjusted: [{ note: 'follow_up_actions not a JSON array: left empty', count: 1 }],
          },
        ]);
        const page = await listInvocations(store, { order: 'asc', includeEmbedding: true });
        const id = (n: number) => `sb_${report.identity}_i${n}`;
        expect(page.items.map((i) => [i.id, i.skill_name, i.invoked_at, i.session_id, i.completed, i.duration_seconds])).toEqual([
          [id(2), 'pytest-run', at(2026, 2, 10, 11, 30), 's1', true, null],
          [id(1), 'pytest-run', at(2026, 2, 10, 12, 0, 0, 123), 's1', true, 4.5],
          [id(3), 'ruff-check', at(2026, 2, 10, 14), 's2', false, null],
          [id(4), 'ruff-check', at(2026, 2, 11, 9, 15), 's2', false, null],
        ]);
        const first = page.items[1]!;
        expect(first).toMatchObject({
          user_query: 'run the auth tests',
          alternatives_considered: ['ruff-check'],
          selection_rank: 1,
          follow_up_actions: ['git-commit', 'git-push'],
          workflow_path: 'comprehensive',
        });
        expect(first.workflow_phase).toBe(version >= 3 ? 'execution' : null);
        if (version >= 2) expect(Buffer.from(new Float32Array(first.embedding!).buffer)).toEqual(embeddingBytes(1));
        else expect(first.embedding ?? null).toBeNull();
        expect(await verifyRollups(store)).toEqual([]);
        expect(sha256(path)).toBe(before);
      } finally {
        await store.close();
      }
    },
  );

  it('keeps tallies verbatim where the original nested dotted keys, and does not count an unknown duration as 0 s', async () => {
    const path = join(dir, 'tallies.db');
    buildLegacyDatabase(path, 3);
    // The original's own trigger output: the dotted error type became a nested object, only the
    // first follow-up action was counted, the NULL duration averaged in as 0 s.
    expect(JSON.parse(String(legacyMetrics(path, 'ruff-check').common_errors))).toEqual({ 'ImportError: x': { y: 2 } });
    expect(JSON.parse(String(legacyMetrics(path, 'ruff-check').workflow_paths))).toEqual({ odd: { 'path/v2': 1 } });
    expect(legacyMetrics(path, 'pytest-run')).toMatchObject({
      avg_duration_seconds: 2.25,
      follow_up_actions: '{"git-commit":1}',
      completion_rate: 100,
    });
    const store = await openStore(':memory:');
    try {
      await importLegacyDatabase(store, path);
      const rows = await store.db.selectFrom('skill_metrics').selectAll().orderBy('skill_name').execute();
      expect(
        rows.map((r) => [
          r.skill_name,
          r.total_invocations,
          r.completed_invocations,
          r.avg_duration_seconds,
          r.completion_rate,
          JSON.parse(r.common_errors),
          JSON.parse(r.workflow_paths),
          JSON.parse(r.follow_up_actions),
          JSON.parse(r.workflow_phases),
        ]),
      ).toEqual([
        ['pytest-run', 2, 2, 4.5, 1, {}, { comprehensive: 1 }, { 'git-commit': 1, 'git-push': 1 }, { execution: 1 }],
        ['ruff-check', 2, 0, null, 0, { 'ImportError: x.y': 2 }, { 'odd.path/v2': 1 }, {}, { bikeshedding: 1 }],
      ]);
    } finally {
      await store.close();
    }
  });

  it('detects the version from the columns when skill_migrations has no rows', async () => {
    const path = join(dir, 'norows.db');
    buildLegacyDatabase(path, 3, { migrationRows: false });
    const store = await openStore(':memory:');
    try {
      expect((await importLegacyDatabase(store, path)).version).toBe(3);
    } finally {
      await store.close();
    }
  });
});

describe.each(storeFactories)('importLegacyDatabase: V4 [$name]', (factory) => {
  afterAll(() => factory.cleanup());

  it('carries over invocations, interactions, taxonomy and A/B tests; re-running imports nothing twice', async () => {
    const path = join(dir, `v4-${factory.name}.db`);
    buildLegacyDatabase(path, 4);
    const before = sha256(path);
    const { store } = await factory.create({ userPseudonymSecret: 'a-secret-of-at-least-16-bytes' });
    try {
      const report = await importLegacyDatabase(store, path, { now: at(2026, 3, 1) });
      expect(report.version).toBe(4);
      expect(report.naiveTimestamps).toBe(7);
      const byTable = Object.fromEntries(report.tables.map((t) => [t.table, t]));
      expect(Object.keys(byTable)).toEqual([
        'skill_invocation',
        'skill_user_interactions',
        'skill_categories',
        'skill_category_mapping',
        'skill_modalities',
        'skill_dependencies',
        'ab_test_configs',
        'ab_test_assignments',
        'ab_test_outcomes',
      ]);
      expect(byTable.skill_invocation).toMatchObject({ found: 6, imported: 4 });
      expect(byTable.skill_user_interactions).toMatchObject({
        found: 2,
        imported: 1,
        skipped: [],
        adjusted: [
          { note: 'matched a logged invocation: gave its session a user', count: 1 },
          { note: 'rating not kept (an invocation has no rating)', count: 1 },
        ],
      });
      expect(byTable.skill_categories).toMatchObject({ found: 2, imported: 2, adjusted: [{ note: 'no domain: general', count: 1 }] });
      expect(byTable.skill_category_mapping).toMatchObject({
        found: 2,
        imported: 1,
        skipped: [{ reason: 'category_id names no category', count: 1 }],
      });
      expect(byTable.skill_modalities).toMatchObject({ found: 1, imported: 1 });
      expect(byTable.skill_dependencies).toMatchObject({
        found: 2,
        imported: 1,
        skipped: [{ reason: 'lift_score NULL (a dependency needs its lift)', count: 1 }],
      });
      expect(byTable.ab_test_configs).toMatchObject({ found: 1, imported: 1 });
      expect(byTable.ab_test_assignments).toMatchObject({ found: 2, imported: 2 });
      expect(byTable.ab_test_outcomes).toMatchObject({
        found: 3,
        imported: 2,
        skipped: [{ reason: 'its user has no assignment in the test', count: 1 }],
      });
      expect(report.notCarried.map((t) => [t.table, t.rows])).toEqual([
        ['mv_daily_skills', 0],
        ['session_skills', 4],
        ['skill_anomalies', 1],
        ['skill_cluster_membership', 0],
        ['skill_clusters', 0],
        ['skill_community_baselines', 0],
        ['skill_invocation_fts', 6],
        ['skill_metrics', 3],
        ['skill_metrics_cache', 3],
        ['skill_migrations', 4],
        ['skill_time_series', 0],
      ]);

      const users = await store.db
        .selectFrom('skill_invocation')
        .select(['id', 'user_id', 'skill_name', 'session_id'])
        .orderBy('id')
        .execute();
      expect(users).toEqual([
        { id: `sb_${report.identity}_i1`, user_id: 'alice', skill_name: 'pytest-run', session_id: 's1' },
        { id: `sb_${report.identity}_i2`, user_id: 'alice', skill_name: 'pytest-run', session_id: 's1' },
        { id: `sb_${report.identity}_i3`, user_id: null, skill_name: 'ruff-check', session_id: 's2' },
        { id: `sb_${report.identity}_i4`, user_id: null, skill_name: 'ruff-check', session_id: 's2' },
        { id: `sb_${report.identity}_u2`, user_id: 'bob', skill_name: 'git-commit', session_id: 's9' },
      ]);
      const config = await store.db.selectFrom('ab_test_configs').selectAll().executeTakeFirstOrThrow();
      expect(config).toMatchObject({
        id: `sb_${report.identity}_t1`,
        test_name: 'search-v2',
        control_strategy: 'semantic',
        treatment_strategy: 'workflow-aware',
        assignment_ratio: 0.5,
        metrics: '["completion_rate","duration"]',
        status: 'running',
        start_date: at(2026, 2, 1),
      });
      const assignments = await store.db
        .selectFrom('ab_test_assignments')
        .select(['user_id', 'variant', 'assigned_at'])
        .orderBy('user_id')
        .execute();
      expect(assignments).toEqual([
        { user_id: 'alice', variant: 'control', assigned_at: at(2026, 2, 2, 10) },
        { user_id: 'bob', variant: 'treatment', assigned_at: at(2026, 2, 2, 10) },
      ]);
      const stats = await store.db
        .selectFrom('ab_test_user_stats')
        .select([
          'user_id',
          'variant',
          'outcomes',
          'completions',
          'duration_count',
          'log_duration_sum',
          'rating_count',
          'rating_sum',
          'user_rate',
        ])
        .orderBy('user_id')
        .execute();
      expect(stats).toEqual([
        {
          user_id: 'alice',
          variant: 'control',
          outcomes: 1,
          completions: 1,
          duration_count: 1,
          log_duration_sum: Math.log(3),
          rating_count: 1,
          rating_sum: 4,
          user_rate: 1,
        },
        {
          user_id: 'bob',
          variant: 'treatment',
          outcomes: 1,
          completions: 0,
          duration_count: 0,
          log_duration_sum: 0,
          rating_count: 0,
          rating_sum: 0,
          user_rate: 0,
        },
      ]);
      const categories = await store.db
        .selectFrom('skill_categories')
        .select(['category_name', 'domain', 'parent_category'])
        .orderBy('category_name')
        .execute();
      expect(categories).toEqual([
        { category_name: 'Testing', domain: 'testing', parent_category: null },
        { category_name: 'Unit Tests', domain: 'general', parent_category: 'Testing' },
      ]);
      const interactions = await store.db
        .selectFrom('skill_user_interactions')
        .select(['skill_name', 'invocation_count'])
        .orderBy('skill_name')
        .execute();
      expect(interactions).toEqual([
        { skill_name: 'git-commit', invocation_count: 1 },
        { skill_name: 'pytest-run', invocation_count: 2 },
      ]);
      expect(await verifyRollups(store)).toEqual([]);

      const again = await importLegacyDatabase(store, path, { now: at(2026, 3, 2) });
      expect(again.identity).toBe(report.identity);
      expect(again.tables.map((t) => [t.table, t.imported])).toEqual(again.tables.map((t) => [t.table, 0]));
      expect(Object.fromEntries(again.tables.map((t) => [t.table, t.alreadyImported]))).toMatchObject({
        skill_invocation: 4,
        skill_user_interactions: 1,
        ab_test_configs: 1,
        ab_test_assignments: 2,
        ab_test_outcomes: 2,
        skill_categories: 2,
      });
      expect(await count(store, 'skill_invocation')).toBe(5);
      expect(sha256(path)).toBe(before);
    } finally {
      await store.close();
    }
  });
});

describe('importLegacyDatabase: bad input writes nothing', () => {
  const expectRefused = async (path: string, problem: string, message: RegExp) => {
    const store = await openStore(':memory:');
    try {
      const error = await importLegacyDatabase(store, path, { busyTimeoutMs: 50 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LegacyDatabaseError);
      expect((error as LegacyDatabaseError).problem).toBe(problem);
      expect((error as Error).message).toMatch(message);
      expect(await count(store, 'skill_invocation')).toBe(0);
      expect(await count(store, 'ab_test_configs')).toBe(0);
    } finally {
      await store.close();
    }
  };

  it('a file that is not SQLite, naming its first bytes', async () => {
    const path = join(dir, 'events.jsonl');
    writeFileSync(path, '{"skill_name":"x"}\n');
    await expectRefused(
      path,
      'not-sqlite',
      /events\.jsonl: not a SQLite database \(found first bytes "\{\\"skill_name\\":\\"x"\): nothing was written$/,
    );
  });

  it('an empty file', async () => {
    const path = join(dir, 'empty.db');
    writeFileSync(path, '');
    await expectRefused(path, 'not-sqlite', /not a SQLite database \(found an empty file\)/);
  });

  it('a SQLite database of something else, naming its tables', async () => {
    const path = join(dir, 'other.db');
    const db = new Database(path);
    db.exec('CREATE TABLE conversations (id INTEGER); CREATE TABLE reflections (id INTEGER)');
    db.close();
    await expectRefused(
      path,
      'not-session-buddy',
      /not a session-buddy skills database \(expected a skill_invocation table\) \(found tables conversations, reflections\)/,
    );
  });

  it('this store itself is not a session-buddy database either', async () => {
    const path = join(dir, 'ours.db');
    (await openStore(path)).close();
    await expectRefused(
      path,
      'not-session-buddy',
      /not a session-buddy skills database \(expected a skill_invocation table\) \(found a Skills Analytics store \(kysely_migration\): copy it with skills backup instead\)/,
    );
  });

  it('an unknown version, naming it', async () => {
    const path = join(dir, 'v5.db');
    buildLegacyDatabase(path, 4, { extraVersion: 'V5__conversations' });
    await expectRefused(
      path,
      'unknown-version',
      /a session-buddy schema version this importer does not know \(it reads V1-V4\) \(found skill_migrations version "V5__conversations"\)/,
    );
  });

  it('a version the columns contradict', async () => {
    const path = join(dir, 'v3-claims.db');
    buildLegacyDatabase(path, 1);
    const db = new Database(path);
    db.exec(`INSERT INTO skill_migrations (version, applied_at) VALUES ('V3__add_workflow_correlation', '2026-02-01 09:00:00')`);
    db.close();
    await expectRefused(path, 'unknown-version', /found skill_migrations records V3 but skill_invocation\.embedding is missing/);
  });

  it('a database locked by another process', async () => {
    const path = join(dir, 'locked.db');
    buildLegacyDatabase(path, 2);
    const holder = new Database(path);
    holder.pragma('journal_mode = DELETE');
    holder.exec('BEGIN EXCLUSIVE');
    try {
      await expectRefused(path, 'locked', /the database is locked by another process .* \(found SQLITE_BUSY\)/);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
  });

  it('a missing file', async () => {
    await expectRefused(join(dir, 'nope.db'), 'missing', /nope\.db: no such file \(found ENOENT\)/);
  });
});
