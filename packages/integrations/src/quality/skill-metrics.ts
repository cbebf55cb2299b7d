import { createHash } from 'node:crypto';
import { INVOCATION_LIMITS, type InvocationInput } from '@skills/storage';
import { z } from 'zod';
import { issuesOf } from './issues.js';
import { QUALITY_PHASE_WORKFLOW, isQualityPhase, qualityPhaseOfTool, unknownPhaseMessage } from './phases.js';
import { qualityTime, type QualityMapped } from './run-report.js';

// The invocation's own limits, so an entry that passes here is not refused by recordInvocations.
const FOLLOW_UPS = INVOCATION_LIMITS.follow_up_actions;

const entrySchema = z.object({
  invoked_at: qualityTime,
  completed_at: qualityTime.nullish(),
  duration_ms: z
    .number({ error: 'expected milliseconds (a number)' })
    .finite()
    .nonnegative('expected a non-negative number of milliseconds')
    .max(1e12)
    .nullish(),
  success: z.boolean({ error: 'expected true or false' }),
  followup_actions: z
    .array(z.string({ error: 'expected text' }).max(FOLLOW_UPS.length), { error: 'expected an array of texts' })
    .max(FOLLOW_UPS.items)
    .nullish(),
  session_id: z.string({ error: 'expected text' }).trim().min(1, 'must not be empty').max(INVOCATION_LIMITS.session_id).nullish(),
  metadata: z.record(z.string(), z.unknown(), { error: 'expected an object' }).nullish(),
});

/** The quality tool's own `.session-buddy/skill_metrics.json`. Fields not listed are ignored. */
export const skillMetricsFileSchema = z.object({
  version: z.union([z.string(), z.number()], { error: 'expected a version (text or number)' }),
  generated_at: qualityTime.optional(),
  skills: z.record(
    z.string().trim().min(1, 'a skill name must not be empty').max(INVOCATION_LIMITS.skill_name),
    z.array(entrySchema, { error: 'expected an array of invocations' }),
    { error: 'expected an object: skill name → invocations' },
  ),
});

export type SkillMetricsFileInput = z.input<typeof skillMetricsFileSchema>;

/**
 * Crackerjack's `.session-buddy/skill_metrics.json` as invocations: one per entry, skill = its
 * key, session = the entry's `session_id` (else `<tool>:skill-metrics`), completed = `success`,
 * duration = `duration_ms` (else `completed_at − invoked_at`), follow-ups kept; a Crackerjack
 * phase in `metadata.phase` (or the phase of a usual tool) gives `workflow_phase`, and an unknown
 * `metadata.phase` is an error. The id is a hash of skill, session and `invoked_at`, so reading
 * the same file again writes nothing twice.
 * @example mapSkillMetrics({ version: '1', skills: { 'ruff-check': [{ invoked_at: '2026-12-03T07:00:00Z', duration_ms: 410, success: true }] } })
 */
export function mapSkillMetrics(input: unknown, options: { userId?: string | undefined; tool?: string } = {}): QualityMapped {
  const parsed = skillMetricsFileSchema.safeParse(input);
  if (!parsed.success) return { issues: issuesOf(parsed.error) };
  const tool = options.tool ?? 'crackerjack';
  const issues: { index: number; field: string; message: string }[] = [];
  const invocations: InvocationInput[] = [];
  for (const [skill, entries] of Object.entries(parsed.data.skills)) {
    for (const [index, entry] of entries.entries()) {
      const given = entry.metadata?.phase;
      if (given !== undefined && given !== null && !isQualityPhase(given)) {
        issues.push({ index: -1, field: `skills.${skill}[${index}].metadata.phase`, message: unknownPhaseMessage(given) });
        continue;
      }
      const phase = isQualityPhase(given) ? given : qualityPhaseOfTool(skill);
      const session = entry.session_id ?? `${tool}:skill-metrics`;
      const duration =
        entry.duration_ms != null
          ? entry.duration_ms / 1000
          : entry.completed_at != null && entry.completed_at >= entry.invoked_at
            ? (entry.completed_at - entry.invoked_at) / 1000
            : null;
      invocations.push({
        id: `${tool}:m${createHash('sha256')
          .update(JSON.stringify([skill, session, entry.invoked_at]))
          .digest('hex')
          .slice(0, 40)}`,
        skill_name: skill,
        session_id: session,
        user_id: options.userId ?? null,
        invoked_at: entry.invoked_at,
        completed: entry.success,
        duration_seconds: duration,
        workflow_phase: phase === undefined ? null : QUALITY_PHASE_WORKFLOW[phase],
        workflow_path: tool,
        workflow_step_id: phase ?? null,
        user_query: phase === undefined ? null : `${tool} phase: ${phase}`,
        follow_up_actions: entry.followup_actions ?? null,
        error_type: entry.success ? null : 'failed',
      });
    }
  }
  if (issues.length > 0) return { issues };
  return { session: null, invocations, skipped: 0 };
}
