import type { Kysely } from 'kysely';

// The connections (Kysely instances) inside a migration run's transaction: defineMigration opens
// no transaction of its own there. A file of its own so that the migrations need not import the runner.
const runConnections = new WeakSet<Kysely<any>>();

/** Whether `db` is the connection of a migration run (already inside its transaction). */
export function isInMigrationRun(db: Kysely<any>): boolean {
  return runConnections.has(db);
}

export function enterMigrationRun(db: Kysely<any>): void {
  runConnections.add(db);
}

export function leaveMigrationRun(db: Kysely<any>): void {
  runConnections.delete(db);
}
