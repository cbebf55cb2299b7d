import { createHash } from 'node:crypto';
import type { InvocationInput } from '@skills/storage';
import { definedOnly, type ClaudeCodeSource, type RunClose, type RunFacts, type RunOpen } from './run-events.js';

/**
 * The invocation id of a run: derived from its key (the `tool_use_id` every source carries), so
 * the same run reported by hooks, OpenTelemetry and a transcript lands on one id and is counted
 * once. Keys that are not safe as ids are hashed.
 */
export function invocationIdOf(key: string): string {
  return /^[\w.:-]{1,120}$/.test(key) ? `cc:${key}` : `cc:h${createHash('sha256').update(key).digest('hex').slice(0, 40)}`;
}

/** Why a run was recorded without a close. */
export type Unclosed = 'timeout' | 'session_ended' | 'no_result';

export interface RunRecord {
  invocation: InvocationInput;
  /** Facts for `integration_runs`. */
  facts: RunFacts & { key: string; source: ClaudeCodeSource; openedBy?: ClaudeCodeSource | undefined };
}

export interface RunInvocationOptions {
  source: ClaudeCodeSource;
  /** The workflow phase of a skill, from its SKILL.md metadata or the user's rules; none otherwise. */
  phaseOf?: ((skill: string) => string | undefined) | undefined;
  /** The session's prompt, when prompts are recorded. */
  prompt?: string | undefined;
  /** The source that reported the run's start, when another than `source`. */
  openedBy?: ClaudeCodeSource | undefined;
  /** The run was never closed: recorded as not completed with this error type. */
  unclosed?: Unclosed | undefined;
  /** When the unclosed run was given up (for its duration: none). */
}

/**
 * One run as an invocation: opened by `open` (when a source saw the start), closed by `close`.
 * Start = the open's time, else the close's time minus its duration; duration = the close's
 * `duration_ms`, else close − open; outcome and error type from the close; an unclosed run is not
 * completed, with error type `timeout` / `session_ended` / `no_result` and no duration.
 */
export function runInvocation(open: RunOpen | undefined, close: RunClose | undefined, options: RunInvocationOptions): RunRecord {
  const key = (close ?? open)!.key;
  const facts: RunFacts = { ...open, ...definedOnly(close ?? {}) };
  const skill = close?.skill && !close.placeholderSkill ? close.skill : (open?.skill ?? close?.skill ?? 'unknown-skill');
  let invokedAt: number;
  let duration: number | null = null;
  if (close) {
    const fromClose = close.durationMs !== undefined ? close.durationMs : open ? Math.max(0, close.at - open.at) : undefined;
    duration = fromClose !== undefined ? fromClose / 1000 : null;
    invokedAt = open ? open.at : close.at - (close.durationMs ?? 0);
  } else {
    invokedAt = open!.at;
  }
  const invocation: InvocationInput = {
    id: invocationIdOf(key),
    skill_name: skill,
    session_id: facts.sessionId ?? 'unknown-session',
    user_id: facts.userId ?? null,
    invoked_at: Math.max(0, Math.round(invokedAt)),
    completed: close ? close.completed : false,
    duration_seconds: duration,
    error_type: close ? (close.completed ? null : (close.errorType ?? 'error')) : (options.unclosed ?? 'timeout'),
    workflow_phase: options.phaseOf?.(skill) ?? null,
    user_query: options.prompt ?? null,
  };
  return { invocation, facts: { ...facts, key, source: options.source, openedBy: options.openedBy } };
}
