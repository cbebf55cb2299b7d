import { NotFoundError, writeTransaction, type Store } from '@skills/storage';
import { FeatureVersionError } from './errors.js';
import { FEATURE_VERSION } from './features.js';
import type { PredictorModel } from './model.js';

/**
 * Saves a trained model as the next version in `predictor_models` and returns it with that version.
 * @example const saved = await savePredictor(store, await trainPredictor(store)); // saved.version === 1
 */
export async function savePredictor(store: Store, model: PredictorModel, options: { now?: number } = {}): Promise<PredictorModel> {
  return writeTransaction(store, async (trx) => {
    const last = await trx
      .selectFrom('predictor_models')
      .select((eb) => eb.fn.max('version').as('v'))
      .executeTakeFirst();
    const version = Number(last?.v ?? 0) + 1;
    await trx
      .insertInto('predictor_models')
      .values({
        version,
        feature_version: model.featureVersion,
        trained_at: model.trainedAt,
        training_rows: model.trainingRows,
        features: JSON.stringify(model.features),
        options: JSON.stringify(model.options),
        metrics: JSON.stringify(model.metrics),
        model: JSON.stringify({
          forest: model.forest,
          calibration: model.calibration,
          stacking: model.stacking,
          context: model.context,
          reference: model.reference,
        }),
        aggregates: JSON.stringify(model.aggregates),
        created_at: options.now ?? Date.now(),
      })
      .execute();
    return { ...model, version };
  });
}

/** Saved models, newest first, without their forests: for listings. */
export async function listPredictors(
  store: Store,
): Promise<{ version: number; featureVersion: number; trainedAt: number; trainingRows: number }[]> {
  const rows = await store.db
    .selectFrom('predictor_models')
    .select(['version', 'feature_version', 'trained_at', 'training_rows'])
    .orderBy('version', 'desc')
    .execute();
  return rows.map((r) => ({
    version: Number(r.version),
    featureVersion: Number(r.feature_version),
    trainedAt: Number(r.trained_at),
    trainingRows: Number(r.training_rows),
  }));
}

/**
 * Loads a saved model: the newest by default. Throws NotFoundError when there is none (or no such
 * version), FeatureVersionError when it was trained on another feature layout.
 * @example const model = await loadPredictor(store); predictSuccess(model, { skill: 'commit' });
 */
export async function loadPredictor(store: Store, options: { version?: number } = {}): Promise<PredictorModel> {
  let query = store.db.selectFrom('predictor_models').selectAll();
  query = options.version === undefined ? query.orderBy('version', 'desc').limit(1) : query.where('version', '=', options.version);
  const row = await query.executeTakeFirst();
  if (!row)
    throw new NotFoundError(
      'predictor model',
      options.version === undefined ? 'latest (none trained yet: run skills predict train)' : String(options.version),
    );
  const version = Number(row.version);
  if (Number(row.feature_version) !== FEATURE_VERSION) throw new FeatureVersionError(version, Number(row.feature_version), FEATURE_VERSION);
  const parts = JSON.parse(row.model) as Pick<PredictorModel, 'forest' | 'calibration' | 'stacking' | 'context' | 'reference'>;
  return {
    version,
    featureVersion: Number(row.feature_version),
    trainedAt: Number(row.trained_at),
    trainingRows: Number(row.training_rows),
    features: JSON.parse(row.features) as string[],
    options: JSON.parse(row.options) as PredictorModel['options'],
    metrics: JSON.parse(row.metrics) as PredictorModel['metrics'],
    forest: parts.forest,
    calibration: parts.calibration,
    stacking: parts.stacking,
    context: parts.context,
    reference: parts.reference,
    aggregates: JSON.parse(row.aggregates) as PredictorModel['aggregates'],
  };
}
