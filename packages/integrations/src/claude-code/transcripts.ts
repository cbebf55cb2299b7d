import { errorTypeOf, isRecord, skillOfToolCall, text, type RunClose, type RunOpen, type SkillSelection } from './run-events.js';

/** What one transcript file gave: the skill runs in it and an account of every line. */
export interface TranscriptReading {
  opens: RunOpen[];
  closes: RunClose[];
  lines: number;
  /** Lines read as a known entry (user, assistant, summary, system, …). */
  understood: number;
  /** Lines skipped, by reason: `malformed JSON`, `unknown entry type x`, … */
  skipped: Record<string, number>;
  sessionIds: string[];
  /** Newest timestamp in the file (epoch ms), to tell a finished session from a running one. */
  lastTimestamp: number | undefined;
}

/** Entry types Claude Code writes that hold no tool call; read and passed over. */
const KNOWN_TYPES = new Set([
  'user',
  'assistant',
  'summary',
  'system',
  'file-history-snapshot',
  'queue-operation',
  'progress',
  'attachment',
  'custom-title',
  'tag',
]);

/**
 * Reads one session transcript (JSON Lines under `~/.claude/projects/<project>/<session>.jsonl`;
 * docs/sessions.md). The format is internal to Claude Code and changes between versions, so it
 * is read defensively: only real `tool_use` blocks of assistant messages open a run (never skill
 * names mentioned in text — every system prompt lists them all), a user message's `tool_result`
 * with the same `tool_use_id` closes it (`is_error` → not completed, the first line of its content
 * as the error type), and every other line is counted as understood or skipped with its reason.
 * Runs by subagents (`isSidechain`) count like any other. Typed `/name` skills are not read from
 * transcripts (their markup is not a documented format); hooks and OpenTelemetry report them.
 */
export function readTranscript(content: string, selection: SkillSelection = {}): TranscriptReading {
  const reading: TranscriptReading = {
    opens: [],
    closes: [],
    lines: 0,
    understood: 0,
    skipped: {},
    sessionIds: [],
    lastTimestamp: undefined,
  };
  const sessions = new Set<string>();
  const skip = (reason: string) => {
    reading.skipped[reason] = (reading.skipped[reason] ?? 0) + 1;
  };
  let start = 0;
  while (start < content.length) {
    let end = content.indexOf('\n', start);
    if (end === -1) end = content.length;
    const line = content.slice(start, end).trim();
    start = end + 1;
    if (line === '') continue;
    reading.lines++;
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch {
      skip('malformed JSON');
      continue;
    }
    if (!isRecord(entry)) {
      skip('not a JSON object');
      continue;
    }
    const type = text(entry.type);
    if (!type || !KNOWN_TYPES.has(type)) {
      skip(`unknown entry type ${type ?? '(none)'}`);
      continue;
    }
    reading.understood++;
    const at = typeof entry.timestamp === 'string' ? Date.parse(entry.timestamp) : Number.NaN;
    if (Number.isFinite(at) && (reading.lastTimestamp === undefined || at > reading.lastTimestamp)) reading.lastTimestamp = at;
    if (type !== 'user' && type !== 'assistant') continue;
    const message = isRecord(entry.message) ? entry.message : undefined;
    const blocks = message && Array.isArray(message.content) ? message.content : [];
    if (blocks.length === 0) continue;
    if (!Number.isFinite(at)) {
      if (blocks.some((b) => isRecord(b) && (b.type === 'tool_use' || b.type === 'tool_result'))) skip('tool block without a timestamp');
      continue;
    }
    const sessionId = text(entry.sessionId) ?? text(entry.session_id) ?? 'unknown-session';
    sessions.add(sessionId);
    const facts = { sessionId, project: text(entry.cwd), clientVersion: text(entry.version) };
    for (const block of blocks) {
      if (!isRecord(block)) continue;
      if (type === 'assistant' && block.type === 'tool_use') {
        const toolName = text(block.name);
        const found = skillOfToolCall(toolName, block.input, selection);
        const key = text(block.id);
        if (!found || !key) continue;
        reading.opens.push({ type: 'open', ...facts, key, skill: found.skill, toolName, agentType: found.agentType, at });
      } else if (type === 'user' && block.type === 'tool_result') {
        const key = text(block.tool_use_id);
        if (!key) continue;
        const failed = block.is_error === true;
        reading.closes.push({
          type: 'close',
          ...facts,
          key,
          at,
          completed: !failed,
          errorType: failed ? (errorTypeOf(resultText(block.content)) ?? 'error') : undefined,
        });
      }
    }
  }
  reading.sessionIds = [...sessions];
  return reading;
}

function resultText(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    for (const part of content) if (isRecord(part) && typeof part.text === 'string') return part.text;
  }
  return undefined;
}
