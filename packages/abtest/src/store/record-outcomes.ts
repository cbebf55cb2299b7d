import { writeTransaction, type AbTestUserSums, type SkillsDatabase, type Store } from '@skills/storage';
import { sql, type Kysely } from 'kysely';
import { ulid } from 'ulid';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../errors.js';
import type { Clock, ExperimentRef } from '../types.js';
import { getExperiment } from './experiments.js';
import { DURATION_RANK_RESOLUTION } from './variant-sums.js';

/** One observed result for a user in an experiment. */
export const outcomeSchema = z
  .object({
    completed: z.union([z.boolean(), z.literal(0), z.literal(1)]),
    durationSeconds: z.number().nonnegative('must be ≥ 0').finite().nullable().optional(),
    rating: z.number().min(1, 'must be between 1 and 5').max(5, 'must be between 1 and 5').nullable().optional(),
    skillName: z.string().min(1).max(500).nullable().optional(),
    /** Epoch ms (default now). */
    recordedAt: z.number().int().nonnegative().optional(),
  })
  .strict();

export type OutcomeInput = z.input<typeof outcomeSchema>;
export type UserOutcomeInput = OutcomeInput & { userId: string };

const userOutcomeSchema = outcomeSchema.extend({ userId: z.string().min(1).max(500) });

export interface RecordOutcomesResult {
  recorded: number;
}

/**
 * Records one outcome of a user assigned to the experiment. An unassigned user is rejected with
 * NotFoundError (`assignment not found: <experiment>/<user>`) and a bad field with ValidationError;
 * nothing is written then.
 * @example await recordOutcome(store, 'search-v2', 'alice', { completed: true, durationSeconds: 12.5, rating: 4 })
 */
export async function recordOutcome(
  store: Store,
  ref: ExperimentRef,
  userId: string,
  outcome: OutcomeInput,
  clock: Clock = {},
): Promise<void> {
  await recordOutcomes(store, ref, [{ ...outcome, userId }], clock);
}

const CHUNK = 500;

/**
 * Records many outcomes in one transaction, with the per-user running sums analysis reads
 * (`ab_test_user_stats`). All items are validated, and every user's assignment checked, before
 * anything is written.
 */
export async function recordOutcomes(
  store: Store,
  ref: ExperimentRef,
  items: readonly UserOutcomeInput[],
  clock: Clock = {},
): Promise<RecordOutcomesResult> {
  const experiment = await getExperiment(store, ref);
  const now = clock.now ?? Date.now();
  const issues: { index: number; field: string; message: string }[] = [];
  const parsed = items.map((item, index) => {
    const result = userOutcomeSchema.safeParse(item);
    if (!result.success) {
      for (const issue of result.error.issues)
        issues.push({ index: items.length === 1 ? -1 : index, field: issue.path.join('.'), message: issue.message });
      return undefined;
    }
    return result.data;
  });
  if (issues.length > 0) throw new ValidationError(issues);

  const users = [...new Set(parsed.map((p) => p!.userId))];
  const assignmentOf = new Map<string, { variant: string; assigned_at: number }>();
  for (let i = 0; i < users.length; i += CHUNK) {
    const rows = await store.db
      .selectFrom('ab_test_assignments')
      .select(['user_id', 'variant', 'assigned_at'])
      .where('test_id', '=', experiment.id)
      .where('user_id', 'in', users.slice(i, i + CHUNK))
      .execute();
    for (const row of rows) assignmentOf.set(row.user_id, row);
  }
  const unassigned = users.find((u) => !assignmentOf.has(u));
  if (unassigned !== undefined) throw new NotFoundError('assignment', `${experiment.name}/${unassigned}`);

  const rows = parsed.map((p) => {
    const o = p!;
    return {
      id: ulid(),
      test_id: experiment.id,
      user_id: o.userId,
      variant: assignmentOf.get(o.userId)!.variant,
      skill_name: o.skillName ?? null,
      completed: o.completed === true || o.completed === 1 ? 1 : 0,
      duration_seconds: o.durationSeconds ?? null,
      user_rating: o.rating ?? null,
      recorded_at: o.recordedAt ?? now,
    };
  });
  const sums = new Map<string, StatsRow>();
  for (const row of rows) {
    let s = sums.get(row.user_id);
    if (!s) {
      s = {
        test_id: experiment.id,
        user_id: row.user_id,
        variant: row.variant,
        outcomes: 0,
        completions: 0,
        duration_count: 0,
        log_duration_sum: 0,
        rating_count: 0,
        rating_sum: 0,
        first_recorded_at: row.recorded_at,
        last_recorded_at: row.recorded_at,
        assigned_at: assignmentOf.get(row.user_id)!.assigned_at,
      };
      sums.set(row.user_id, s);
    }
    s.outcomes += 1;
    s.completions += row.completed;
    // ln(0) is undefined: a zero duration is kept in the outcome row but not in the log-scale sums.
    if (row.duration_seconds !== null && row.duration_seconds > 0) {
      s.duration_count += 1;
      s.log_duration_sum += Math.log(row.duration_seconds);
    }
    if (row.user_rating !== null) {
      s.rating_count += 1;
      s.rating_sum += row.user_rating;
    }
    s.first_recorded_at = Math.min(s.first_recorded_at, row.recorded_at);
    s.last_recorded_at = Math.max(s.last_recorded_at, row.recorded_at);
  }

  await writeTransaction(store, async (trx) => {
    for (let i = 0; i < rows.length; i += CHUNK)
      await trx
        .insertInto('ab_test_outcomes')
        .values(rows.slice(i, i + CHUNK))
        .execute();
    const stats = [...sums.values()];
    for (let i = 0; i < stats.length; i += CHUNK) {
      await trx
        .insertInto('ab_test_user_stats')
        .values(stats.slice(i, i + CHUNK))
        .onConflict((oc) =>
          oc.columns(['test_id', 'user_id']).doUpdateSet((eb) => ({
            outcomes: eb('ab_test_user_stats.outcomes', '+', eb.ref('excluded.outcomes')),
            completions: eb('ab_test_user_stats.completions', '+', eb.ref('excluded.completions')),
            duration_count: eb('ab_test_user_stats.duration_count', '+', eb.ref('excluded.duration_count')),
            log_duration_sum: eb('ab_test_user_stats.log_duration_sum', '+', eb.ref('excluded.log_duration_sum')),
            rating_count: eb('ab_test_user_stats.rating_count', '+', eb.ref('excluded.rating_count')),
            rating_sum: eb('ab_test_user_stats.rating_sum', '+', eb.ref('excluded.rating_sum')),
            // CASE rather than min()/LEAST(): the same SQL on both dialects.
            first_recorded_at: sql<number>`case when excluded.first_recorded_at < ab_test_user_stats.first_recorded_at then excluded.first_recorded_at else ab_test_user_stats.first_recorded_at end`,
            last_recorded_at: sql<number>`case when excluded.last_recorded_at > ab_test_user_stats.last_recorded_at then excluded.last_recorded_at else ab_test_user_stats.last_recorded_at end`,
          })),
        )
        .execute();
      await deriveUserValues(
        trx,
        experiment.id,
        stats.slice(i, i + CHUNK).map((s) => s.user_id),
      );
    }
  });
  return { recorded: rows.length };
}

/** Recompute the per-user ratios from the sums just updated, in SQL, so both stay in step. */
async function deriveUserValues(db: Kysely<SkillsDatabase>, testId: string, userIds: string[]): Promise<void> {
  await db
    .updateTable('ab_test_user_stats')
    .set({
      user_rate: sql<number>`cast(completions as double precision) / outcomes`,
      mean_log_duration: sql<number | null>`case when duration_count > 0 then log_duration_sum / duration_count end`,
      mean_rating: sql<number | null>`case when rating_count > 0 then rating_sum / rating_count end`,
      duration_bucket: sql<
        number | null
      >`case when duration_count > 0 then round(log_duration_sum / duration_count * ${DURATION_RANK_RESOLUTION}) end`,
    })
    .where('test_id', '=', testId)
    .where('user_id', 'in', userIds)
    .execute();
}

type StatsRow = AbTestUserSums;
