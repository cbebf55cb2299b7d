import { loadPredictor, type PredictorModel } from '@skills/predictor';
import type { Store } from '@skills/storage';
import { sql } from 'kysely';

const loaded = new WeakMap<Store, PredictorModel>();

/**
 * The newest saved predictor, parsed once and kept while it stays the newest (one indexed
 * `max(version)` per call tells); undefined when none was trained.
 */
export async function latestPredictor(store: Store): Promise<PredictorModel | undefined> {
  const row = await store.db.selectFrom('predictor_models').select(sql<number | null>`max(version)`.as('version')).executeTakeFirst();
  const version = row?.version === null || row?.version === undefined ? undefined : Number(row.version);
  if (version === undefined) return undefined;
  const cached = loaded.get(store);
  if (cached?.version === version) return cached;
  const model = await loadPredictor(store, { version });
  loaded.set(store, model);
  return model;
}
