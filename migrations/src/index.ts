export { migrations, latestVersion, type MigrationName } from './migrations.js';
export { downLosses, PRUNED_BEFORE_KEY } from './down-losses.js';
export { indexPendingSearchRows, hasPendingSearchRows } from './0008-lean-ingest.js';
export { extendTimeBounds, TIME_BOUNDS_BLOCK_SHIFT } from './0012-read-paths.js';
export {
  migrationProvider,
  createMigrator,
  migrateToLatest,
  migrateTo,
  migrateDown,
  migrationStatus,
  rollbackLosses,
  type MigratorOptions,
  type RollbackOptions,
  type MigrationStatus,
} from './migrator.js';
export {
  MigrationError,
  NewerSchemaError,
  DataLossError,
  UnsupportedDialectError,
  type DownLoss,
  type MigrationDirection,
  type MigrationErrorDetails,
} from './errors.js';
export type {
  SkillsViews,
  SessionSkillSummaryView,
  SkillEffectivenessView,
  TopSkillsView,
  SkillEffectivenessByPhaseView,
  WorkflowPhasePatternsView,
  SkillsByPhaseUsageView,
  RealtimeSkillDashboardView,
  SkillEffectivenessTrendView,
  CommunityBaselineComparisonView,
  SkillDependencyNetworkView,
  AbTestSummaryView,
  MultimodalSkillCatalogView,
} from './views.js';
