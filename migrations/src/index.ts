export { migrations, latestVersion, type MigrationName } from './migrations.js';
export { indexPendingSearchRows, hasPendingSearchRows } from './0008-lean-ingest.js';
export {
  migrationProvider,
  createMigrator,
  migrateToLatest,
  migrateTo,
  migrateDown,
  migrationStatus,
  type MigratorOptions,
  type MigrationStatus,
} from './migrator.js';
export {
  MigrationError,
  UnsupportedDialectError,
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
