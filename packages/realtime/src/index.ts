export { createRealtimeHub, type RealtimeHub, type RealtimeHubOptions, type HubStats } from './hub/realtime-hub.js';
export { CLOSE_CODES, type Channel } from './hub/protocol.js';
export type { TopSkillEntry, SnapshotAnomaly, SkillNumbers } from './hub/snapshots.js';
export { createMetricsExporter, type MetricsExporter, type MetricsExporterOptions } from './exporter/metrics-exporter.js';
export { DURATION_BUCKETS } from './exporter/initial-totals.js';
export type { Logger } from './logger.js';
