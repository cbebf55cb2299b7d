export { createSkillsServer, type SkillsServerOptions } from './create-server.js';
export { registerSkillsTools, type RegisterToolsOptions } from './register-tools.js';
export { registerSkillsResources } from './resources.js';
export { registerSkillsPrompts } from './prompts.js';
export { createMcpHttpHandler, type McpHttpHandler } from './http-handler.js';
export { serveOverStdio, type StdioOptions } from './serve-stdio.js';
export {
  skillsMcpRoute,
  accessFor,
  type McpAccess,
  type McpRouteOptions,
  type McpRouteHost,
  type McpRouteRequest,
  type McpRouteReply,
} from './mcp-route.js';
export type { SkillsToolsDeps } from './deps.js';
export { SKILLS_TOOLS } from './tools/index.js';
export { failureSchema, resultSchema, type ToolDefinition, type ToolFailure } from './tool-definition.js';
export { relationshipType, type RelationshipType } from './tools/collaborative-tools.js';
export { invocationArgsSchema } from './tools/recording-tools.js';
export { realTimeMetrics, type RealTimeSkill } from './queries/real-time-metrics.js';
export { recommendForQuery, type QueryRecommendation } from './queries/recommend-for-query.js';
