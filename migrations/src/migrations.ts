import type { Migration } from 'kysely';
import { initial } from './0001-initial.js';
import { search } from './0002-search.js';
import { workflowCorrelation } from './0003-workflow-correlation.js';
import { analytics } from './0004-analytics.js';
import { abtest } from './0005-abtest.js';
import { predictor } from './0006-predictor.js';
import { collab } from './0007-collab.js';
import { leanIngest } from './0008-lean-ingest.js';
import { integrations } from './0009-integrations.js';
import { ciIntegrations } from './0010-ci-integrations.js';
import { skillPhaseTotals } from './0011-skill-phase-totals.js';
import { readPaths } from './0012-read-paths.js';

/** Names of the migrations, in the order they apply. */
export type MigrationName =
  | '0001_initial'
  | '0002_search'
  | '0003_workflow_correlation'
  | '0004_analytics'
  | '0005_abtest'
  | '0006_predictor'
  | '0007_collab'
  | '0008_lean_ingest'
  | '0009_integrations'
  | '0010_ci_integrations'
  | '0011_skill_phase_totals'
  | '0012_read_paths';

/** Every migration, keyed by the name Kysely records in its migration table. */
export const migrations: Record<string, Migration> = Object.freeze({
  '0001_initial': initial,
  '0002_search': search,
  '0003_workflow_correlation': workflowCorrelation,
  '0004_analytics': analytics,
  '0005_abtest': abtest,
  '0006_predictor': predictor,
  '0007_collab': collab,
  '0008_lean_ingest': leanIngest,
  '0009_integrations': integrations,
  '0010_ci_integrations': ciIntegrations,
  '0011_skill_phase_totals': skillPhaseTotals,
  '0012_read_paths': readPaths,
} satisfies Record<MigrationName, Migration>);

/** The name of the newest migration: a database at this version has the whole schema. */
export const latestVersion: MigrationName = '0012_read_paths';
