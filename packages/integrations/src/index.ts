export { createClaudeCodeIngest, type ClaudeCodeIngest, type ClaudeCodeIngestOptions, type IngestReport } from './claude-code/ingest.js';
export { mapHook, KNOWN_HOOK_EVENTS, type HookMapOptions } from './claude-code/hooks.js';
export { flattenLogsRequest, mapLogRecord, OtlpFormatError, PLACEHOLDER_SKILL, type LogRecord } from './claude-code/otlp-logs.js';
export { decodeLogsRequest, encodeLogsRequest, encodeLogsResponse, encodeStatus } from './claude-code/otlp-proto.js';
export { readTranscript, type TranscriptReading } from './claude-code/transcripts.js';
export { importTranscripts, type ImportTranscriptsOptions, type ProjectSummary } from './claude-code/import-transcripts.js';
export {
  parseSkillFile,
  findSkillFiles,
  registerSkillFiles,
  AGENT_SKILLS_CATEGORY,
  SkillFileError,
  type SkillFile,
} from './claude-code/skill-files.js';
export { claudeCodeSettings, mergeClaudeCodeSettings, HOOKS_PATH, LOGS_PATH, type ConnectOptions } from './claude-code/connect.js';
export { invocationIdOf } from './claude-code/run-invocation.js';
export { phaseRules, PhaseRulesError } from './claude-code/phase-rules.js';
export type { RunEvent, RunOpen, RunClose, Mapped, SkillSelection, ClaudeCodeSource } from './claude-code/run-events.js';
export { mapGithubEvent, GITHUB_EVENTS } from './github/actions.js';
export { verifyGithubSignature, signGithubPayload } from './github/signature.js';
export { mapGitlabEvent, verifyGitlabToken } from './gitlab/webhooks.js';
export { mapCiRun, ciRunInputSchema, type CiRunInput } from './ci/generic.js';
export { ciInvocation, ciInvocationId, type CiJob, type CiStatus } from './ci/ci-job.js';
export { CI_STAGES, STAGE_PHASES, STAGE_SKILLS, inferStage, type CiStage } from './ci/stages.js';
export type { CiMapped } from './ci/mapped.js';
export { createCiIngest, type CiIngest, type CiDelivery, type CiDeliveryReport } from './ci/ingest.js';
export {
  pipelineReport,
  listPipelines,
  analyzePipeline,
  flakySteps,
  formatPipelineReport,
  type PipelineReport,
  type PipelineSummary,
  type StageAnalytics,
  type Bottleneck,
  type FlakyStep,
  type Recommendation,
} from './ci/report.js';
export {
  ideContextSchema,
  ideFeedbackSchema,
  languageOfFileType,
  IDE_LANGUAGES,
  IDE_ACTIVITY_PHASES,
  type IdeLanguage,
  type IdeActivity,
  type IdeContext,
  type IdeContextInput,
  type IdeFeedback,
  type IdeFeedbackInput,
  type IdeFeedbackReport,
  type IdeRecommendation,
  type IdeRecommendations,
} from './ide/protocol.js';
export { suggestFromCode, IDE_SKILLS, type CodeHint, type CodePosition } from './ide/code-hints.js';
export { recommendForIde, rankForIde, type RankInput, type SkillHistory } from './ide/recommend.js';
export { recordIdeFeedback, feedbackInvocation, type IdeFeedbackOptions } from './ide/feedback.js';
export { createIdeClient, IdeClientError, IDE_PATHS, type IdeClient, type IdeClientOptions } from './ide/client.js';
export { recordQualityInput, qualityInputKind, type QualityIngestReport, type QualityIngestOptions } from './quality/ingest.js';
export {
  mapQualityRun,
  qualityRunSchema,
  qualityCheckSchema,
  qualityInvocationId,
  QUALITY_STATUSES,
  type QualityRunInput,
  type QualityStatus,
  type QualityMapped,
} from './quality/run-report.js';
export { mapSkillMetrics, skillMetricsFileSchema, type SkillMetricsFileInput } from './quality/skill-metrics.js';
export { QUALITY_PHASES, QUALITY_PHASE_WORKFLOW, QUALITY_PHASE_TOOLS, qualityPhaseOfTool, type QualityPhase } from './quality/phases.js';
