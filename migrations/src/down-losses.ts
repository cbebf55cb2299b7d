import { sql, type Kysely } from 'kysely';
import type { DownLoss } from './errors.js';
import type { MigrationName } from './migrations.js';

/** One table or column a migration's `down` drops. */
interface Dropped {
  table: string;
  /** A column of `table`; the whole table when absent. */
  column?: string;
  /** What the user loses, in their words. */
  meaning: string;
  kind: DownLoss['kind'];
}

const table = (name: string, meaning: string, kind: DownLoss['kind'] = 'data'): Dropped => ({ table: name, meaning, kind });
const column = (name: string, col: string, meaning: string, kind: DownLoss['kind'] = 'data'): Dropped => ({
  table: name,
  column: col,
  meaning,
  kind,
});

/**
 * What each `down` drops that can hold rows. `derived`: rollups the store recomputes from
 * `skill_invocation` (`rebuildRollups`, and automatically when a migration recreates them);
 * everything else is gone for good once dropped. Search indexes are left out: every `up` that
 * creates one fills it.
 */
const DROPPED: Record<MigrationName, Dropped[]> = {
  '0001_initial': [
    table('skill_invocation', 'every recorded invocation'),
    table('skill_metrics', 'per-skill totals', 'derived'),
    table('session_skills', 'per-session rollups', 'derived'),
    table('mv_daily_skills', 'daily rollups', 'derived'),
  ],
  '0002_search': [column('skill_invocation', 'embedding', 'the invocations’ embeddings')],
  '0003_workflow_correlation': [
    column('skill_invocation', 'workflow_phase', 'the invocations’ workflow phases'),
    column('skill_invocation', 'workflow_step_id', 'the invocations’ workflow step ids'),
  ],
  '0004_analytics': [
    table('skill_categories', 'the taxonomy’s categories'),
    table('skill_category_mapping', 'the taxonomy’s skill mappings'),
    table('skill_modalities', 'the taxonomy’s modalities'),
    table('skill_dependencies', 'the taxonomy’s declared dependencies'),
    table('ab_test_configs', 'the A/B experiments'),
    table('ab_test_assignments', 'the A/B assignments'),
    table('ab_test_outcomes', 'the A/B outcomes'),
    table('skill_clusters', 'the skill clusters'),
    table('skill_cluster_membership', 'the skill cluster memberships'),
    table('skill_anomalies', 'the recorded anomalies'),
    table('skill_community_baselines', 'the community baselines'),
    table('skill_user_interactions', 'per-user interaction rollups', 'derived'),
    table('skill_metrics_cache', 'the 1 h / 24 h cache', 'derived'),
    table('skill_time_series', 'hourly rollups', 'derived'),
  ],
  '0005_abtest': [table('ab_test_user_stats', 'the A/B per-user statistics (and their CUPED covariates)')],
  '0006_predictor': [table('predictor_models', 'the trained predictor models')],
  '0007_collab': [
    table('skill_user_opt_outs', 'the list of forgotten users (they would come back on the next open with a secret)'),
    table('store_settings', 'the user-pseudonym secret check (any secret would then be accepted)'),
    column('skill_metrics', 'workflow_phases', 'per-skill workflow phase tallies', 'derived'),
  ],
  '0008_lean_ingest': [column('skill_metrics_cache', 'hourly_window', 'the cached 24-hour windows', 'derived')],
  '0009_integrations': [
    table('integration_pending', 'runs Claude Code opened that no result has closed yet, and remembered prompts'),
    table('integration_runs', 'where each integration-recorded invocation came from (sources, project, client version)'),
  ],
  '0010_ci_integrations': [
    table('ci_jobs', 'the CI jobs and pipeline runs (pipeline, stage, commit, attempt) behind the CI reports'),
    table('integration_deliveries', 'the webhook delivery ids that keep replayed deliveries from being written twice'),
  ],
  '0011_skill_phase_totals': [
    table('skill_phase_totals', 'per skill, phase and completion totals with duration buckets (the metrics exporter’s)', 'derived'),
  ],
  // The search's time bounds are part of its index (rebuilt by every up that creates them).
  '0012_read_paths': [],
};

/**
 * Everything the `down` of `names` would drop that holds rows right now, in the order given
 * (rolling back runs newest first). Reads counts only.
 *
 * @example
 * await downLosses(db, ['0008_lean_ingest', '0007_collab'])
 * // [{ migration: '0007_collab', what: 'table skill_user_opt_outs (…)', rows: 3, kind: 'data' }, …]
 */
export async function downLosses(db: Kysely<any>, names: readonly string[]): Promise<DownLoss[]> {
  // A pruned store's rollups hold the history before the cut alone: not derived any more. Only
  // stores at 0007 or later have store_settings: a rollback of 0007 or a later one runs on such a store.
  const cut = names.some((name) => name >= '0007_collab') ? await prunedBefore(db) : null;
  const losses: DownLoss[] = [];
  for (const name of names) {
    for (const dropped of DROPPED[name as MigrationName] ?? []) {
      const rows = await countRows(db, dropped);
      if (rows === 0) continue;
      const what = dropped.column === undefined ? `table ${dropped.table}` : `column ${dropped.table}.${dropped.column}`;
      if (dropped.kind === 'derived' && cut !== null) {
        losses.push({
          migration: name,
          what: `${what} (${dropped.meaning}; the only record of the invocations before ${new Date(cut).toISOString()}, which were pruned)`,
          rows,
          kind: 'data',
        });
      } else {
        losses.push({ migration: name, what: `${what} (${dropped.meaning})`, rows, kind: dropped.kind });
      }
    }
  }
  return losses;
}

/** The `store_settings` key of the cut of the store's latest prune (storage's `pruneInvocations`). */
export const PRUNED_BEFORE_KEY = 'retention.pruned_before';

/** The cut of the store's latest prune, or null. */
async function prunedBefore(db: Kysely<any>): Promise<number | null> {
  const { rows } = await sql<{ value: string }>`SELECT value FROM store_settings WHERE key = ${PRUNED_BEFORE_KEY}`.execute(db);
  const cut = rows[0] === undefined ? NaN : Number(rows[0].value);
  return Number.isFinite(cut) ? cut : null;
}

async function countRows(db: Kysely<any>, dropped: Dropped): Promise<number> {
  const where = dropped.column === undefined ? sql`` : sql` WHERE ${sql.ref(dropped.column)} IS NOT NULL`;
  const { rows } = await sql<{ n: number | string }>`SELECT COUNT(*) AS n FROM ${sql.table(dropped.table)}${where}`.execute(db);
  return Number(rows[0]?.n ?? 0);
}
