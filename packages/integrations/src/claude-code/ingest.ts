import { recordInvocations, type Store } from '@skills/storage';
import { mapHook } from './hooks.js';
import { flattenLogsRequest, mapLogRecord, PLACEHOLDER_SKILL } from './otlp-logs.js';
import { invocationIdOf, runInvocation, type RunRecord, type Unclosed } from './run-invocation.js';
import type { ClaudeCodeSource, Mapped, RunClose, RunEvent, RunOpen, SkillSelection } from './run-events.js';

export interface ClaudeCodeIngestOptions extends SkillSelection {
  /** A run opened and never closed is recorded as abandoned after this long (default 30 min). */
  abandonAfterMs?: number | undefined;
  /**
   * An OpenTelemetry tool_result that names the skill only by Claude Code's placeholder waits this
   * long for a hook to name it (default 60 s), then is recorded under `custom_skill`.
   */
  placeholderGraceMs?: number | undefined;
  /** Keep the user's prompt as the runs' `user_query` (default false: prompts are not stored). */
  recordPrompts?: boolean | undefined;
  /** The workflow phase of a skill (SKILL.md metadata or configured rules); none when absent. */
  phaseOf?: ((skill: string) => string | undefined) | undefined;
  /** Clock (epoch ms). */
  now?: (() => number) | undefined;
}

/** What a delivery did. */
export interface IngestReport {
  /** Records received (hook inputs, log records). */
  received: number;
  /** Invocations newly written. */
  recorded: number;
  /** Runs another source had already recorded (joined by tool_use_id). */
  joined: number;
  /** Runs opened and kept pending until their close arrives. */
  opened: number;
  /** Records that carry nothing to record, by reason (an unknown hook event, a non-skill tool, …). */
  ignored: Record<string, number>;
  /** Records refused, each with its index and the field that was wrong. */
  rejected: { index: number; field: string; message: string }[];
  /** Set once when a skill was recorded under Claude Code's placeholder name. */
  placeholderSkills: number;
}

export interface ClaudeCodeIngest {
  /** Hook inputs as Claude Code POSTs them (one object, or an array). */
  hooks(input: unknown, context?: { userId?: string }): Promise<IngestReport>;
  /** An OTLP logs request (the JSON form, or what `decodeLogsRequest` gave for protobuf). */
  logs(request: unknown, context?: { userId?: string }): Promise<IngestReport>;
  /** Records runs whose time ran out (abandoned, or placeholder-named); returns how many. */
  sweep(): Promise<number>;
  /** Runs currently waiting for their close. */
  pending(): Promise<number>;
}

const RUN = 'run';
const PLACEHOLDER = 'placeholder';
const PROMPT = 'prompt';

interface PendingRow {
  key: string;
  source: string;
  kind: string;
  session_id: string;
  payload: string;
  opened_at: number;
  expires_at: number;
}

/**
 * The store side of the Claude Code sources: applies run events (from `mapHook`,
 * `mapLogRecord`) to the pending runs kept in `integration_pending`, records each finished run
 * as one invocation (id from its `tool_use_id`, so every source of one run lands on one id) and
 * notes in `integration_runs` which sources reported it, from which project and version.
 * @example const ingest = createClaudeCodeIngest(store); await ingest.hooks(hookInput, { userId: 'alice' });
 */
export function createClaudeCodeIngest(store: Store, options: ClaudeCodeIngestOptions = {}): ClaudeCodeIngest {
  const abandonAfter = options.abandonAfterMs ?? 30 * 60_000;
  const grace = options.placeholderGraceMs ?? 60_000;
  const clock = options.now ?? Date.now;
  const db = store.db;

  const emptyReport = (received: number): IngestReport => ({ received, recorded: 0, joined: 0, opened: 0, ignored: {}, rejected: [], placeholderSkills: 0 });

  async function promptOf(sessionId: string | undefined): Promise<string | undefined> {
    if (!options.recordPrompts || !sessionId) return undefined;
    const row = await db.selectFrom('integration_pending').select('payload').where('key', '=', `${PROMPT}:${sessionId}`).executeTakeFirst();
    return row ? (JSON.parse(row.payload) as { text: string }).text : undefined;
  }

  async function write(records: RunRecord[], report: IngestReport, source: ClaudeCodeSource): Promise<void> {
    if (records.length === 0) return;
    const result = await recordInvocations(store, records.map((r) => r.invocation));
    report.recorded += result.inserted;
    report.joined += result.duplicates;
    await noteRuns(store, records, source, clock());
  }

  async function apply(events: RunEvent[], source: ClaudeCodeSource, report: IngestReport): Promise<void> {
    const finished: RunRecord[] = [];
    const closedKeys: string[] = [];
    for (const event of events) {
      const now = clock();
      if (event.type === 'prompt') {
        if (!options.recordPrompts) continue;
        await upsertPending(store, { key: `${PROMPT}:${event.sessionId}`, source, kind: PROMPT, session_id: event.sessionId, payload: JSON.stringify({ text: event.text }), opened_at: event.at, expires_at: now + 24 * 3_600_000 });
        continue;
      }
      if (event.type === 'open') {
        const id = invocationIdOf(event.key);
        if (await isRecorded(store, id)) {
          report.joined++;
          await noteRuns(store, [{ invocation: { id } as RunRecord['invocation'], facts: { ...event, source } }], source, now);
          continue;
        }
        const existing = await pendingRow(store, `${RUN}:${event.key}`);
        const open: RunOpen = existing ? { ...event, ...(JSON.parse(existing.payload) as RunOpen) } : event;
        await upsertPending(store, { key: `${RUN}:${event.key}`, source, kind: RUN, session_id: event.sessionId ?? 'unknown-session', payload: JSON.stringify(open), opened_at: open.at, expires_at: now + abandonAfter });
        report.opened++;
        continue;
      }
      if (event.type === 'close') {
        const row = await pendingRow(store, `${RUN}:${event.key}`);
        const open = row ? (JSON.parse(row.payload) as RunOpen) : undefined;
        if (event.placeholderSkill && !open && (await isRecorded(store, invocationIdOf(event.key)))) {
          report.joined++;
          await noteRuns(store, [{ invocation: { id: invocationIdOf(event.key) } as RunRecord['invocation'], facts: { ...event, source } }], source, now);
          continue;
        }
        if (event.placeholderSkill && !open) {
          // Wait for a hook (or a transcript) to name the skill; recorded as custom_skill after the grace.
          await upsertPending(store, { key: `${PLACEHOLDER}:${event.key}`, source, kind: PLACEHOLDER, session_id: event.sessionId ?? 'unknown-session', payload: JSON.stringify(event), opened_at: event.at, expires_at: now + grace });
          report.opened++;
          continue;
        }
        const held = await pendingRow(store, `${PLACEHOLDER}:${event.key}`);
        const close: RunClose = held && !event.durationMs ? { ...(JSON.parse(held.payload) as RunClose), ...definedOnly(event) } : event;
        finished.push(runInvocation(open, close, { source, openedBy: row?.source as ClaudeCodeSource | undefined, phaseOf: options.phaseOf, prompt: await promptOf(close.sessionId ?? open?.sessionId) }));
        closedKeys.push(`${RUN}:${event.key}`, `${PLACEHOLDER}:${event.key}`);
        continue;
      }
      // turn-end and session-end close the session's open runs.
      const rows = await db.selectFrom('integration_pending').selectAll().where('session_id', '=', event.sessionId).where('kind', '=', RUN).execute();
      for (const r of rows) {
        const open = JSON.parse(r.payload) as RunOpen;
        if (event.type === 'turn-end' && !open.endsWithTurn) continue;
        const prompt = await promptOf(open.sessionId);
        if (event.type === 'turn-end') {
          const close: RunClose = { type: 'close', key: open.key, at: event.at, completed: event.completed, errorType: event.completed ? undefined : 'turn_failed' };
          finished.push(runInvocation(open, close, { source, phaseOf: options.phaseOf, prompt }));
        } else {
          finished.push(runInvocation(open, undefined, { source, phaseOf: options.phaseOf, prompt, unclosed: 'session_ended' }));
        }
        closedKeys.push(r.key);
      }
      if (event.type === 'session-end') closedKeys.push(`${PROMPT}:${event.sessionId}`);
    }
    await write(finished, report, source);
    if (closedKeys.length > 0) await db.deleteFrom('integration_pending').where('key', 'in', closedKeys).execute();
  }

  async function deliver(mapped: Mapped[], source: ClaudeCodeSource): Promise<IngestReport> {
    const report = emptyReport(mapped.length);
    const events: RunEvent[] = [];
    mapped.forEach((m, index) => {
      if ('events' in m) events.push(...m.events);
      else if ('ignored' in m) report.ignored[m.ignored] = (report.ignored[m.ignored] ?? 0) + 1;
      else report.rejected.push({ index, ...m.rejected });
    });
    await apply(events, source, report);
    return report;
  }

  return {
    async hooks(input, context = {}) {
      const items = Array.isArray(input) ? input : [input];
      const now = clock();
      return deliver(items.map((item) => mapHook(item, { ...options, now, userId: context.userId })), 'hooks');
    },

    async logs(request, context = {}) {
      const records = flattenLogsRequest(request);
      const now = clock();
      const mapped = records.map((record) => mapLogRecord(record, { ...options, now, userId: context.userId }));
      const report = await deliver(mapped, 'otlp');
      report.placeholderSkills = mapped.filter((m) => 'events' in m && m.events.some((e) => e.type === 'close' && e.placeholderSkill)).length;
      return report;
    },

    async sweep() {
      const now = clock();
      const due = await db.selectFrom('integration_pending').selectAll().where('expires_at', '<=', now).where('kind', 'in', [RUN, PLACEHOLDER]).execute();
      const records: RunRecord[] = [];
      for (const row of due) {
        const prompt = await promptOf(row.session_id);
        if (row.kind === PLACEHOLDER) {
          const close = JSON.parse(row.payload) as RunClose;
          records.push(runInvocation(undefined, { ...close, skill: close.skill ?? PLACEHOLDER_SKILL, placeholderSkill: false }, { source: row.source as ClaudeCodeSource, phaseOf: options.phaseOf, prompt }));
        } else {
          const open = JSON.parse(row.payload) as RunOpen;
          records.push(runInvocation(open, undefined, { source: row.source as ClaudeCodeSource, phaseOf: options.phaseOf, prompt, unclosed: 'timeout' satisfies Unclosed }));
        }
      }
      if (records.length > 0) {
        await recordInvocations(store, records.map((r) => r.invocation));
        await noteRuns(store, records, 'hooks', now);
        await db.deleteFrom('integration_pending').where('key', 'in', due.map((r) => r.key)).execute();
      }
      await db.deleteFrom('integration_pending').where('kind', '=', PROMPT).where('expires_at', '<=', now).execute();
      return records.length;
    },

    async pending() {
      const row = await db.selectFrom('integration_pending').select((eb) => eb.fn.countAll<number>().as('n')).where('kind', 'in', [RUN, PLACEHOLDER]).executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}

async function isRecorded(store: Store, id: string): Promise<boolean> {
  return (await store.db.selectFrom('skill_invocation').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
}

async function pendingRow(store: Store, key: string): Promise<PendingRow | undefined> {
  return store.db.selectFrom('integration_pending').selectAll().where('key', '=', key).executeTakeFirst();
}

async function upsertPending(store: Store, row: PendingRow): Promise<void> {
  await store.db
    .insertInto('integration_pending')
    .values(row)
    .onConflict((oc) => oc.column('key').doUpdateSet({ payload: row.payload, expires_at: row.expires_at }))
    .execute();
}

/** Notes each run's sources, project and version in `integration_runs` (merging with what is there). */
export async function noteRuns(store: Store, records: readonly RunRecord[], source: ClaudeCodeSource, now: number): Promise<void> {
  for (const { invocation, facts } of records) {
    const id = invocation.id!;
    const existing = await store.db.selectFrom('integration_runs').selectAll().where('invocation_id', '=', id).executeTakeFirst();
    if (!existing) {
      const first = facts.openedBy ?? source;
      await store.db
        .insertInto('integration_runs')
        .values({
          invocation_id: id, source: first, sources: first === source ? source : `${first},${source}`, tool_name: facts.toolName ?? null, run_key: facts.key,
          project: facts.project ?? null, client_version: facts.clientVersion ?? null, agent_type: facts.agentType ?? null,
          trigger: facts.trigger ?? null, first_seen_at: now, updated_at: now,
        })
        .onConflict((oc) => oc.column('invocation_id').doNothing())
        .execute();
      continue;
    }
    const sources = existing.sources.split(',');
    if (!sources.includes(source)) sources.push(source);
    await store.db
      .updateTable('integration_runs')
      .set({
        sources: sources.join(','),
        tool_name: existing.tool_name ?? facts.toolName ?? null,
        project: existing.project ?? facts.project ?? null,
        client_version: existing.client_version ?? facts.clientVersion ?? null,
        agent_type: existing.agent_type ?? facts.agentType ?? null,
        trigger: existing.trigger ?? facts.trigger ?? null,
        updated_at: now,
      })
      .where('invocation_id', '=', id)
      .execute();
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
