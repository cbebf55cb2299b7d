import type { ToolDefinition } from '../tool-definition.js';
import { analyzeAbTest, assignAbTestGroup, createAbTest, recordAbTestOutcome } from './abtest-tools.js';
import { getCollaborativeRecommendations, getCommunityBaselines, getSkillDependencies } from './collaborative-tools.js';
import { detectAnomaliesTool, getRealTimeMetrics } from './live-tools.js';
import { predictSkillSuccess, recommendSkillsForQuery } from './prediction-tools.js';
import { getSessionSummary, getSkillMetricsTool, listSkillTaxonomy, searchInvocationsTool } from './query-tools.js';
import { recordSkillInvocation, recordSkillInvocations } from './recording-tools.js';
import { getSkillTrend } from './trend-tool.js';

/** Every tool, the original system's six first (same names, arguments, defaults and output keys). */
export const SKILLS_TOOLS: readonly ToolDefinition[] = [
  getRealTimeMetrics,
  detectAnomaliesTool,
  getSkillTrend,
  getCollaborativeRecommendations,
  getCommunityBaselines,
  getSkillDependencies,
  recordSkillInvocation,
  recordSkillInvocations,
  predictSkillSuccess,
  recommendSkillsForQuery,
  getSkillMetricsTool,
  searchInvocationsTool,
  getSessionSummary,
  listSkillTaxonomy,
  createAbTest,
  assignAbTestGroup,
  recordAbTestOutcome,
  analyzeAbTest,
];
