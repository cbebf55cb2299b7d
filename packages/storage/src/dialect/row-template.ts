import type { Kysely } from 'kysely';
import type { SkillsDatabase } from '../schema.js';

const MARK = '\u0001skills-field:';

/** A statement compiled once for a placeholder row, and the recipe to bind a real row to it. */
export interface RowTemplate {
  sql: string;
  bind(row: object): unknown[];
}

/**
 * Compile `build` for one placeholder row whose every field is a marker string, then map each
 * compiled parameter back to the field it came from. Binding a real row is then an array map,
 * with no query building per row.
 */
export function compileRowTemplate(
  db: Kysely<SkillsDatabase>,
  build: (db: Kysely<SkillsDatabase>, rows: object[]) => { compile(): { sql: string; parameters: readonly unknown[] } },
  fields: readonly string[],
): RowTemplate {
  const placeholder: Record<string, string> = {};
  for (const field of fields) placeholder[field] = MARK + field;
  const compiled = build(db, [placeholder]).compile();
  const sources = compiled.parameters.map((value) =>
    typeof value === 'string' && value.startsWith(MARK) ? { field: value.slice(MARK.length) } : { value },
  );
  return {
    sql: compiled.sql,
    bind(row) {
      const record = row as Record<string, unknown>;
      return sources.map((source) => ('field' in source ? record[source.field!] : source.value));
    },
  };
}
