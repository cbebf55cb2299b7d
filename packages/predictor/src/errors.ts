/** Base class: every error this package throws on purpose. */
export class PredictorError extends Error {
  override name = 'PredictorError';
}

/** The store holds too few usable invocations (or only one outcome) to train and evaluate a model. */
export class InsufficientDataError extends PredictorError {
  override name = 'InsufficientDataError';
  constructor(
    readonly found: number,
    readonly minimum: number,
    detail?: string,
  ) {
    super(detail ?? `too little data to train: ${found} invocations, need at least ${minimum} (with both completed and failed ones)`);
  }
}

/** A saved model was trained on another feature layout than this code computes. */
export class FeatureVersionError extends PredictorError {
  override name = 'FeatureVersionError';
  constructor(
    readonly modelVersion: number,
    readonly savedFeatureVersion: number,
    readonly currentFeatureVersion: number,
  ) {
    super(
      `model ${modelVersion} uses feature version ${savedFeatureVersion}, this code computes version ` +
        `${currentFeatureVersion}: retrain it (skills predict train)`,
    );
  }
}
