import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { SkillsToolsDeps } from './deps.js';
import { registerSkillsPrompts } from './prompts.js';
import { registerSkillsTools } from './register-tools.js';
import { registerSkillsResources } from './resources.js';

export interface SkillsServerOptions {
  /** Reported to clients in `initialize` (default `skills-analytics`). */
  name?: string;
  version?: string;
}

/**
 * The Skills Analytics MCP server: every tool, the resources and the prompts, over `deps.store`.
 * The one factory behind `skills mcp` (stdio) and `/mcp` (Streamable HTTP).
 * @example await createSkillsServer({ store }).connect(new StdioServerTransport())
 */
export function createSkillsServer(deps: SkillsToolsDeps, options: SkillsServerOptions = {}): McpServer {
  const server = new McpServer(
    { name: options.name ?? 'skills-analytics', version: options.version ?? '0.1.0' },
    {
      instructions:
        'Skills Analytics: report every skill you run with record_skill_invocation; before choosing a skill call ' +
        'recommend_skills_for_query or predict_skill_success; ask get_skill_trend, detect_anomalies and get_skill_metrics how skills are doing.',
    },
  );
  const resolved = { ...deps, now: deps.now ?? Date.now };
  registerSkillsTools(server, resolved);
  registerSkillsResources(server, resolved);
  registerSkillsPrompts(server);
  return server;
}
