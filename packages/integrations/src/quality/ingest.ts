import { recordInvocations, type Store } from '@skills/storage';
import { reject } from './issues.js';
import { mapQualityRun, type QualityMapped } from './run-report.js';
import { mapSkillMetrics } from './skill-metrics.js';

/** What an ingest did. */
export interface QualityIngestReport {
  /** `run`: a run report; `skill-metrics`: a skill_metrics.json. */
  kind: 'run' | 'skill-metrics';
  /** The run's session (null for skill metrics: each entry names its own). */
  session: string | null;
  /** Checks (or metric entries) mapped to invocations. */
  invocations: number;
  /** Newly written. */
  recorded: number;
  /** Already stored under the same id (the report was ingested before). */
  known: number;
  /** Skipped checks (counted, not recorded). */
  skipped: number;
}

export interface QualityIngestOptions {
  /** The user of invocations whose input names none. */
  userId?: string | undefined;
  /** Clock (epoch ms) for `created_at`. */
  now?: number | undefined;
}

/**
 * A quality run report (`checks`) or a skill_metrics.json (`skills`), told apart by its keys, as
 * invocations — validated, then written in one transaction: on any problem a `ValidationError`
 * naming each field (`checks[3].status: …`) and nothing written.
 * @example await recordQualityInput(store, JSON.parse(readFileSync('report.json', 'utf8')))
 */
export async function recordQualityInput(store: Store, input: unknown, options: QualityIngestOptions = {}): Promise<QualityIngestReport> {
  const kind = qualityInputKind(input);
  const mapped = kind === 'run' ? mapQualityRun(input, options) : mapSkillMetrics(input, options);
  return write(store, kind, mapped, options);
}

/** `run` for an object with `checks`, `skill-metrics` for one with `skills`; else a `ValidationError`. */
export function qualityInputKind(input: unknown): 'run' | 'skill-metrics' {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    reject([
      {
        index: -1,
        field: '(body)',
        message: 'expected a JSON object: a quality run report (with checks) or a skill_metrics.json (with skills)',
      },
    ]);
  }
  if ('checks' in input) return 'run';
  if ('skills' in input) return 'skill-metrics';
  return reject([{ index: -1, field: 'checks', message: 'required (a quality run report), or skills for a skill_metrics.json' }]);
}

async function write(
  store: Store,
  kind: QualityIngestReport['kind'],
  mapped: QualityMapped,
  options: QualityIngestOptions,
): Promise<QualityIngestReport> {
  if ('issues' in mapped) reject(mapped.issues);
  const result =
    mapped.invocations.length === 0
      ? { inserted: 0, duplicates: 0 }
      : await recordInvocations(store, mapped.invocations, options.now === undefined ? {} : { now: options.now });
  return {
    kind,
    session: mapped.session,
    invocations: mapped.invocations.length,
    recorded: result.inserted,
    known: result.duplicates,
    skipped: mapped.skipped,
  };
}
