import { createHash } from 'node:crypto';
import type { InvocationInput } from '@skills/storage';
import { z } from 'zod';
import { parseCiTime } from '../ci/ci-job.js';
import { issuesOf } from './issues.js';
import {
  QUALITY_PHASE_WORKFLOW,
  QUALITY_PHASES,
  isQualityPhase,
  qualityPhaseOfTool,
  unknownPhaseMessage,
  type QualityPhase,
} from './phases.js';

export const QUALITY_STATUSES = ['passed', 'failed', 'error', 'timeout', 'skipped'] as const;
export type QualityStatus = (typeof QUALITY_STATUSES)[number];

const text = (max: number) =>
  z.string({ error: 'expected text' }).trim().min(1, 'must not be empty').max(max, `expected at most ${max} characters`);
const count = z
  .number({ error: 'expected a non-negative integer' })
  .int('expected a non-negative integer')
  .nonnegative('expected a non-negative integer');
export const qualityTime = z
  .union([z.number(), z.string()], { error: 'expected epoch milliseconds or ISO-8601 text' })
  .transform((value, ctx) => {
    const ms = parseCiTime(value);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: 'expected epoch milliseconds or ISO-8601 text' });
      return z.NEVER;
    }
    return ms;
  });

/** One hook or check of a run. Fields not listed here are ignored. */
export const qualityCheckSchema = z.object({
  /** The hook's name: the invocation's skill (`ruff-check`, `pytest-run`). */
  name: text(200),
  /** Crackerjack's phase; may be left out for the phase's usual tools (QUALITY_PHASE_TOOLS). */
  phase: z.unknown().optional(),
  status: z.enum(QUALITY_STATUSES, { error: `expected ${QUALITY_STATUSES.map((s) => `"${s}"`).join('|')}` }),
  /** The real duration, kept as it is. */
  duration_seconds: z
    .number({ error: 'expected seconds (a number)' })
    .finite()
    .nonnegative('expected a non-negative number of seconds')
    .max(1e9)
    .optional(),
  /** Default: the run's start plus the durations of the checks before it (hooks run one after another). */
  started_at: qualityTime.optional(),
  files_processed: count.optional(),
  files_with_issues: count.optional(),
  files_modified: count.optional(),
  issues_found: count.optional(),
  /** Why it failed (the first line of the hook's output). */
  error: z.string({ error: 'expected text' }).max(1000, 'expected at most 1000 characters').optional(),
});

/**
 * A quality-tool run report: one run of Crackerjack (or a tool like it) with every hook it ran.
 * POST it to `/v1/integrations/quality`, or `skills integrations crackerjack < report.json`.
 */
export const qualityRunSchema = z.object({
  /** Names the tool; default `crackerjack`. */
  tool: z
    .string({ error: 'expected text' })
    .regex(/^[a-z][a-z0-9_-]{0,39}$/, 'expected a lower-case name such as crackerjack')
    .default('crackerjack'),
  /** Unique per run: the session is `<tool>:<run_id>`. */
  run_id: z
    .union([text(120), z.number().int().nonnegative()], { error: 'expected an id (text or a non-negative integer)' })
    .transform(String),
  started_at: qualityTime,
  /** The project checked: the invocations' `workflow_path` (default: the tool). */
  project: text(200).optional(),
  /** Who ran it: the invocations' user. */
  user: text(200).optional(),
  checks: z
    .array(qualityCheckSchema, { error: 'expected an array of checks' })
    .min(1, 'expected at least one check')
    .max(1000, 'expected at most 1000 checks'),
});

export type QualityRunInput = z.input<typeof qualityRunSchema>;

/** What a mapper made of a report or metrics file: invocations, or every problem found. */
export type QualityMapped =
  | { session: string | null; invocations: InvocationInput[]; skipped: number }
  | { issues: { index: number; field: string; message: string }[] };

/**
 * A quality run report as invocations, one session per run: skill = the check's name, phase =
 * Crackerjack's phase mapped (fast_hooks→setup, tests→execution, comprehensive_hooks→verification,
 * ai_fix→execution), `workflow_step_id` = Crackerjack's phase, outcome and real duration from the
 * check, the file counts in `user_query`. Ids are stable (`<tool>:<run_id>:<phase>:<name>`), so
 * the same report ingested twice writes nothing twice. Skipped checks are counted, not recorded.
 * Any problem (`checks[3].status: expected "passed"|…`) maps nothing.
 * @example mapQualityRun({ run_id: 'r1', started_at: '2026-12-03T07:00:00Z', checks: [{ name: 'ruff-check', status: 'passed', duration_seconds: 0.4 }] })
 */
export function mapQualityRun(input: unknown, options: { userId?: string | undefined } = {}): QualityMapped {
  const parsed = qualityRunSchema.safeParse(input);
  const raw = (input as { checks?: unknown } | null)?.checks;
  const phases = Array.isArray(raw) ? raw.map(phaseOf) : [];
  // Every problem at once: the shape's and the phases'.
  const issues = [
    ...(parsed.success ? [] : issuesOf(parsed.error)),
    ...phases.flatMap((phase, index) =>
      typeof phase === 'string' ? [] : [{ index: -1, field: `checks[${index}].phase`, message: phase.problem }],
    ),
  ];
  if (!parsed.success || issues.length > 0) return { issues };
  const run = parsed.data;

  const session = `${run.tool}:${run.run_id}`.slice(0, 200);
  const seen = new Map<string, number>();
  const invocations: InvocationInput[] = [];
  let skipped = 0;
  let clock = run.started_at;
  for (const [index, check] of run.checks.entries()) {
    const phase = phases[index] as QualityPhase;
    const startedAt = check.started_at ?? clock;
    clock = startedAt + Math.round((check.duration_seconds ?? 0) * 1000);
    // The same hook run twice in one report (again after ai_fix) is a second invocation.
    const key = `${phase}:${check.name}`;
    const nth = (seen.get(key) ?? 0) + 1;
    seen.set(key, nth);
    if (check.status === 'skipped') {
      skipped++;
      continue;
    }
    invocations.push({
      id: qualityInvocationId(run.tool, run.run_id, nth === 1 ? key : `${key}:${nth}`),
      skill_name: check.name,
      session_id: session,
      user_id: run.user ?? options.userId ?? null,
      invoked_at: startedAt,
      completed: check.status === 'passed',
      duration_seconds: check.duration_seconds ?? null,
      workflow_phase: QUALITY_PHASE_WORKFLOW[phase],
      workflow_path: run.project ?? run.tool,
      workflow_step_id: phase,
      user_query: `${run.tool} phase: ${phase}${countsText(check)}`,
      error_type: check.status === 'passed' ? null : errorOf(check),
    });
  }
  return { session, invocations, skipped };
}

/** A check's phase, given or that of its usual tool, or what is wrong with it. */
function phaseOf(check: unknown): QualityPhase | { problem: string } {
  if (typeof check !== 'object' || check === null) return QUALITY_PHASES[0];
  const { phase, name } = check as { phase?: unknown; name?: unknown };
  if (phase === undefined) {
    // A check without a usable name is reported by the shape's check.
    if (typeof name !== 'string') return QUALITY_PHASES[0];
    return (
      qualityPhaseOfTool(name.trim()) ?? {
        problem: `required for "${name.trim()}" (not one of the usual tools of ${QUALITY_PHASES.join(', ')}): expected ${QUALITY_PHASES.map((p) => `"${p}"`).join('|')}`,
      }
    );
  }
  return isQualityPhase(phase) ? phase : { problem: unknownPhaseMessage(phase) };
}

/** `<tool>:<run_id>:<key>`, hashed when it is not id-safe or too long. */
export function qualityInvocationId(tool: string, runId: string, key: string): string {
  const raw = `${tool}:${runId}:${key}`;
  return /^[\w.:-]{1,128}$/.test(raw) ? raw : `${tool}:h${createHash('sha256').update(raw).digest('hex').slice(0, 40)}`;
}

function countsText(check: z.output<typeof qualityCheckSchema>): string {
  const files = [
    check.files_processed === undefined ? null : `${check.files_processed} processed`,
    check.files_with_issues === undefined ? null : `${check.files_with_issues} with issues`,
    check.files_modified === undefined ? null : `${check.files_modified} modified`,
  ].filter((part) => part !== null);
  const parts = [
    files.length > 0 ? `files: ${files.join(', ')}` : null,
    check.issues_found === undefined ? null : `issues: ${check.issues_found}`,
  ].filter((part) => part !== null);
  return parts.length > 0 ? ` (${parts.join('; ')})` : '';
}

function errorOf(check: z.output<typeof qualityCheckSchema>): string {
  const first = check.error
    ?.split('\n')
    .find((line) => line.trim() !== '')
    ?.trim();
  if (first) return first.slice(0, 1000);
  if (check.status === 'failed' && check.issues_found !== undefined) return `${check.issues_found} issue(s) found`;
  return check.status;
}
