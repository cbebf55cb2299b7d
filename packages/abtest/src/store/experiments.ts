import { randomBytes } from 'node:crypto';
import { writeTransaction, type SkillsDatabase, type Store } from '@skills/storage';
import type { Kysely } from 'kysely';
import { ulid } from 'ulid';
import { ConflictError, NotFoundError } from '../errors.js';
import {
  normalizeExperimentInput,
  parseStoredOptions,
  type Experiment,
  type ExperimentInput,
  type ExperimentStatus,
  type MetricName,
  type Variant,
} from '../experiment.js';
import type { Clock, ExperimentRef } from '../types.js';

type ConfigRow = SkillsDatabase['ab_test_configs'];

/**
 * Creates an experiment (status `running`). Throws ValidationError naming the field, or
 * ConflictError when the name is taken; nothing is written then.
 * @example await createExperiment(store, { name: 'search-v2', controlStrategy: 'semantic', treatmentStrategy: 'workflow-aware' })
 */
export async function createExperiment(store: Store, input: ExperimentInput, clock: Clock = {}): Promise<Experiment> {
  const value = normalizeExperimentInput(input);
  const now = clock.now ?? Date.now();
  const experiment: Experiment = {
    ...value,
    id: ulid(now),
    salt: value.salt ?? randomBytes(16).toString('hex'),
    startDate: value.startDate ?? now,
    status: 'running',
    createdAt: now,
  };
  const conflict = () =>
    new ConflictError('experiment', experiment.name, 'an experiment with this name already exists (names are compared regardless of case)');
  if (await nameTaken(store.db, experiment.name)) throw conflict();
  try {
    // Check and insert in one write transaction, which keeps every other writer of the store out
    // (storage's writeTransaction), so two writers cannot both take "Search-v2" and "search-v2";
    // the unique column guards the exact spelling.
    await writeTransaction(store, async (trx) => {
      if (await nameTaken(trx, experiment.name)) throw conflict();
      await trx
        .insertInto('ab_test_configs')
        .values({
          id: experiment.id,
          test_name: experiment.name,
          description: experiment.description,
          control_strategy: experiment.controlStrategy,
          treatment_strategy: experiment.treatmentStrategy,
          variants: JSON.stringify(experiment.variants),
          assignment_ratio: experiment.assignmentRatio,
          metrics: JSON.stringify(experiment.metrics),
          min_sample_size: experiment.minSampleSize,
          start_date: experiment.startDate,
          end_date: experiment.endDate,
          status: experiment.status,
          salt: experiment.salt,
          options: JSON.stringify(experiment.options),
          created_at: now,
        })
        .execute();
    });
  } catch (error) {
    if (error instanceof ConflictError) throw error;
    // Another writer took the name between the check and the insert (a unique violation, from a
    // writer outside this package's transaction): say so; anything else is a real failure.
    if (await nameTaken(store.db, experiment.name)) throw conflict();
    throw error;
  }
  return experiment;
}

/** The experiment with this id or name; NotFoundError otherwise. */
export async function getExperiment(store: Store, ref: ExperimentRef): Promise<Experiment> {
  if (typeof ref !== 'string') return ref;
  const row =
    (await store.db.selectFrom('ab_test_configs').selectAll().where('id', '=', ref).executeTakeFirst()) ??
    (await store.db.selectFrom('ab_test_configs').selectAll().where('test_name', '=', ref).executeTakeFirst()) ??
    (await findByNameIgnoringCase(store.db, ref));
  if (!row) throw new NotFoundError('experiment', ref);
  return fromRow(row);
}

/** Every experiment, newest first, optionally only those with one status. */
export async function listExperiments(store: Store, filter: { status?: ExperimentStatus } = {}): Promise<Experiment[]> {
  let query = store.db.selectFrom('ab_test_configs').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc');
  if (filter.status) query = query.where('status', '=', filter.status);
  return (await query.execute()).map(fromRow);
}

/** Stops an experiment: it assigns nobody new (users already assigned keep their variant). */
export async function stopExperiment(store: Store, ref: ExperimentRef, clock: Clock = {}): Promise<Experiment> {
  return setStatus(store, ref, 'stopped', clock);
}

/** Marks an experiment completed (a decision was taken); like stopped, it assigns nobody new. */
export async function completeExperiment(store: Store, ref: ExperimentRef, clock: Clock = {}): Promise<Experiment> {
  return setStatus(store, ref, 'completed', clock);
}

async function setStatus(store: Store, ref: ExperimentRef, status: ExperimentStatus, clock: Clock): Promise<Experiment> {
  const experiment = await getExperiment(store, typeof ref === 'string' ? ref : ref.id);
  const now = clock.now ?? Date.now();
  const endDate = experiment.endDate !== null && experiment.endDate < now ? experiment.endDate : now;
  await store.db.updateTable('ab_test_configs').set({ status, end_date: endDate }).where('id', '=', experiment.id).execute();
  return { ...experiment, status, endDate };
}

function fromRow(row: ConfigRow): Experiment {
  return {
    id: row.id,
    name: row.test_name,
    description: row.description,
    controlStrategy: row.control_strategy,
    treatmentStrategy: row.treatment_strategy,
    variants: JSON.parse(row.variants) as Variant[],
    assignmentRatio: row.assignment_ratio,
    metrics: JSON.parse(row.metrics) as MetricName[],
    minSampleSize: row.min_sample_size,
    startDate: row.start_date,
    endDate: row.end_date,
    status: row.status as ExperimentStatus,
    salt: row.salt,
    options: parseStoredOptions(row.options),
    createdAt: row.created_at,
  };
}

/** Case folding for names: "Search-V2" and "search-v2" are one experiment. */
const foldName = (name: string) => name.normalize('NFC').toLowerCase();

async function nameTaken(db: Kysely<SkillsDatabase>, name: string): Promise<boolean> {
  const names = await db.selectFrom('ab_test_configs').select('test_name').execute();
  const folded = foldName(name);
  return names.some((row) => foldName(row.test_name) === folded);
}

async function findByNameIgnoringCase(db: Kysely<SkillsDatabase>, name: string) {
  const folded = foldName(name);
  const rows = await db.selectFrom('ab_test_configs').selectAll().execute();
  return rows.find((row) => foldName(row.test_name) === folded);
}
