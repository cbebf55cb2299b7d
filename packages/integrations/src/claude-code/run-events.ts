/**
 * What every Claude Code source (hooks, OpenTelemetry logs, transcripts) is reduced to: events
 * about one skill run, keyed so that the same run reported by several sources is one run.
 * The mappers that produce them are pure; `ClaudeCodeIngest` applies them to the store.
 */

/** Which source reported an event. */
export type ClaudeCodeSource = 'hooks' | 'otlp' | 'transcript';

/** Facts about a run that any source may carry; each is kept when given, never required. */
export interface RunFacts {
  sessionId?: string | undefined;
  userId?: string | undefined;
  promptId?: string | undefined;
  /** The working directory (the project). */
  project?: string | undefined;
  /** Claude Code's version, when the source gives it. */
  clientVersion?: string | undefined;
  /** The tool that ran the skill: `Skill`, `Agent`/`Task`, `Bash`, `mcp__server__tool`, or `slash` for a typed `/name`. */
  toolName?: string | undefined;
  /** Subagent type, for `Agent`/`Task` runs. */
  agentType?: string | undefined;
  /** `user-slash`, `claude-proactive`, `nested-skill` (OpenTelemetry's invocation_trigger). */
  trigger?: string | undefined;
}

export interface RunOpen extends RunFacts {
  type: 'open';
  /** The run's key: `tool_use_id`, or session + prompt + name for a typed `/name`. */
  key: string;
  skill: string;
  at: number;
  /** A typed `/name` ends with the turn (`Stop`), not with a tool result. */
  endsWithTurn?: boolean | undefined;
}

export interface RunClose extends RunFacts {
  type: 'close';
  key: string;
  /** Absent when the closing source does not name the skill (a transcript's tool_result, say). */
  skill?: string | undefined;
  /** Whether `skill` is only Claude Code's placeholder (`custom_skill`) for a user skill. */
  placeholderSkill?: boolean | undefined;
  at: number;
  durationMs?: number | undefined;
  completed: boolean;
  errorType?: string | undefined;
}

/** The agent finished answering a prompt (`Stop`): typed `/name` runs of the session end here. */
export interface TurnEnd extends RunFacts {
  type: 'turn-end';
  sessionId: string;
  at: number;
  /** `StopFailure` or an interrupt: the turn did not finish. */
  completed: boolean;
}

/** The session ended: anything still open in it was abandoned. */
export interface SessionEnd extends RunFacts {
  type: 'session-end';
  sessionId: string;
  at: number;
  reason?: string | undefined;
}

/** The user's prompt (`UserPromptSubmit`), kept for the session's next runs only when prompts are recorded. */
export interface PromptSubmitted extends RunFacts {
  type: 'prompt';
  sessionId: string;
  text: string;
  at: number;
}

export type RunEvent = RunOpen | RunClose | TurnEnd | SessionEnd | PromptSubmitted;

/** What a mapper made of one record: events, or why the record gave none. */
export type Mapped = { events: RunEvent[] } | { ignored: string } | { rejected: { field: string; message: string } };

/** Which tool calls count as skills. `Skill` always; the rest by option. */
export interface SkillSelection {
  /** Subagents (`Agent`, `Task` with `subagent_type`) as skills named `agent:<type>` (default true). */
  subagents?: boolean | undefined;
  /** Every other tool (Bash, Edit, `mcp__server__tool`, …) as a skill named after the tool (default false). */
  allTools?: boolean | undefined;
}

/** The skill a tool call runs, or null when it is not one to record. */
export function skillOfToolCall(
  toolName: string | undefined,
  toolInput: unknown,
  selection: SkillSelection = {},
): { skill: string; agentType?: string } | null {
  if (!toolName) return null;
  const input = isRecord(toolInput) ? toolInput : {};
  if (toolName === 'Skill') {
    const name = input.skill ?? input.skill_name ?? input.name ?? input.command;
    return typeof name === 'string' && name.trim() !== '' ? { skill: name.trim().replace(/^\//, '') } : null;
  }
  if (toolName === 'Agent' || toolName === 'Task') {
    if (selection.subagents === false) return null;
    const type =
      typeof input.subagent_type === 'string' && input.subagent_type.trim() !== '' ? input.subagent_type.trim() : 'general-purpose';
    return { skill: `agent:${type}`, agentType: type };
  }
  return selection.allTools ? { skill: toolName } : null;
}

/** The first line of an error text, bounded, as the invocation's error type (`Exit code 1`). */
export function errorTypeOf(error: unknown): string | undefined {
  if (typeof error !== 'string') return undefined;
  const first = error.split('\n', 1)[0]!.trim();
  if (first === '') return undefined;
  return first.length > 200 ? `${first.slice(0, 199)}…` : first;
}

/** The key of a typed `/name` run: its session, prompt and name (hooks and OpenTelemetry agree on all three). */
export function slashRunKey(sessionId: string, promptId: string | undefined, name: string): string {
  return `slash:${sessionId}:${promptId ?? ''}:${name}`;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

export function finiteNumber(value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** The fields of `value` that are set: a later source's facts fill in, never blank out, an earlier one's. */
export function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
