import type { Kysely, Migration } from 'kysely';

/** A migration whose `down` is mandatory: every version here is reversible. */
export interface ReversibleMigration extends Migration {
  up(db: Kysely<any>): Promise<void>;
  down(db: Kysely<any>): Promise<void>;
}

/**
 * Makes each step atomic. Kysely's Migrator wraps a run in a transaction only on dialects it
 * considers to have transactional DDL (PostgreSQL); SQLite has it too, so there we open one per
 * step ourselves, and a failing step leaves no half-built schema behind.
 */
export function defineMigration(steps: ReversibleMigration): ReversibleMigration {
  return {
    up: (db) => atomically(db, steps.up),
    down: (db) => atomically(db, steps.down),
  };
}

async function atomically(db: Kysely<any>, step: (db: Kysely<any>) => Promise<void>): Promise<void> {
  if (db.isTransaction) return step(db);
  await db.transaction().execute((trx) => step(trx));
}
