import { recordInvocations, type SkillsDatabase, type Store } from '@skills/storage';
import { mapHook } from './hooks.js';
import { flattenLogsRequest, mapLogRecord, PLACEHOLDER_SKILL } from './otlp-logs.js';
import { invocationIdOf, runInvocation, type RunRecord } from './run-invocation.js';
import {
  definedOnly,
  type ClaudeCodeSource,
  type Mapped,
  type RunClose,
  type RunEvent,
  type RunOpen,
  type SkillSelection,
} from './run-events.js';

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
  /**
   * Deliveries arriving within this many milliseconds of each other are written in one
   * transaction (default 2 ms; 0 writes each alone). Each call still resolves only once its own
   * records are committed.
   */
  groupCommitMs?: number | undefined;
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
  /** Records that named a skill only by Claude Code's placeholder (`custom_skill`). */
  placeholderSkills: number;
}

export interface ClaudeCodeIngest {
  /** Hook inputs as Claude Code POSTs them (one object, or an array). */
  hooks(input: unknown, context?: { userId?: string | undefined }): Promise<IngestReport>;
  /** An OTLP logs request (the JSON form, or what `decodeLogsRequest` gave for protobuf). */
  logs(request: unknown, context?: { userId?: string | undefined }): Promise<IngestReport>;
  /** Records runs whose time ran out (abandoned, or placeholder-named); returns how many. */
  sweep(): Promise<number>;
  /** Runs currently waiting for their close. */
  pending(): Promise<number>;
}

const RUN = 'run';
const PLACEHOLDER = 'placeholder';
const PROMPT = 'prompt';
/** Keys per `IN (…)` list: well under SQLite's and PostgreSQL's parameter limits. */
const CHUNK = 500;

/** A row of `integration_pending`, as storage's schema describes it. */
type PendingRow = SkillsDatabase['integration_pending'];

interface Delivery {
  events: RunEvent[];
  source: ClaudeCodeSource;
  report: IngestReport;
  done: (error?: unknown) => void;
}

/**
 * The store side of the Claude Code sources: applies run events (from `mapHook`,
 * `mapLogRecord`) to the pending runs kept in `integration_pending`, records each finished run
 * as one invocation (id from its `tool_use_id`, so every source of one run lands on one id) and
 * notes in `integration_runs` which sources reported it, from which project and version.
 * Deliveries that arrive together are applied as one batch: a handful of queries and one
 * recording transaction, however many records they hold.
 * @example const ingest = createClaudeCodeIngest(store); await ingest.hooks(hookInput, { userId: 'alice' });
 */
export function createClaudeCodeIngest(store: Store, options: ClaudeCodeIngestOptions = {}): ClaudeCodeIngest {
  const abandonAfter = options.abandonAfterMs ?? 30 * 60_000;
  const grace = options.placeholderGraceMs ?? 60_000;
  const window = options.groupCommitMs ?? 2;
  const clock = options.now ?? Date.now;
  const db = store.db;

  let queue: Delivery[] = [];
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  function schedule(): void {
    if (timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      const batch = queue;
      queue = [];
      // One batch at a time, in arrival order: a close never overtakes its open.
      running = running.then(() => applyBatch(batch));
    }, window);
  }

  async function applyBatch(batch: Delivery[]): Promise<void> {
    try {
      await apply(batch);
      for (const d of batch) d.done();
    } catch (error) {
      for (const d of batch) d.done(error);
    }
  }

  function enqueue(mapped: Mapped[], source: ClaudeCodeSource): Promise<IngestReport> {
    const report: IngestReport = {
      received: mapped.length,
      recorded: 0,
      joined: 0,
      opened: 0,
      ignored: {},
      rejected: [],
      placeholderSkills: 0,
    };
    const events: RunEvent[] = [];
    mapped.forEach((m, index) => {
      if ('events' in m) {
        events.push(...m.events);
        report.placeholderSkills += m.events.filter((e) => e.type === 'close' && e.placeholderSkill).length;
      } else if ('ignored' in m) report.ignored[m.ignored] = (report.ignored[m.ignored] ?? 0) + 1;
      else report.rejected.push({ index, ...m.rejected });
    });
    if (events.length === 0) return Promise.resolve(report);
    return new Promise((resolve, reject) => {
      queue.push({ events, source, report, done: (error) => (error === undefined ? resolve(report) : reject(error)) });
      if (window <= 0) {
        const batch = queue;
        queue = [];
        running = running.then(() => applyBatch(batch));
      } else schedule();
    });
  }

  /** Applies every delivery's events in order against the pending state, read once and written once. */
  async function apply(batch: Delivery[]): Promise<void> {
    const now = clock();
    const all = batch.flatMap((d) => d.events);
    // Read only what the events need: their runs (and held placeholder closes) by key, the
    // session's prompt when prompts are kept, and a session's open runs only when a turn or the
    // session ends.
    const keys = new Set<string>();
    const endingSessions = new Set<string>();
    for (const e of all) {
      if (e.type === 'open' || e.type === 'close') keys.add(`${RUN}:${e.key}`).add(`${PLACEHOLDER}:${e.key}`);
      else if (e.type === 'turn-end' || e.type === 'session-end') endingSessions.add(e.sessionId);
      if (options.recordPrompts && e.sessionId) keys.add(`${PROMPT}:${e.sessionId}`);
    }
    const pending = new Map<string, PendingRow>();
    for (const chunk of chunks([...keys])) {
      for (const row of await db.selectFrom('integration_pending').selectAll().where('key', 'in', chunk).execute())
        pending.set(row.key, row);
    }
    for (const chunk of chunks([...endingSessions])) {
      for (const row of await db
        .selectFrom('integration_pending')
        .selectAll()
        .where('session_id', 'in', chunk)
        .where('kind', '=', RUN)
        .execute())
        pending.set(row.key, row);
    }
    const ids = [
      ...new Set(all.filter((e) => e.type === 'open' || e.type === 'close').map((e) => invocationIdOf((e as RunOpen | RunClose).key))),
    ];
    const recorded = new Set<string>();
    for (const chunk of chunks(ids)) {
      for (const row of await db.selectFrom('skill_invocation').select('id').where('id', 'in', chunk).execute()) recorded.add(row.id);
    }

    const upserts = new Map<string, PendingRow>();
    const deletes = new Set<string>();
    const finished: { record: RunRecord; report: IngestReport }[] = [];
    const joinedRuns: RunRecord[] = [];
    const put = (row: PendingRow) => {
      pending.set(row.key, row);
      upserts.set(row.key, row);
      deletes.delete(row.key);
    };
    const drop = (key: string) => {
      if (!pending.has(key)) return;
      pending.delete(key);
      upserts.delete(key);
      deletes.add(key);
    };
    const promptOf = (sessionId: string | undefined) => {
      if (!options.recordPrompts || !sessionId) return undefined;
      const row = pending.get(`${PROMPT}:${sessionId}`);
      return row ? (JSON.parse(row.payload) as { text: string }).text : undefined;
    };
    const finish = (record: RunRecord, report: IngestReport) => {
      const id = record.invocation.id!;
      if (recorded.has(id)) {
        report.joined++;
        joinedRuns.push(record);
      } else {
        report.recorded++;
        recorded.add(id);
        finished.push({ record, report });
      }
    };

    for (const { events, source, report } of batch) {
      for (const event of events) {
        if (event.type === 'prompt') {
          if (options.recordPrompts)
            put({
              key: `${PROMPT}:${event.sessionId}`,
              source,
              kind: PROMPT,
              session_id: event.sessionId,
              payload: JSON.stringify({ text: event.text }),
              opened_at: event.at,
              expires_at: now + 24 * 3_600_000,
            });
          continue;
        }
        if (event.type === 'open') {
          const id = invocationIdOf(event.key);
          if (recorded.has(id)) {
            report.joined++;
            joinedRuns.push({ invocation: { id } as RunRecord['invocation'], facts: { ...event, source } });
            continue;
          }
          const key = `${RUN}:${event.key}`;
          const existing = pending.get(key);
          const open: RunOpen = existing ? { ...event, ...(JSON.parse(existing.payload) as RunOpen) } : event;
          put({
            key,
            source: existing?.source ?? source,
            kind: RUN,
            session_id: event.sessionId ?? 'unknown-session',
            payload: JSON.stringify(open),
            opened_at: open.at,
            expires_at: now + abandonAfter,
          });
          report.opened++;
          continue;
        }
        if (event.type === 'close') {
          const id = invocationIdOf(event.key);
          const row = pending.get(`${RUN}:${event.key}`);
          const open = row ? (JSON.parse(row.payload) as RunOpen) : undefined;
          if (event.placeholderSkill && !open) {
            if (recorded.has(id)) {
              report.joined++;
              joinedRuns.push({ invocation: { id } as RunRecord['invocation'], facts: { ...event, source } });
            } else {
              // Wait for a hook (or a transcript) to name the skill; recorded as custom_skill after the grace.
              put({
                key: `${PLACEHOLDER}:${event.key}`,
                source,
                kind: PLACEHOLDER,
                session_id: event.sessionId ?? 'unknown-session',
                payload: JSON.stringify(event),
                opened_at: event.at,
                expires_at: now + grace,
              });
              report.opened++;
            }
            continue;
          }
          const held = pending.get(`${PLACEHOLDER}:${event.key}`);
          const close: RunClose =
            held && event.durationMs === undefined ? { ...(JSON.parse(held.payload) as RunClose), ...definedOnly(event) } : event;
          const openedBy = (row?.source ?? held?.source) as ClaudeCodeSource | undefined;
          finish(
            runInvocation(open, close, {
              source,
              openedBy: openedBy === source ? undefined : openedBy,
              phaseOf: options.phaseOf,
              prompt: promptOf(close.sessionId ?? open?.sessionId),
            }),
            report,
          );
          drop(`${RUN}:${event.key}`);
          drop(`${PLACEHOLDER}:${event.key}`);
          continue;
        }
        // turn-end and session-end close the session's open runs.
        for (const r of [...pending.values()].filter((p) => p.kind === RUN && p.session_id === event.sessionId)) {
          const open = JSON.parse(r.payload) as RunOpen;
          if (event.type === 'turn-end' && !open.endsWithTurn) continue;
          const prompt = promptOf(open.sessionId);
          const openedBy = r.source === source ? undefined : (r.source as ClaudeCodeSource);
          if (event.type === 'turn-end') {
            const close: RunClose = {
              type: 'close',
              key: open.key,
              at: event.at,
              completed: event.completed,
              errorType: event.completed ? undefined : 'turn_failed',
            };
            finish(runInvocation(open, close, { source, openedBy, phaseOf: options.phaseOf, prompt }), report);
          } else {
            finish(
              runInvocation(open, undefined, { source, openedBy, phaseOf: options.phaseOf, prompt, unclosed: 'session_ended' }),
              report,
            );
          }
          drop(r.key);
        }
        if (event.type === 'session-end') drop(`${PROMPT}:${event.sessionId}`);
      }
    }

    // A run whose fields break the storage rules (a 300-character skill name, say) is refused
    // alone, in its own delivery's report; the others of the batch are written.
    const refused = new Set<number>();
    if (finished.length > 0) {
      const result = await recordInvocations(
        store,
        finished.map((f) => f.record.invocation),
        { skipInvalid: true },
      );
      for (const { index, issues } of result.rejected) {
        refused.add(index);
        const { report } = finished[index]!;
        report.recorded--;
        for (const issue of issues)
          report.rejected.push({ index: -1, field: issue.field, message: `run ${finished[index]!.record.facts.key}: ${issue.message}` });
      }
    }
    await noteRuns(store, [...finished.filter((_, i) => !refused.has(i)).map((f) => f.record), ...joinedRuns], now);
    if (upserts.size > 0) {
      const rows = [...upserts.values()];
      for (let i = 0; i < rows.length; i += 200) {
        await db
          .insertInto('integration_pending')
          .values(rows.slice(i, i + 200))
          .onConflict((oc) =>
            oc.column('key').doUpdateSet((eb) => ({
              payload: eb.ref('excluded.payload'),
              source: eb.ref('excluded.source'),
              expires_at: eb.ref('excluded.expires_at'),
            })),
          )
          .execute();
      }
    }
    for (const chunk of chunks([...deletes])) await db.deleteFrom('integration_pending').where('key', 'in', chunk).execute();
  }

  return {
    hooks(input, context = {}) {
      const items = Array.isArray(input) ? input : [input];
      const now = clock();
      return enqueue(
        items.map((item) => mapHook(item, { ...options, now, userId: context.userId })),
        'hooks',
      );
    },

    logs(request, context = {}) {
      const records = flattenLogsRequest(request);
      const now = clock();
      return enqueue(
        records.map((record) => mapLogRecord(record, { ...options, now, userId: context.userId })),
        'otlp',
      );
    },

    async sweep() {
      await running;
      const now = clock();
      const due = await db
        .selectFrom('integration_pending')
        .selectAll()
        .where('expires_at', '<=', now)
        .where('kind', 'in', [RUN, PLACEHOLDER])
        .execute();
      const prompts = new Map<string, string>();
      if (options.recordPrompts) {
        for (const chunk of chunks([...new Set(due.map((r) => `${PROMPT}:${r.session_id}`))])) {
          for (const row of await db.selectFrom('integration_pending').selectAll().where('key', 'in', chunk).execute())
            prompts.set(row.session_id, (JSON.parse(row.payload) as { text: string }).text);
        }
      }
      const records: RunRecord[] = due.map((row) => {
        const source = row.source as ClaudeCodeSource;
        const prompt = prompts.get(row.session_id);
        if (row.kind === PLACEHOLDER) {
          const close = JSON.parse(row.payload) as RunClose;
          return runInvocation(
            undefined,
            { ...close, skill: close.skill ?? PLACEHOLDER_SKILL, placeholderSkill: false },
            { source, phaseOf: options.phaseOf, prompt },
          );
        }
        return runInvocation(JSON.parse(row.payload) as RunOpen, undefined, {
          source,
          phaseOf: options.phaseOf,
          prompt,
          unclosed: 'timeout',
        });
      });
      if (records.length > 0) {
        await recordInvocations(
          store,
          records.map((r) => r.invocation),
        );
        await noteRuns(store, records, now);
        for (const chunk of chunks(due.map((r) => r.key))) await db.deleteFrom('integration_pending').where('key', 'in', chunk).execute();
      }
      await db.deleteFrom('integration_pending').where('kind', '=', PROMPT).where('expires_at', '<=', now).execute();
      return records.length;
    },

    async pending() {
      await running;
      const row = await db
        .selectFrom('integration_pending')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('kind', 'in', [RUN, PLACEHOLDER])
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}

/**
 * Notes each run's sources, project and version in `integration_runs`, merging with what is
 * there: one read for all, one insert for the new, an update only where a source is added.
 */
export async function noteRuns(store: Store, records: readonly RunRecord[], now: number): Promise<void> {
  if (records.length === 0) return;
  const byId = new Map<string, RunRecord[]>();
  for (const r of records) byId.set(r.invocation.id!, [...(byId.get(r.invocation.id!) ?? []), r]);
  const existing = new Map<string, Awaited<ReturnType<typeof readRuns>>[number]>();
  for (const chunk of chunks([...byId.keys()])) for (const row of await readRuns(store, chunk)) existing.set(row.invocation_id, row);
  const inserts = [];
  for (const [id, runs] of byId) {
    const had = existing.get(id);
    const sources = had ? had.sources.split(',') : [];
    const facts = Object.assign({}, ...runs.map((r) => definedOnly(r.facts))) as RunRecord['facts'];
    for (const r of runs) {
      for (const s of [r.facts.openedBy, r.facts.source]) if (s && !sources.includes(s)) sources.push(s);
    }
    if (!had) {
      inserts.push({
        invocation_id: id,
        source: sources[0]!,
        sources: sources.join(','),
        tool_name: facts.toolName ?? null,
        run_key: facts.key ?? null,
        project: facts.project ?? null,
        client_version: facts.clientVersion ?? null,
        agent_type: facts.agentType ?? null,
        trigger: facts.trigger ?? null,
        first_seen_at: now,
        updated_at: now,
      });
      continue;
    }
    const update = {
      sources: sources.join(','),
      tool_name: had.tool_name ?? facts.toolName ?? null,
      project: had.project ?? facts.project ?? null,
      client_version: had.client_version ?? facts.clientVersion ?? null,
      agent_type: had.agent_type ?? facts.agentType ?? null,
      trigger: had.trigger ?? facts.trigger ?? null,
    };
    const changed = (Object.keys(update) as (keyof typeof update)[]).some((k) => update[k] !== had[k]);
    if (changed)
      await store.db
        .updateTable('integration_runs')
        .set({ ...update, updated_at: now })
        .where('invocation_id', '=', id)
        .execute();
  }
  for (let i = 0; i < inserts.length; i += 200) {
    await store.db
      .insertInto('integration_runs')
      .values(inserts.slice(i, i + 200))
      .onConflict((oc) => oc.column('invocation_id').doNothing())
      .execute();
  }
}

function readRuns(store: Store, ids: string[]) {
  return store.db.selectFrom('integration_runs').selectAll().where('invocation_id', 'in', ids).execute();
}

function* chunks<T>(items: T[]): Generator<T[]> {
  for (let i = 0; i < items.length; i += CHUNK) yield items.slice(i, i + CHUNK);
}
