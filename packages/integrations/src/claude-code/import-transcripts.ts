import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { recordInvocations, type Store } from '@skills/storage';
import { noteRuns } from './ingest.js';
import { runInvocation, type RunRecord } from './run-invocation.js';
import type { RunClose, SkillSelection } from './run-events.js';
import { readTranscript } from './transcripts.js';

export interface ImportTranscriptsOptions extends SkillSelection {
  /** Only files modified at or after this time (epoch ms). */
  since?: number | undefined;
  /** Only these project folders (their names under the projects directory, or a substring of one). */
  project?: string | undefined;
  /** A run with no result in a file untouched for this long is recorded as abandoned (default 30 min); younger ones are left to the live sources. */
  abandonAfterMs?: number | undefined;
  phaseOf?: ((skill: string) => string | undefined) | undefined;
  /** The user the runs belong to (transcripts do not say). */
  userId?: string | undefined;
  now?: number | undefined;
  /** Called after each file with the bytes read so far and the total, for a progress bar. */
  onProgress?: (done: number, total: number) => void;
}

export interface ProjectSummary {
  project: string;
  files: number;
  bytes: number;
  lines: number;
  understood: number;
  skipped: Record<string, number>;
  /** Skill runs found (tool_use blocks of skills). */
  runs: number;
  recorded: number;
  /** Runs already recorded (an earlier import, or the hooks / OpenTelemetry) — not counted again. */
  alreadyKnown: number;
  /** Runs with no result yet in a file still being written: left for the live sources. */
  stillOpen: number;
}

/**
 * Backfills skill runs from Claude Code's session transcripts: `<dir>/<project>/<session>.jsonl`
 * (default dir `~/.claude/projects`, passed in by the caller). Idempotent: each run's id comes from
 * its `tool_use_id`, so re-running imports nothing twice and a run the hooks or OpenTelemetry
 * already reported is not counted again. Returns a summary per project.
 */
export async function importTranscripts(store: Store, dir: string, options: ImportTranscriptsOptions = {}): Promise<ProjectSummary[]> {
  const now = options.now ?? Date.now();
  const abandonAfter = options.abandonAfterMs ?? 30 * 60_000;
  const files: { project: string; path: string; size: number; mtime: number }[] = [];
  for (const project of await directories(dir)) {
    if (options.project && !project.includes(options.project)) continue;
    for (const name of await entries(join(dir, project))) {
      if (!name.endsWith('.jsonl')) continue;
      const path = join(dir, project, name);
      const info = await stat(path).catch(() => undefined);
      if (!info?.isFile()) continue;
      if (options.since !== undefined && info.mtimeMs < options.since) continue;
      files.push({ project, path, size: info.size, mtime: info.mtimeMs });
    }
  }
  const total = files.reduce((sum, f) => sum + f.size, 0);
  let done = 0;
  const summaries = new Map<string, ProjectSummary>();
  for (const file of files) {
    const summary = summaries.get(file.project) ?? {
      project: file.project,
      files: 0,
      bytes: 0,
      lines: 0,
      understood: 0,
      skipped: {},
      runs: 0,
      recorded: 0,
      alreadyKnown: 0,
      stillOpen: 0,
    };
    summaries.set(file.project, summary);
    const reading = readTranscript(await readFile(file.path, 'utf8'), options);
    summary.files++;
    summary.bytes += file.size;
    summary.lines += reading.lines;
    summary.understood += reading.understood;
    for (const [reason, n] of Object.entries(reading.skipped)) summary.skipped[reason] = (summary.skipped[reason] ?? 0) + n;
    const closes = new Map<string, RunClose>(reading.closes.map((c) => [c.key, c]));
    const finished = Math.max(file.mtime, reading.lastTimestamp ?? 0) <= now - abandonAfter;
    const records: RunRecord[] = [];
    for (const open of reading.opens) {
      summary.runs++;
      if (options.userId) open.userId = options.userId;
      const close = closes.get(open.key);
      if (close) records.push(runInvocation(open, close, { source: 'transcript', phaseOf: options.phaseOf }));
      else if (finished)
        records.push(runInvocation(open, undefined, { source: 'transcript', phaseOf: options.phaseOf, unclosed: 'no_result' }));
      else summary.stillOpen++;
    }
    for (let i = 0; i < records.length; i += 1000) {
      const batch = records.slice(i, i + 1000);
      const result = await recordInvocations(
        store,
        batch.map((r) => r.invocation),
      );
      summary.recorded += result.inserted;
      summary.alreadyKnown += result.duplicates;
      await noteRuns(store, batch, now);
    }
    done += file.size;
    options.onProgress?.(done, total);
  }
  return [...summaries.values()];
}

async function directories(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true }))
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  } catch (error) {
    throw new Error(`cannot read the transcripts folder ${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

async function entries(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [] as string[])).sort();
}
