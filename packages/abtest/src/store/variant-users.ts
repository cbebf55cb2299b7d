import type { Store } from '@skills/storage';
import type { VariantUsers } from '../types.js';
import { assignedPerVariant } from './variant-sums.js';

/** One row per user with outcomes, as typed arrays: for notebooks and for checking the SQL sums. */
export async function loadVariantUsers(store: Store, experimentId: string, variantNames: readonly string[]): Promise<VariantUsers[]> {
  const [counts, rows] = await Promise.all([
    assignedPerVariant(store, experimentId),
    store.db
      .selectFrom('ab_test_user_stats')
      .select([
        'variant',
        'outcomes',
        'completions',
        'duration_count',
        'log_duration_sum',
        'rating_count',
        'rating_sum',
        'pre_invocations',
        'pre_completions',
        'pre_duration_count',
        'pre_log_duration_sum',
      ])
      .where('test_id', '=', experimentId)
      .orderBy('user_id')
      .execute(),
  ]);
  return variantNames.map((variant) => {
    const mine = rows.filter((r) => r.variant === variant);
    const n = mine.length;
    const users: VariantUsers = {
      variant,
      assigned: Number(counts.find((c) => c.variant === variant)?.n ?? 0),
      completionRate: new Float64Array(n),
      meanLogDuration: new Float64Array(n),
      meanRating: new Float64Array(n),
      preCompletionRate: new Float64Array(n),
      preMeanLogDuration: new Float64Array(n),
    };
    mine.forEach((row, k) => {
      users.completionRate[k] = row.completions / row.outcomes;
      users.meanLogDuration[k] = row.duration_count > 0 ? row.log_duration_sum / row.duration_count : Number.NaN;
      users.meanRating[k] = row.rating_count > 0 ? row.rating_sum / row.rating_count : Number.NaN;
      users.preCompletionRate[k] = row.pre_invocations ? row.pre_completions! / row.pre_invocations : Number.NaN;
      users.preMeanLogDuration[k] =
        row.duration_count > 0 && row.pre_duration_count ? row.pre_log_duration_sum! / row.pre_duration_count : Number.NaN;
    });
    return users;
  });
}
