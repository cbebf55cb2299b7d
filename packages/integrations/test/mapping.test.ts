import { describe, expect, it } from 'vitest';
import { flattenLogsRequest, mapHook, mapLogRecord, OtlpFormatError, phaseRules, PhaseRulesError, readTranscript } from '../src/index.js';
import * as f from './fixtures/claude-code.js';

const now = Date.UTC(2026, 11, 2, 12);

describe('mapHook (docs/hooks.md shapes)', () => {
  it('opens a Skill run on PreToolUse and closes it on PostToolUse with the duration', () => {
    expect(mapHook(f.preSkill, { now })).toEqual({
      events: [
        {
          type: 'open',
          key: f.TOOL_USE,
          skill: 'pdf',
          toolName: 'Skill',
          agentType: undefined,
          sessionId: f.SESSION,
          userId: undefined,
          promptId: 'p-1',
          project: '/home/alice/app',
          clientVersion: undefined,
          at: now,
        },
      ],
    });
    expect(mapHook(f.postSkill, { now, userId: 'alice' })).toMatchObject({
      events: [{ type: 'close', key: f.TOOL_USE, skill: 'pdf', completed: true, durationMs: 4200, userId: 'alice' }],
    });
  });

  it('keeps the first line of a failure as the error type, and an interrupt as interrupted', () => {
    expect(mapHook(f.failedSkill, { now })).toMatchObject({
      events: [{ type: 'close', completed: false, errorType: 'Exit code 1', durationMs: 900 }],
    });
    expect(mapHook(f.interruptedSkill, { now })).toMatchObject({ events: [{ completed: false, errorType: 'interrupted' }] });
  });

  it('tolerates an older Claude Code without duration_ms or prompt_id', () => {
    expect(mapHook(f.olderPost, { now })).toMatchObject({
      events: [{ type: 'close', key: 'toolu_04old', skill: 'xlsx', completed: true, durationMs: undefined }],
    });
  });

  it('records subagents as agent:<type> by default, other tools only when asked', () => {
    expect(mapHook(f.subagentPre, { now })).toMatchObject({ events: [{ skill: 'agent:code-reviewer', agentType: 'code-reviewer' }] });
    expect(mapHook(f.subagentPre, { now, subagents: false })).toEqual({ ignored: 'PreToolUse of Agent (not a skill)' });
    expect(mapHook(f.bashPre, { now })).toEqual({ ignored: 'PreToolUse of Bash (not a skill)' });
    expect(mapHook(f.bashPre, { now, allTools: true })).toMatchObject({ events: [{ skill: 'Bash' }] });
  });

  it('turns a typed /name into a run that ends with the turn', () => {
    expect(mapHook(f.slashExpansion, { now })).toMatchObject({
      events: [{ type: 'open', key: `slash:${f.SESSION}:p-2:deploy`, skill: 'deploy', endsWithTurn: true, trigger: 'user-slash' }],
    });
    expect(mapHook(f.stop, { now })).toMatchObject({ events: [{ type: 'turn-end', sessionId: f.SESSION, completed: true }] });
  });

  it('accepts unknown events and says so; rejects a tool event without tool_use_id and a body that is not an object', () => {
    expect(mapHook({ ...f.preSkill, hook_event_name: 'FutureEvent' }, { now })).toEqual({ ignored: 'unknown hook event FutureEvent' });
    expect(mapHook({ ...f.preSkill, tool_use_id: undefined }, { now })).toEqual({
      rejected: { field: 'tool_use_id', message: 'required on PreToolUse: it keys the skill run' },
    });
    expect(mapHook([1, 2], { now })).toEqual({
      rejected: { field: '(body)', message: 'expected a JSON object (a Claude Code hook input)' },
    });
    expect(mapHook({ session_id: 's' }, { now })).toEqual({
      rejected: { field: 'hook_event_name', message: 'required: the hook event (PreToolUse, PostToolUse, …)' },
    });
  });
});

describe('OTLP logs (docs/monitoring-usage.md shapes)', () => {
  const t = now - 1000;

  it('flattens resource and record attributes, times from timeUnixNano', () => {
    const [record] = flattenLogsRequest(f.otlpJson([{ name: 'tool_result', attributes: f.toolResultAttributes, timeMs: t }]));
    expect(record).toMatchObject({
      name: 'tool_result',
      timeMs: t,
      attributes: { 'service.name': 'claude-code', tool_use_id: f.TOOL_USE, duration_ms: 4200, success: 'true' },
    });
  });

  it('closes the run named by tool_use_id with the skill from tool_parameters', () => {
    const [record] = flattenLogsRequest(f.otlpJson([{ name: 'tool_result', attributes: f.toolResultAttributes, timeMs: t }]));
    expect(mapLogRecord(record!, { now })).toMatchObject({
      events: [
        {
          type: 'close',
          key: f.TOOL_USE,
          skill: 'pdf',
          placeholderSkill: false,
          completed: true,
          durationMs: 4200,
          at: t,
          sessionId: f.SESSION,
          userId: 'u-hash-1',
          clientVersion: '2.1.0',
        },
      ],
    });
  });

  it('marks the placeholder name custom_skill when tool details are off, and reads failures', () => {
    const attributes = {
      ...f.toolResultAttributes,
      tool_parameters: '{}',
      success: 'false',
      error_type: 'tool_error',
      error: 'Exit code 2',
    };
    const [record] = flattenLogsRequest(f.otlpJson([{ name: 'tool_result', attributes, timeMs: t }]));
    expect(mapLogRecord(record!, { now })).toMatchObject({
      events: [{ skill: 'custom_skill', placeholderSkill: true, completed: false, errorType: 'tool_error' }],
    });
  });

  it('opens a user-slash skill_activated run with the hooks’ key; other triggers are left to tool_result', () => {
    const slash = flattenLogsRequest(
      f.otlpJson([
        {
          name: 'skill_activated',
          attributes: { 'session.id': f.SESSION, 'prompt.id': 'p-2', 'skill.name': 'deploy', invocation_trigger: 'user-slash' },
          timeMs: t,
        },
        {
          name: 'skill_activated',
          attributes: { 'session.id': f.SESSION, 'skill.name': 'pdf', invocation_trigger: 'claude-proactive' },
          timeMs: t,
        },
        { name: 'api_request', attributes: { 'session.id': f.SESSION, model: 'claude' }, timeMs: t },
      ]),
    );
    expect(mapLogRecord(slash[0]!, { now })).toMatchObject({ events: [{ type: 'open', key: `slash:${f.SESSION}:p-2:deploy` }] });
    expect(mapLogRecord(slash[1]!, { now })).toEqual({ ignored: 'skill_activated by claude-proactive (its tool_result reports the run)' });
    expect(mapLogRecord(slash[2]!, { now })).toEqual({ ignored: 'log record api_request (no skill run)' });
  });

  it('names the field of a malformed request', () => {
    expect(() => flattenLogsRequest({ resourceLogs: {} })).toThrow(new OtlpFormatError('resourceLogs', 'expected an array'));
    expect(() => flattenLogsRequest({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ attributes: [{ value: {} }] }] }] }] })).toThrow(
      'resourceLogs[0].scopeLogs[0].logRecords[0].attributes[0]: expected {key, value} with a string key',
    );
    expect(flattenLogsRequest({ resourceLogs: [], somethingNew: 1 })).toEqual([]);
  });
});

describe('readTranscript (docs/sessions.md shapes)', () => {
  const line = (o: unknown) => JSON.stringify(o);
  const base = { sessionId: f.SESSION, cwd: '/home/alice/app', version: '2.1.0', gitBranch: 'main', isSidechain: false };
  const content = [
    line({
      ...base,
      type: 'user',
      uuid: 'u1',
      parentUuid: null,
      timestamp: '2026-12-01T10:00:00.000Z',
      message: { role: 'user', content: 'Use the pdf skill. Skills available: pdf, xlsx, deploy' },
    }),
    line({
      ...base,
      type: 'assistant',
      uuid: 'a1',
      timestamp: '2026-12-01T10:00:01.000Z',
      message: {
        role: 'assistant',
        content: [
          { type: 'text', text: 'I will use pdf and xlsx' },
          { type: 'tool_use', id: 'toolu_t1', name: 'Skill', input: { skill: 'pdf' } },
        ],
      },
    }),
    '{"type": "assistant", broken',
    line({
      ...base,
      type: 'user',
      uuid: 'u2',
      timestamp: '2026-12-01T10:00:05.500Z',
      message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_t1', content: 'done', is_error: false }] },
    }),
    line({
      ...base,
      type: 'assistant',
      isSidechain: true,
      uuid: 'a2',
      timestamp: '2026-12-01T10:01:00.000Z',
      message: {
        content: [
          { type: 'tool_use', id: 'toolu_t2', name: 'Skill', input: { skill: 'xlsx' } },
          { type: 'tool_use', id: 'toolu_t3', name: 'Read', input: {} },
        ],
      },
    }),
    line({
      ...base,
      type: 'user',
      isSidechain: true,
      uuid: 'u3',
      timestamp: '2026-12-01T10:01:02.000Z',
      message: {
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_t2', content: [{ type: 'text', text: 'Error: sheet missing\nmore' }], is_error: true },
        ],
      },
    }),
    line({ type: 'brand-new-entry', timestamp: '2026-12-01T10:02:00.000Z' }),
    line({ type: 'summary', summary: 'PDF work', leafUuid: 'u3' }),
    '',
  ].join('\n');

  it('counts only tool_use blocks, pairs their results, and accounts for every line', () => {
    const r = readTranscript(content);
    expect(r.opens.map((o) => [o.key, o.skill, o.at])).toEqual([
      ['toolu_t1', 'pdf', Date.parse('2026-12-01T10:00:01.000Z')],
      ['toolu_t2', 'xlsx', Date.parse('2026-12-01T10:01:00.000Z')],
    ]);
    expect(r.closes.map((c) => [c.key, c.completed, c.errorType ?? null])).toEqual([
      ['toolu_t1', true, null],
      ['toolu_t2', false, 'Error: sheet missing'],
    ]);
    expect(r).toMatchObject({
      lines: 8,
      understood: 6,
      skipped: { 'malformed JSON': 1, 'unknown entry type brand-new-entry': 1 },
      sessionIds: [f.SESSION],
    });
    expect(r.opens[0]).toMatchObject({ project: '/home/alice/app', clientVersion: '2.1.0', sessionId: f.SESSION });
  });
});

describe('phaseRules', () => {
  it('maps names and patterns, exact first, longer patterns before shorter, and nothing else', () => {
    const phaseOf = phaseRules({
      'pytest-*': 'testing',
      'pytest-watch': 'development',
      '*': 'other',
      'deploy-prod*': 'release',
      'deploy*': 'deployment',
    });
    expect(['pytest-run', 'pytest-watch', 'deploy-prod-eu', 'deploy-staging', 'lint'].map(phaseOf)).toEqual([
      'testing',
      'development',
      'release',
      'deployment',
      'other',
    ]);
    expect(phaseRules({ pdf: 'execution' })('xlsx')).toBeUndefined();
  });

  it('names the rule that is wrong', () => {
    expect(() => phaseRules({ pdf: 3 })).toThrow(
      new PhaseRulesError('pdf', 'expected a phase name (a non-empty string of at most 100 characters)'),
    );
    expect(() => phaseRules(['x'])).toThrow(PhaseRulesError);
  });
});
