export { startServer, type StartServerOptions, type SkillsServer } from './start-server.js';
export {
  buildServer,
  API_ROUTES,
  type BuildServerOptions,
  type ServerPlugin,
  type ServerPluginOptions,
  type MetricsSource,
} from './build-server.js';
export {
  resolveServerConfig,
  SERVER_OPTIONS,
  ConfigError,
  type ServerConfig,
  type ServerFlags,
  type ServerOption,
  type ServerOptionKey,
  type LogLevel,
} from './config.js';
export { createAnomalyJob, type AnomalyJob, type AnomalyJobOptions, type AnomalyRunResult } from './anomaly-job.js';
export { openApiDocument, type OpenApiInfo } from './openapi.js';
export { mapError, HttpError, errorBodySchema, type ErrorBody, type ErrorCode } from './http-errors.js';
export { openServerStore, type ServerStore } from './open-server-store.js';
export { MAX_BATCH_ITEMS } from './routes/ingest.js';
export { runServerProcess, addServerOptions } from './run.js';
export { createRetentionJob, type RetentionJob, type RetentionJobOptions, type RetentionRunResult } from './retention-job.js';
