import {
  errorTypeOf,
  finiteNumber,
  isRecord,
  skillOfToolCall,
  slashRunKey,
  text,
  type Mapped,
  type RunEvent,
  type SkillSelection,
} from './run-events.js';

/** One OTLP log record, flattened: its event name, time and attributes (resource attributes under the record's). */
export interface LogRecord {
  name: string | undefined;
  timeMs: number | undefined;
  attributes: Record<string, unknown>;
}

/** The skill name Claude Code sends for a user skill unless `OTEL_LOG_TOOL_DETAILS=1`. */
export const PLACEHOLDER_SKILL = 'custom_skill';

export class OtlpFormatError extends Error {
  override name = 'OtlpFormatError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/**
 * The log records of an OTLP/HTTP `ExportLogsServiceRequest` in its JSON form (lowerCamelCase
 * keys; int64 as a string or a number; unknown fields ignored), or the object protobuf decoding
 * gives (the same field names). Throws OtlpFormatError naming the field when the shape is wrong.
 */
export function flattenLogsRequest(request: unknown): LogRecord[] {
  if (!isRecord(request)) throw new OtlpFormatError('(body)', 'expected an ExportLogsServiceRequest object');
  const resourceLogs = request.resourceLogs ?? request.resource_logs ?? [];
  if (!Array.isArray(resourceLogs)) throw new OtlpFormatError('resourceLogs', 'expected an array');
  const records: LogRecord[] = [];
  resourceLogs.forEach((rl, i) => {
    if (!isRecord(rl)) throw new OtlpFormatError(`resourceLogs[${i}]`, 'expected an object');
    const resource = isRecord(rl.resource) ? attributesOf(rl.resource.attributes, `resourceLogs[${i}].resource.attributes`) : {};
    const scopeLogs = rl.scopeLogs ?? rl.scope_logs ?? [];
    if (!Array.isArray(scopeLogs)) throw new OtlpFormatError(`resourceLogs[${i}].scopeLogs`, 'expected an array');
    scopeLogs.forEach((sl, j) => {
      if (!isRecord(sl)) throw new OtlpFormatError(`resourceLogs[${i}].scopeLogs[${j}]`, 'expected an object');
      const logRecords = sl.logRecords ?? sl.log_records ?? [];
      if (!Array.isArray(logRecords)) throw new OtlpFormatError(`resourceLogs[${i}].scopeLogs[${j}].logRecords`, 'expected an array');
      logRecords.forEach((lr, k) => {
        const at = `resourceLogs[${i}].scopeLogs[${j}].logRecords[${k}]`;
        if (!isRecord(lr)) throw new OtlpFormatError(at, 'expected an object');
        const attributes = { ...resource, ...attributesOf(lr.attributes, `${at}.attributes`) };
        const body = anyValue(lr.body);
        const name = text(lr.eventName) ?? text(attributes['event.name']) ?? (typeof body === 'string' ? body : undefined);
        records.push({
          name,
          timeMs: nanosToMs(lr.timeUnixNano) ?? nanosToMs(lr.observedTimeUnixNano) ?? isoToMs(attributes['event.timestamp']),
          attributes,
        });
      });
    });
  });
  return records;
}

/**
 * One Claude Code log record as run events (docs/monitoring-usage.md):
 * - `claude_code.tool_result` of a skill closes its run (keyed by `tool_use_id`, the id the
 *   hooks carry): `success`, `duration_ms`, `error_type`/`error`; the skill's name comes from
 *   `tool_parameters.skill_name` (sent with `OTEL_LOG_TOOL_DETAILS=1`) or is the placeholder;
 * - `claude_code.skill_activated` with `invocation_trigger` `user-slash` opens a typed `/name`
 *   run (the same key as the hooks' UserPromptExpansion); other triggers are ignored, since the
 *   tool_result of the same run reports it;
 * - `claude_code.user_prompt` carries the prompt (with `OTEL_LOG_USER_PROMPTS=1`).
 */
export function mapLogRecord(record: LogRecord, options: SkillSelection & { now: number; userId?: string | undefined }): Mapped {
  const name = record.name?.replace(/^claude_code\./, '');
  const a = record.attributes;
  const sessionId = text(a['session.id']) ?? 'unknown-session';
  const facts = {
    sessionId,
    userId: options.userId ?? text(a['user.id']) ?? text(a['user.email']),
    promptId: text(a['prompt.id']),
    clientVersion: text(a['app.version']) ?? text(a['service.version']),
    project: text(a.cwd),
  };
  const at = record.timeMs ?? options.now;
  if (name === 'tool_result') {
    const toolName = text(a.tool_name);
    const parameters = parseParameters(a.tool_parameters);
    const named = toolName === 'Skill' ? (text(parameters.skill_name) ?? text(parameters.skill)) : undefined;
    const found = toolName === 'Skill' ? { skill: named ?? PLACEHOLDER_SKILL } : skillOfToolCall(toolName, parameters, options);
    if (!found) return { ignored: `tool_result of ${toolName ?? 'an unnamed tool'} (not a skill)` };
    const key = text(a.tool_use_id);
    if (!key) return { ignored: 'tool_result without tool_use_id (older Claude Code): cannot be joined to a run' };
    const success = a.success === true || a.success === 'true';
    const event: RunEvent = {
      type: 'close',
      ...facts,
      key,
      skill: found.skill,
      placeholderSkill: toolName === 'Skill' && !named,
      toolName,
      agentType: 'agentType' in found ? found.agentType : undefined,
      at,
      durationMs: finiteNumber(a.duration_ms),
      completed: success,
      errorType: success ? undefined : (text(a.error_type) ?? errorTypeOf(a.error) ?? 'error'),
    };
    return { events: [event] };
  }
  if (name === 'skill_activated') {
    const skill = text(a['skill.name']);
    const trigger = text(a.invocation_trigger);
    if (!skill) return { ignored: 'skill_activated without skill.name' };
    if (trigger !== 'user-slash')
      return { ignored: `skill_activated by ${trigger ?? 'an unknown trigger'} (its tool_result reports the run)` };
    return {
      events: [
        {
          type: 'open',
          ...facts,
          key: slashRunKey(sessionId, facts.promptId, skill),
          skill,
          toolName: 'slash',
          trigger,
          at,
          endsWithTurn: true,
        },
      ],
    };
  }
  if (name === 'user_prompt') {
    const prompt = text(a.prompt);
    return prompt
      ? { events: [{ type: 'prompt', ...facts, sessionId, text: prompt, at }] }
      : { ignored: 'user_prompt without its text (OTEL_LOG_USER_PROMPTS is off)' };
  }
  return { ignored: `log record ${record.name ?? '(unnamed)'} (no skill run)` };
}

function parseParameters(value: unknown): Record<string, unknown> {
  if (isRecord(value)) return value;
  if (typeof value !== 'string') return {};
  try {
    const parsed: unknown = JSON.parse(value);
    return isRecord(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

function attributesOf(list: unknown, field: string): Record<string, unknown> {
  if (list === undefined || list === null) return {};
  if (!Array.isArray(list)) throw new OtlpFormatError(field, 'expected an array of {key, value}');
  const out: Record<string, unknown> = {};
  list.forEach((kv, i) => {
    if (!isRecord(kv) || typeof kv.key !== 'string') throw new OtlpFormatError(`${field}[${i}]`, 'expected {key, value} with a string key');
    out[kv.key] = anyValue(kv.value);
  });
  return out;
}

/** An OTLP AnyValue as a plain value (int64 strings become numbers when they fit). */
function anyValue(value: unknown): unknown {
  if (!isRecord(value)) return undefined;
  if ('stringValue' in value) return value.stringValue;
  if ('boolValue' in value) return value.boolValue;
  if ('intValue' in value) return Number(value.intValue);
  if ('doubleValue' in value) return Number(value.doubleValue);
  if ('arrayValue' in value)
    return isRecord(value.arrayValue) && Array.isArray(value.arrayValue.values) ? value.arrayValue.values.map(anyValue) : [];
  if ('kvlistValue' in value) {
    const values = isRecord(value.kvlistValue) && Array.isArray(value.kvlistValue.values) ? value.kvlistValue.values : [];
    return Object.fromEntries(values.filter(isRecord).map((kv) => [String(kv.key), anyValue(kv.value)]));
  }
  if ('bytesValue' in value) return value.bytesValue;
  return undefined;
}

function nanosToMs(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '' || value === '0' || value === 0) return undefined;
  try {
    const ms = Number(BigInt(typeof value === 'number' ? Math.trunc(value) : String(value)) / 1_000_000n);
    return ms > 0 ? ms : undefined;
  } catch {
    return undefined;
  }
}

function isoToMs(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}
