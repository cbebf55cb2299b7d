import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type CallToolResult,
} from '@modelcontextprotocol/sdk/types.js';
import type { SkillsToolsDeps } from './deps.js';
import { toolJsonSchemas, type ResolvedDeps, type ToolDefinition } from './tool-definition.js';
import { failureOf, inputFailure } from './tool-errors.js';
import { SKILLS_TOOLS } from './tools/index.js';

export interface RegisterToolsOptions {
  /** Register only these tools (by name); default all. */
  only?: readonly string[];
}

/**
 * Add the Skills Analytics tools to an `McpServer` (call before `connect`).
 *
 * The tools validate their own arguments, so a caller's mistake (a bad argument, an unknown skill,
 * user or experiment) is a result with `isError: true`, `structuredContent.success: false` and a
 * message naming the field, never a protocol error. That needs the server's `tools/list` and
 * `tools/call` handlers: this function installs them, so tools cannot also be added to the same
 * server with `server.registerTool` (resources and prompts can).
 *
 * @example
 * const server = new McpServer({ name: 'skills', version: '1.0.0' });
 * registerSkillsTools(server, { store });
 * await server.connect(new StdioServerTransport());
 */
export function registerSkillsTools(server: McpServer, deps: SkillsToolsDeps, options: RegisterToolsOptions = {}): void {
  const tools = options.only === undefined ? SKILLS_TOOLS : SKILLS_TOOLS.filter((tool) => options.only!.includes(tool.name));
  for (const name of options.only ?? []) {
    if (!tools.some((tool) => tool.name === name)) throw new TypeError(`only: no tool named ${name}`);
  }
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  const resolved: ResolvedDeps = { ...deps, now: deps.now ?? Date.now };
  server.server.registerCapabilities({ tools: { listChanged: false } });
  server.server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: tools.map((tool) => {
      const schemas = toolJsonSchemas(tool);
      return {
        name: tool.name,
        title: tool.title,
        description: tool.description,
        inputSchema: schemas.input as { type: 'object' },
        outputSchema: schemas.output as { type: 'object' },
        annotations: { title: tool.title, ...tool.annotations },
      };
    }),
  }));
  server.server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const tool = byName.get(request.params.name);
    // Calling a tool that does not exist is a protocol error by the MCP specification.
    if (!tool) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${request.params.name} (see tools/list)`);
    return callTool(tool, request.params.arguments ?? {}, resolved);
  });
}

/** Validate, run, and shape the result; never throws for anything the tool does. */
export async function callTool(tool: ToolDefinition, args: unknown, deps: ResolvedDeps): Promise<CallToolResult> {
  const parsed = (tool.check ?? tool.input).safeParse(args);
  if (!parsed.success) return failed(inputFailure(tool.name, parsed.error, deps.now()));
  try {
    const answer = await tool.run(parsed.data as Parameters<typeof tool.run>[0], deps);
    const structured = { success: true, ...(answer.result as Record<string, unknown>) };
    return { content: [{ type: 'text', text: answer.text }], structuredContent: structured };
  } catch (error) {
    const { failure, expected } = failureOf(tool.name, error, tool.fieldNames ?? {}, deps.now());
    if (!expected) deps.onError?.(error, tool.name);
    return failed(failure);
  }
}

function failed(failure: ReturnType<typeof inputFailure>): CallToolResult {
  return { content: [{ type: 'text', text: failure.message }], structuredContent: failure, isError: true };
}
