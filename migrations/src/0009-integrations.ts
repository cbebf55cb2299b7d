import { defineMigration } from './define-migration.js';

/**
 * V9: what @skills/integrations needs to turn outside sources (Claude Code's hooks, OpenTelemetry
 * logs and transcripts) into invocations.
 * - `integration_pending`: runs a source opened and nothing has closed yet (a PreToolUse without
 *   its PostToolUse, a typed `/skill` until the turn ends), and the session's last prompt when
 *   prompts are recorded — kept in the store, so a restart of the server loses none of them; a
 *   run still open at `expires_at` is recorded as abandoned.
 * - `integration_runs`: for each invocation an integration recorded, where it came from: the
 *   sources that reported it (one run seen by hooks, logs and a transcript is one invocation),
 *   the tool, the project (working directory) and the client's version.
 */
export const integrations = defineMigration({
  async up(db) {
    await db.schema
      .createTable('integration_pending')
      .addColumn('key', 'text', (col) => col.primaryKey().notNull())
      .addColumn('source', 'text', (col) => col.notNull())
      .addColumn('kind', 'text', (col) => col.notNull())
      .addColumn('session_id', 'text', (col) => col.notNull())
      .addColumn('payload', 'text', (col) => col.notNull())
      .addColumn('opened_at', 'bigint', (col) => col.notNull())
      .addColumn('expires_at', 'bigint', (col) => col.notNull())
      .execute();
    await db.schema.createIndex('integration_pending_expires').on('integration_pending').column('expires_at').execute();
    await db.schema.createIndex('integration_pending_session').on('integration_pending').columns(['session_id', 'kind']).execute();

    await db.schema
      .createTable('integration_runs')
      .addColumn('invocation_id', 'text', (col) => col.primaryKey().notNull())
      .addColumn('source', 'text', (col) => col.notNull())
      .addColumn('sources', 'text', (col) => col.notNull())
      .addColumn('tool_name', 'text')
      .addColumn('run_key', 'text')
      .addColumn('project', 'text')
      .addColumn('client_version', 'text')
      .addColumn('agent_type', 'text')
      .addColumn('trigger', 'text')
      .addColumn('first_seen_at', 'bigint', (col) => col.notNull())
      .addColumn('updated_at', 'bigint', (col) => col.notNull())
      .execute();
    await db.schema.createIndex('integration_runs_project').on('integration_runs').column('project').execute();
  },

  async down(db) {
    await db.schema.dropTable('integration_runs').execute();
    await db.schema.dropTable('integration_pending').execute();
  },
});
