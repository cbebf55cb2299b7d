export type { SeriesPoint } from './series.js';
export { METRICS, type Metric } from './metrics.js';
export { trend, MIN_TREND_DAYS, type Trend, type TrendDirection, type TrendOptions } from './trend/trend.js';
export type { DailyPoint } from './trend/daily-points.js';
export { linearRegression, type LinearFit } from './trend/linear-regression.js';
export { mannKendall, type MannKendall } from './trend/mann-kendall.js';
export { theilSen, type TheilSen } from './trend/theil-sen.js';
export { detectAnomalies, type Anomaly, type AnomalyType, type DetectOptions } from './anomalies/detect-anomalies.js';
export { DETECTION_METHODS, type DetectionMethod, type DetectionOptions } from './anomalies/options.js';
export { replayAnomalies, type AnomalyEpisode } from './anomalies/replay-anomalies.js';
export { explainAnomalies, type HourExplanation } from './anomalies/explain-hours.js';
export type { NotJudgedCode } from './anomalies/judgement.js';
export { skillTrend, type SkillTrendOptions } from './store/skill-trend.js';
export {
  detectAndRecordAnomalies,
  type DetectAndRecordOptions,
  type DetectAndRecordResult,
  type NotJudgedHour,
} from './store/detect-and-record.js';
export { listAnomalies, type ListAnomaliesOptions, type RecordedAnomaly } from './store/list-anomalies.js';
export { onAnomalies, type AnomalyEvent } from './store/anomaly-events.js';
export { ValidationError, NotFoundError } from '@skills/storage';
