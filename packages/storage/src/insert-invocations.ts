import type { InsertIgnoreStatement } from './dialect/store-driver.js';
import type { InvocationRow } from './invocation.js';

/**
 * The recorder's insert of a batch's invocations: a repeated id is skipped, never counted twice
 * (the driver adds RETURNING where it needs it to tell which rows went in). Like every statement
 * the recorder runs, it places row fields as plain values, so the SQLite driver can compile it
 * once and bind rows to it, and PostgreSQL can run it over many rows. The recorded-events driver
 * wrapper recognises it by identity.
 */
export const insertInvocations: InsertIgnoreStatement<InvocationRow> = (db, rows) =>
  db
    .insertInto('skill_invocation')
    .values(rows)
    .onConflict((oc) => oc.column('id').doNothing());
