import type { Store } from '@skills/storage';
import { chooseVariant } from '../assignment.js';
import { ConflictError, invalid } from '../errors.js';
import type { Clock, ExperimentRef } from '../types.js';
import { getExperiment } from './experiments.js';

export interface Assignment {
  experimentId: string;
  userId: string;
  variant: string;
  assignedAt: number;
  /** false when the user already had this assignment (assignment is sticky). */
  isNew: boolean;
}

/**
 * The user's variant: the stored one if the user was assigned before, otherwise the hash of the
 * experiment's salt and the user id against the weights, stored. Only a running experiment
 * (between its start and end dates) assigns new users; otherwise ConflictError.
 * @example (await assign(store, 'search-v2', 'alice')).variant // 'treatment'
 */
export async function assign(store: Store, ref: ExperimentRef, userId: string, clock: Clock = {}): Promise<Assignment> {
  checkUserId(userId);
  const experiment = await getExperiment(store, ref);
  const existing = await findAssignment(store, experiment.id, userId);
  if (existing) return { ...existing, isNew: false };
  const now = clock.now ?? Date.now();
  if (experiment.status !== 'running')
    throw new ConflictError('experiment', experiment.name, `is ${experiment.status} and assigns nobody new`);
  if (now < experiment.startDate) throw new ConflictError('experiment', experiment.name, 'has not started yet');
  if (experiment.endDate !== null && now >= experiment.endDate)
    throw new ConflictError('experiment', experiment.name, 'has ended and assigns nobody new');
  const variant = chooseVariant(experiment.variants, experiment.salt, userId);
  const inserted = await store.db
    .insertInto('ab_test_assignments')
    .values({ test_id: experiment.id, user_id: userId, variant, assigned_at: now })
    .onConflict((oc) => oc.columns(['test_id', 'user_id']).doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) {
    // A concurrent call assigned the user first: its row is the answer.
    const winner = await findAssignment(store, experiment.id, userId);
    if (winner) return { ...winner, isNew: false };
  }
  return { experimentId: experiment.id, userId, variant, assignedAt: now, isNew: true };
}

async function findAssignment(store: Store, experimentId: string, userId: string): Promise<Omit<Assignment, 'isNew'> | undefined> {
  const row = await store.db
    .selectFrom('ab_test_assignments')
    .select(['variant', 'assigned_at'])
    .where('test_id', '=', experimentId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row && { experimentId, userId, variant: row.variant, assignedAt: row.assigned_at };
}

function checkUserId(userId: unknown): asserts userId is string {
  if (typeof userId !== 'string' || userId.length === 0 || userId.length > 500)
    throw invalid('userId', 'expected a non-empty string of at most 500 characters');
}
