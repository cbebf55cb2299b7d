import { sql, type Kysely } from 'kysely';
import type { DialectName } from './databases.js';

export interface ColumnSnapshot {
  name: string;
  type: string;
  nullable: boolean;
  default: string | null;
}

export interface IndexSnapshot {
  name: string;
  table: string;
  /** Uniqueness, columns in order and partiality (SQLite); the index definition (PostgreSQL). */
  definition: string;
}

/** Everything a migration can add or remove, in a stable order. */
export interface SchemaSnapshot {
  tables: Record<string, ColumnSnapshot[]>;
  views: Record<string, string[]>;
  indexes: IndexSnapshot[];
  triggers: string[];
}

// Kysely's own bookkeeping is created once and never dropped by a migration.
const BOOKKEEPING = new Set(['kysely_migration', 'kysely_migration_lock']);

export async function snapshotSchema(db: Kysely<any>, dialect: DialectName): Promise<SchemaSnapshot> {
  return dialect === 'sqlite' ? snapshotSqlite(db) : snapshotPostgres(db);
}

async function snapshotSqlite(db: Kysely<any>): Promise<SchemaSnapshot> {
  const objects = (
    await sql<{ name: string; type: string; tbl_name: string }>`
      SELECT name, type, tbl_name FROM sqlite_master
      WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name`.execute(db)
  ).rows.filter((o) => !BOOKKEEPING.has(o.tbl_name));

  const snapshot: SchemaSnapshot = { tables: {}, views: {}, indexes: [], triggers: [] };
  for (const o of objects) {
    if (o.type === 'table' || o.type === 'view') {
      const columns = (
        await sql<{ name: string; type: string; notnull: number; dflt_value: string | null; pk: number }>`
          SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(${o.name}) ORDER BY cid`.execute(db)
      ).rows;
      if (o.type === 'view') {
        snapshot.views[o.name] = columns.map((c) => c.name);
        continue;
      }
      snapshot.tables[o.name] = columns.map((c) => ({
        name: c.name,
        type: c.type.toLowerCase(),
        nullable: c.notnull === 0 && c.pk === 0,
        default: c.dflt_value,
      }));
      const indexes = (
        await sql<{ name: string; unique: number; partial: number }>`
          SELECT name, "unique", partial FROM pragma_index_list(${o.name})`.execute(db)
      ).rows;
      for (const index of indexes) {
        const columnsOfIndex = (
          await sql<{ name: string | null }>`
            SELECT name FROM pragma_index_info(${index.name}) ORDER BY seqno`.execute(db)
        ).rows;
        snapshot.indexes.push({
          name: index.name,
          table: o.name,
          definition:
            (index.unique ? 'UNIQUE ' : '') +
            columnsOfIndex.map((c) => c.name ?? '<expr>').join(', ') +
            (index.partial ? ' (partial)' : ''),
        });
      }
    } else if (o.type === 'trigger') {
      snapshot.triggers.push(`${o.tbl_name}.${o.name}`);
    }
  }
  snapshot.indexes.sort((a, b) => a.name.localeCompare(b.name));
  return snapshot;
}

// pg_catalog rather than information_schema: the same facts, several times faster to read.
async function snapshotPostgres(db: Kysely<any>): Promise<SchemaSnapshot> {
  const columns = (
    await sql<{
      table_name: string;
      kind: string;
      column_name: string;
      data_type: string;
      nullable: boolean;
      column_default: string | null;
    }>`
      SELECT c.relname AS table_name, c.relkind AS kind, a.attname AS column_name,
             format_type(a.atttypid, a.atttypmod) AS data_type, NOT a.attnotnull AS nullable,
             pg_get_expr(d.adbin, d.adrelid) AS column_default
      FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
      WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'v')
      ORDER BY c.relname, a.attnum`.execute(db)
  ).rows.filter((c) => !BOOKKEEPING.has(c.table_name));

  const snapshot: SchemaSnapshot = { tables: {}, views: {}, indexes: [], triggers: [] };
  for (const c of columns) {
    if (c.kind === 'v') {
      const view = snapshot.views[c.table_name] ?? [];
      snapshot.views[c.table_name] = view;
      view.push(c.column_name);
    } else {
      const table = snapshot.tables[c.table_name] ?? [];
      snapshot.tables[c.table_name] = table;
      table.push({
        name: c.column_name,
        type: c.data_type,
        nullable: c.nullable,
        default: c.column_default,
      });
    }
  }
  const indexes = (
    await sql<{ indexname: string; tablename: string; indexdef: string }>`
      SELECT indexname, tablename, indexdef FROM pg_indexes
      WHERE schemaname = current_schema() ORDER BY indexname`.execute(db)
  ).rows.filter((i) => !BOOKKEEPING.has(i.tablename));
  snapshot.indexes = indexes.map((i) => ({
    name: i.indexname,
    table: i.tablename,
    definition: i.indexdef.replace(/ ON \S+\./, ' ON '),
  }));
  snapshot.triggers = (
    await sql<{ name: string }>`
      SELECT c.relname || '.' || t.tgname AS name
      FROM pg_trigger t
      JOIN pg_class c ON c.oid = t.tgrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND NOT t.tgisinternal
      ORDER BY 1`.execute(db)
  ).rows.map((t) => t.name);
  return snapshot;
}
