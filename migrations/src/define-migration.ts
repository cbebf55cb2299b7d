import type { Kysely, Migration } from 'kysely';
import { isInMigrationRun } from './run-connections.js';

/** A migration whose `down` is mandatory: every version here is reversible. */
export interface ReversibleMigration extends Migration {
  up(db: Kysely<any>): Promise<void>;
  down(db: Kysely<any>): Promise<void>;
}

/**
 * Makes each step atomic when it runs outside this package's runner (which holds one transaction
 * for the whole run): Kysely's own Migrator opens a transaction only on dialects it considers to
 * have transactional DDL (PostgreSQL); SQLite has it too, so there we open one per step.
 */
export function defineMigration(steps: ReversibleMigration): ReversibleMigration {
  return {
    up: (db) => atomically(db, steps.up),
    down: (db) => atomically(db, steps.down),
  };
}

async function atomically(db: Kysely<any>, step: (db: Kysely<any>) => Promise<void>): Promise<void> {
  if (db.isTransaction || isInMigrationRun(db)) return step(db);
  await db.transaction().execute((trx) => step(trx));
}
