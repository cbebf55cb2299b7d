import {
  errorTypeOf,
  finiteNumber,
  isRecord,
  skillOfToolCall,
  slashRunKey,
  text,
  type Mapped,
  type RunFacts,
  type SkillSelection,
} from './run-events.js';

/**
 * Hook events Claude Code documents (docs/hooks.md). Those that say nothing about a skill run
 * (Notification, PreCompact, PermissionRequest, …) are accepted and ignored; a name not in this
 * list is ignored too and counted as unknown by the receiver.
 */
export const KNOWN_HOOK_EVENTS = new Set([
  'PreToolUse',
  'PostToolUse',
  'PostToolUseFailure',
  'UserPromptSubmit',
  'UserPromptExpansion',
  'Stop',
  'StopFailure',
  'SubagentStart',
  'SubagentStop',
  'SessionStart',
  'SessionEnd',
  'Notification',
  'PreCompact',
  'PermissionRequest',
  'PermissionDenied',
  'PostCompact',
  'TaskCreated',
  'TaskCompleted',
  'TeammateIdle',
  'ConfigChange',
  'CwdChanged',
  'FileChanged',
  'InstructionsLoaded',
  'WorktreeCreate',
  'WorktreeRemove',
  'Elicitation',
  'ElicitationResult',
]);

export interface HookMapOptions extends SkillSelection {
  /** When the hook arrived (epoch ms); hooks carry no timestamp of their own. */
  now: number;
  /** The user the receiver attributes the hook to (a configured header, or the token's user). */
  userId?: string | undefined;
}

/**
 * One Claude Code hook input (the JSON it POSTs to an `"type": "http"` hook) as run events.
 * - `PreToolUse` of a skill opens its run; `PostToolUse` / `PostToolUseFailure` close it with
 *   the outcome, `duration_ms` and the error's first line (`Exit code 1`); an interrupt is
 *   recorded as not completed with error type `interrupted`.
 * - `UserPromptExpansion` (a typed `/name`) opens a run that ends with the turn (`Stop`).
 * - `UserPromptSubmit` carries the prompt; `Stop`/`StopFailure`, `SessionEnd` end turns and sessions.
 * Missing fields are tolerated; a tool event without `tool_use_id` is rejected (no run can be keyed).
 */
export function mapHook(input: unknown, options: HookMapOptions): Mapped {
  if (!isRecord(input)) return { rejected: { field: '(body)', message: 'expected a JSON object (a Claude Code hook input)' } };
  const event = text(input.hook_event_name);
  if (!event) return { rejected: { field: 'hook_event_name', message: 'required: the hook event (PreToolUse, PostToolUse, …)' } };
  if (!KNOWN_HOOK_EVENTS.has(event)) return { ignored: `unknown hook event ${event}` };
  const sessionId = text(input.session_id) ?? 'unknown-session';
  const facts: RunFacts = {
    sessionId,
    userId: options.userId,
    promptId: text(input.prompt_id),
    project: text(input.cwd),
    clientVersion: text(input.version) ?? text(input.claude_code_version),
  };
  const at = options.now;
  switch (event) {
    case 'PreToolUse':
    case 'PostToolUse':
    case 'PostToolUseFailure': {
      const toolName = text(input.tool_name);
      const found = skillOfToolCall(toolName, input.tool_input, options);
      if (!found) return { ignored: `${event} of ${toolName ?? 'an unnamed tool'} (not a skill)` };
      const key = text(input.tool_use_id);
      if (!key) return { rejected: { field: 'tool_use_id', message: `required on ${event}: it keys the skill run` } };
      const run = { ...facts, key, skill: found.skill, toolName, agentType: found.agentType };
      if (event === 'PreToolUse') return { events: [{ type: 'open', ...run, at }] };
      const durationMs = finiteNumber(input.duration_ms);
      if (event === 'PostToolUse') {
        const failed = isRecord(input.tool_response) && input.tool_response.is_error === true;
        return {
          events: [
            {
              type: 'close',
              ...run,
              at,
              durationMs,
              completed: !failed,
              errorType: failed ? (errorTypeOf(textOf(input.tool_response as Record<string, unknown>)) ?? 'tool_error') : undefined,
            },
          ],
        };
      }
      const interrupted = input.is_interrupt === true;
      return {
        events: [
          {
            type: 'close',
            ...run,
            at,
            durationMs,
            completed: false,
            errorType: interrupted ? 'interrupted' : (errorTypeOf(input.error) ?? 'error'),
          },
        ],
      };
    }
    case 'UserPromptExpansion': {
      const name = text(input.command_name)?.replace(/^\//, '');
      if (!name) return { ignored: 'UserPromptExpansion without command_name' };
      const kind = text(input.expansion_type);
      if (kind && !/skill|slash|command/i.test(kind)) return { ignored: `UserPromptExpansion of type ${kind}` };
      return {
        events: [
          {
            type: 'open',
            ...facts,
            key: slashRunKey(sessionId, facts.promptId, name),
            skill: name,
            toolName: 'slash',
            trigger: 'user-slash',
            at,
            endsWithTurn: true,
          },
        ],
      };
    }
    case 'UserPromptSubmit': {
      const prompt = text(input.prompt);
      return prompt
        ? { events: [{ type: 'prompt', ...facts, sessionId, text: prompt, at }] }
        : { ignored: 'UserPromptSubmit without prompt' };
    }
    case 'Stop':
    case 'StopFailure':
      return { events: [{ type: 'turn-end', ...facts, sessionId, at, completed: event === 'Stop' }] };
    case 'SessionEnd':
      return { events: [{ type: 'session-end', ...facts, sessionId, at, reason: text(input.reason) }] };
    default:
      return { ignored: `${event} (marks the session, no skill run)` };
  }
}

function textOf(response: Record<string, unknown>): string | undefined {
  const content = response.error ?? response.content ?? response.stderr;
  if (typeof content === 'string') return content;
  return undefined;
}
