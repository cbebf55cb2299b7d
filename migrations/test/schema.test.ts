import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../src/index.js';
import { dialects, type TestDatabase } from './databases.js';
import { snapshotSchema, type SchemaSnapshot } from './introspect.js';
import { tableColumns, viewColumns } from './schema-columns.js';

const FTS_TABLES = [
  'skill_invocation_fts',
  'skill_invocation_fts_config',
  'skill_invocation_fts_data',
  'skill_invocation_fts_docsize',
  'skill_invocation_fts_idx',
  'skill_invocation_fts_state',
  'skill_invocation_time_bounds',
];

const TIMESTAMP_COLUMNS = new Set([
  'invoked_at',
  'created_at',
  'updated_at',
  'first_invoked',
  'last_invoked',
  'first_used',
  'last_used',
  'date',
  'hour_start',
  'last_invocation_at',
  'window_end',
  'bucket_start',
  'detected_at',
  'resolved_at',
  'start_date',
  'end_date',
  'assigned_at',
  'recorded_at',
  'forgotten_at',
]);

const sorted = (names: Iterable<string>) => [...names].sort();

for (const factory of dialects) {
  describe(`schema at the latest version (${factory.name})`, () => {
    let t: TestDatabase;
    let schema: SchemaSnapshot;
    beforeEach(async () => {
      t = await factory.create();
      await migrateToLatest(t.db);
      schema = await snapshotSchema(t.db, t.dialect);
    });
    afterEach(() => t.destroy());

    it('has exactly the tables of schema.ts (plus the FTS5 tables on SQLite)', () => {
      const expected = sorted(Object.keys(tableColumns));
      const extra = t.dialect === 'sqlite' ? FTS_TABLES : [];
      expect(sorted(Object.keys(schema.tables))).toEqual(sorted([...expected, ...extra]));
    });

    it('gives every table exactly the columns of schema.ts (plus user_query_tsv on PostgreSQL)', () => {
      for (const [table, columns] of Object.entries(tableColumns)) {
        const actual = schema.tables[table]?.map((c) => c.name) ?? [];
        const extra = t.dialect === 'postgres' && table === 'skill_invocation' ? ['user_query_tsv'] : [];
        expect({ table, columns: sorted(actual) }).toEqual({ table, columns: sorted([...columns, ...extra]) });
      }
    });

    it('stores timestamps as BIGINT, floats as double precision and booleans as integers', () => {
      const typeOf = (table: string, column: string) => schema.tables[table]?.find((c) => c.name === column)?.type;
      for (const [table, columns] of Object.entries(tableColumns)) {
        for (const column of columns.filter((c) => TIMESTAMP_COLUMNS.has(c))) {
          expect(`${table}.${column}: ${typeOf(table, column)}`).toBe(`${table}.${column}: bigint`);
        }
      }
      expect(typeOf('skill_invocation', 'duration_seconds')).toBe('double precision');
      expect(typeOf('skill_invocation', 'completed')).toBe('integer');
      expect(typeOf('skill_metrics_cache', 'is_anomalous')).toBe('integer');
      expect(typeOf('skill_invocation', 'embedding')).toBe(t.dialect === 'sqlite' ? 'blob' : 'bytea');
    });

    it('creates every view with exactly the columns its row type declares', () => {
      expect(sorted(Object.keys(schema.views))).toEqual(sorted(Object.keys(viewColumns)));
      for (const [view, columns] of Object.entries(viewColumns)) {
        expect({ view, columns: schema.views[view] }).toEqual({ view, columns });
      }
    });

    it('indexes skill_invocation with its primary key and the planned indexes only', () => {
      const names = schema.indexes.filter((i) => i.table === 'skill_invocation').map((i) => i.name);
      const primaryKey = t.dialect === 'sqlite' ? 'sqlite_autoindex_skill_invocation_1' : 'skill_invocation_pkey';
      const fullText = t.dialect === 'postgres' ? ['idx_invocation_user_query_tsv'] : [];
      expect(sorted(names)).toEqual(
        sorted([primaryKey, 'idx_invocation_skill_time', 'idx_invocation_session_time', 'idx_invocation_invoked_at', ...fullText]),
      );
      // 0012: the dashboard's reads (p95 durations by skill, active sessions) find every column they read in these.
      // SQLite's snapshot gives the columns, PostgreSQL's the definition ending in "(columns)".
      const columnsOf = (name: string) => {
        const definition = schema.indexes.find((i) => i.name === name)?.definition ?? '';
        return (/\(([^()]*)\)$/.exec(definition)?.[1] ?? definition).split(', ');
      };
      expect(columnsOf('idx_invocation_skill_time')).toEqual(['skill_name', 'invoked_at', 'completed', 'duration_seconds']);
      expect(columnsOf('idx_invocation_invoked_at')).toEqual(['invoked_at', 'session_id']);
    });
  });
}
