import { defineMigration } from './define-migration.js';

/**
 * V6: trained success-probability models (@skills/predictor). One row per saved model, numbered
 * by `version`; the model, its cached aggregates and its evaluation are JSON text, so loading a
 * model is one primary-key read and no invocation is queried at prediction time.
 */
export const predictor = defineMigration({
  async up(db) {
    await db.schema
      .createTable('predictor_models')
      .addColumn('version', 'integer', (col) => col.primaryKey().notNull())
      .addColumn('feature_version', 'integer', (col) => col.notNull())
      .addColumn('trained_at', 'bigint', (col) => col.notNull())
      .addColumn('training_rows', 'bigint', (col) => col.notNull())
      .addColumn('features', 'text', (col) => col.notNull())
      .addColumn('options', 'text', (col) => col.notNull())
      .addColumn('metrics', 'text', (col) => col.notNull())
      .addColumn('model', 'text', (col) => col.notNull())
      .addColumn('aggregates', 'text', (col) => col.notNull())
      .addColumn('created_at', 'bigint', (col) => col.notNull())
      .execute();
  },

  async down(db) {
    await db.schema.dropTable('predictor_models').execute();
  },
});
