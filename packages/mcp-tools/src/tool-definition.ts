import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { SkillsToolsDeps } from './deps.js';
import type { FieldNames } from './tool-errors.js';

/**
 * One MCP tool: its zod input schema (validated here, so a caller's mistake becomes a result
 * with `isError`, not a protocol error), the zod schema of its successful `structuredContent`,
 * and the function that answers it.
 */
export interface ToolDefinition<In extends z.ZodObject = z.ZodObject, Out extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  /** Written for a model: when to use the tool and how to fill its arguments. */
  description: string;
  input: In;
  /** The successful result (`success: true` is added); a failure is `failureSchema`. */
  output: Out;
  annotations: ToolAnnotations;
  /** How the wrapped package names the fields this tool calls otherwise, for error messages. */
  fieldNames?: FieldNames;
  /**
   * What a call is checked with when the wrapped function checks the values itself (default
   * `input`, which tools/list advertises either way): its output must be what `run` takes.
   */
  check?: z.ZodType;
  run(args: z.output<In>, deps: ResolvedDeps): Promise<ToolAnswer<z.input<Out>>>;
}

/** What a tool returns: its structured result and one short line for people. */
export interface ToolAnswer<T> {
  result: T;
  text: string;
}

/** The dependencies with the clock filled in. */
export interface ResolvedDeps extends SkillsToolsDeps {
  now(): number;
}

/**
 * Declare a tool; the generic parameters are inferred from the schemas. Arguments are strict: a
 * misspelt one (`timewindow_hours`) is an error, not silently ignored.
 */
export function defineTool<In extends z.ZodObject, Out extends z.ZodObject>(definition: ToolDefinition<In, Out>): ToolDefinition {
  return { ...definition, input: definition.input.strict() } as unknown as ToolDefinition;
}

/** Why a call failed, in a form a program can branch on. */
export const failureSchema = z.object({
  success: z.literal(false),
  /** The reason, one line: the same text as the result's text content. */
  message: z.string(),
  error: z.object({
    type: z.enum(['invalid_input', 'not_found', 'conflict', 'unavailable', 'internal']),
    /** Bad input: every problem, by field path (`invocations.2.invoked_at`). */
    issues: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
    /** Not found: what kind of thing, and its id or name. */
    kind: z.string().optional(),
    id: z.string().optional(),
  }),
  timestamp: z.string(),
});
export type ToolFailure = z.infer<typeof failureSchema>;

/** The schema of a tool's `structuredContent`: its successful result, or a failure. */
export function resultSchema(tool: ToolDefinition): z.ZodType {
  return z.discriminatedUnion('success', [tool.output.extend({ success: z.literal(true) }), failureSchema]);
}

const jsonSchemas = new WeakMap<ToolDefinition, { input: Record<string, unknown>; output: Record<string, unknown> }>();

/**
 * The JSON Schemas advertised by `tools/list`, computed once per definition (a stateless HTTP
 * server builds a server per request). The output schema is an object whose `success` says
 * which of the two shapes it is.
 */
export function toolJsonSchemas(tool: ToolDefinition): { input: Record<string, unknown>; output: Record<string, unknown> } {
  let found = jsonSchemas.get(tool);
  if (!found) {
    const input = z.toJSONSchema(tool.input, { io: 'input', target: 'draft-7' }) as Record<string, unknown>;
    const union = z.toJSONSchema(resultSchema(tool), { io: 'output', target: 'draft-7' }) as Record<string, unknown>;
    delete input.$schema;
    delete union.$schema;
    found = { input, output: { type: 'object', ...union } };
    jsonSchemas.set(tool, found);
  }
  return found;
}
