export { openStore, DEFAULT_STORE_URL, type OpenStoreOptions } from './open-store.js';
export { parseStoreUrl, sqliteFileOf, redactUrl, storeSecretHome, type StoreLocation } from './store-location.js';
export { keyFilePath, readKeyFile, KeyFileError, type KeyFileSecret } from './key-file.js';
export type { Store, RecordedEvent } from './store.js';
export { writeTransaction } from './write-transaction.js';
export { watchRecorded, snapshotThenWatch, type RecordedInvocation, type WatchRecordedOptions } from './recorded-events.js';
export type { AbTestUserSums, CiJobsTable, IntegrationDeliveriesTable, SkillsDatabase } from './schema.js';
export { EXPERIMENT_STATUSES } from './schema.js';
export { recordInvocations, recordInvocation, type RecordOptions, type RecordResult } from './record-invocations.js';
export { invocationInputSchema, type InvocationInput } from './invocation.js';
export { parseIsoTime, parseTimeText, type IsoTime, type TimeText } from './iso-time.js';
export { HOUR_MS, DAY_MS } from './rollups/rollup.js';
export {
  invocationSchema,
  INVOCATION_COLUMNS,
  INVOCATION_LIMITS,
  MAX_DURATION_SECONDS,
  MAX_EPOCH_MS,
  WORKFLOW_PHASES,
  type WorkflowPhase,
} from './invocation-fields.js';
export { getSkillMetrics, type SkillMetrics } from './queries/skill-metrics.js';
export { topSkills, TOP_SKILLS_ORDERS, type TopSkill, type TopSkillsOptions, type TopSkillsOrder } from './queries/top-skills.js';
export { hourlySeries, type HourlyPoint, type HourlySeriesOptions } from './queries/hourly-series.js';
export { listInvocations, type ListInvocationsOptions, type InvocationPage } from './queries/list-invocations.js';
export type { Invocation } from './queries/invocation-view.js';
export {
  searchInvocations,
  searchInvocationOutcomes,
  searchWords,
  refreshSearchIndex,
  type InvocationOutcome,
  type SearchOptions,
} from './queries/search-invocations.js';
export { sessionSummary, sessionSummarySchema, type SessionSummary } from './queries/session-summary.js';
export { initializeTaxonomy, listTaxonomy, mapSkillToCategory, type Taxonomy, type TaxonomyInitResult } from './taxonomy.js';
export {
  StorageError,
  ValidationError,
  NotFoundError,
  StoreOpenError,
  StoreReadOnlyError,
  UserPseudonymSecretError,
  type FieldIssue,
} from './errors.js';
export { MigrationError, NewerSchemaError, DataLossError } from '@skills/migrations';
export {
  migrateStore,
  rollbackStore,
  storeMigrationStatus,
  storeRollbackLosses,
  type MigrationStatus,
  type DownLoss,
} from './migrate-store.js';
export { verifyRollups, type RollupMismatch } from './verify-rollups.js';
export { rebuildRollups, type RebuildOptions, type RebuildResult } from './rollups/rebuild-rollups.js';
export { DURATION_HISTOGRAM_LAYOUT, durationQuantile, sampleQuantile } from './rollups/duration-histogram.js';
export { SKILL_DURATION_BUCKETS, readSkillPhaseTotals, type SkillPhaseTotal } from './rollups/skill-phase-totals.js';
export { userPseudonym, hasUserPseudonyms, forgetUserInteractions, MIN_SECRET_BYTES } from './user-pseudonyms.js';
export { forgetUserRecords, eraseUserInvocations, type ForgottenRecords } from './erase-user.js';
export { importLegacyDatabase, type LegacyImportOptions, type LegacyImportReport } from './legacy/import-legacy.js';
export { openLegacyDatabase, LegacyDatabaseError, type LegacyDatabase, type LegacyProblem } from './legacy/legacy-database.js';
export type { LegacyTableReport } from './legacy/legacy-report.js';
export { legacyTime, legacyId } from './legacy/legacy-values.js';
export { pruneInvocations, prunedBefore, parseRetentionPeriod, type PruneOptions, type PruneResult } from './prune.js';
export { backupStore, BackupError, type BackupOptions, type BackupResult } from './dialect/sqlite/sqlite-backup.js';
