import type { Store } from '@skills/storage';
import { ValidationError } from '@skills/storage';
import { applyIsotonic, applyStacking, fitIsotonic, fitStackingForward } from './calibration.js';
import { InsufficientDataError } from './errors.js';
import { chooseContextLayer, contextLogitOfRow, fitContextLayer, saveContextLayer } from './context-layer.js';
import {
  cloneAggregates,
  computeFeatures,
  createAggregates,
  FEATURE_COUNT,
  FEATURE_NAMES,
  FEATURE_VERSION,
  observeInvocation,
  saveAggregates,
  SKILL_RATE,
} from './features.js';
import { compileForest, DEFAULT_FOREST_OPTIONS, scoreForest, trainForest, type ForestOptions } from './forest.js';
import { scoreProbabilities } from './metrics.js';
import type { PredictorModel, TrainingSettings } from './model.js';
import { countInvocations } from './read-invocations.js';
import { readTrainingRows } from './training-rows.js';

export interface TrainProgress {
  stage: 'reading' | 'training' | 'evaluating';
  done: number;
  total: number;
}

export interface TrainOptions extends Partial<ForestOptions> {
  /** Train on invocations at or after this time (epoch ms); default: all. */
  since?: number;
  /** …and before this time; default: no limit. */
  until?: number;
  /** Bayesian smoothing weight of the rate features. Default 10. */
  smoothing?: number;
  /** Most recent share held out for evaluation. Default 0.2. */
  testFraction?: number;
  /** Share of the remaining (older) rows, the most recent of them, held out to fit the calibration. Default 0.2. */
  calibrationFraction?: number;
  /** Fewest invocations to train on. Default 200. */
  minInvocations?: number;
  /** The training date recorded with the model. Default Date.now(). */
  now?: number;
  onProgress?: (progress: TrainProgress) => void;
}

export const MIN_INVOCATIONS = 200;
/** Probabilities are kept off 0 and 1: no history justifies certainty. */
export const PROBABILITY_FLOOR = 0.001;

/**
 * Trains a success predictor on the store's invocations, oldest first: every row's features come
 * from running tallies updated after the row. On the oldest part the forest and the additive
 * context model are fitted; on the next part, scored as a saved model would score it (tallies
 * frozen), the forest is calibrated (isotonic) and stacked with the context model and the
 * baseline; the most recent share is the test slice, scored the same way after refitting the
 * context model on everything older. The saved context model and tallies cover all rows.
 * @example const model = await trainPredictor(store, { since: Date.now() - 30 * 86_400_000 });
 */
export async function trainPredictor(store: Store, options: TrainOptions = {}): Promise<PredictorModel> {
  const started = performance.now();
  const settings = resolveSettings(options);
  const minimum = options.minInvocations ?? MIN_INVOCATIONS;
  const progress = options.onProgress;
  const total = await countInvocations(store, settings.since, settings.until);
  if (total < minimum) throw new InsufficientDataError(total, minimum);

  const rows = await readTrainingRows(store, { since: settings.since, until: settings.until, total }, (done) =>
    progress?.({ stage: 'reading', done, total }),
  );
  const { n, labels, contexts } = rows;
  const testStart = Math.floor(n * (1 - settings.testFraction));
  const calibrationStart = Math.floor(testStart * (1 - settings.calibrationFraction));
  const slices = { fit: [0, calibrationStart], calibration: [calibrationStart, testStart], test: [testStart, n] } as const;
  for (const [name, [start, end]] of Object.entries(slices)) {
    const slice = labels.subarray(start, end);
    if (!slice.includes(0) || !slice.includes(1)) {
      throw new InsufficientDataError(
        n,
        minimum,
        `too little data to train: the ${name} slice (${end - start} of ${n} invocations) has only ${slice.includes(1) ? 'completed' : 'failed'} invocations; ` +
          `need at least ${minimum} invocations with both outcomes in each slice`,
      );
    }
  }

  // Running features for every row; the tallies as they stood at each slice boundary, frozen.
  const aggregates = createAggregates(settings.smoothing);
  const values = new Float64Array(n * FEATURE_COUNT);
  let atCalibration = aggregates;
  let atTest = aggregates;
  for (let i = 0; i < n; i++) {
    if (i === calibrationStart) atCalibration = cloneAggregates(aggregates);
    if (i === testStart) atTest = cloneAggregates(aggregates);
    computeFeatures(aggregates, contexts[i]!, values.subarray(i * FEATURE_COUNT, (i + 1) * FEATURE_COUNT));
    // Only now does the row's outcome enter the tallies: no label leakage.
    observeInvocation(aggregates, contexts[i]!, labels[i] === 1);
  }
  const frozen = new Float64Array(n * FEATURE_COUNT);
  for (let i = calibrationStart; i < n; i++) {
    computeFeatures(i < testStart ? atCalibration : atTest, contexts[i]!, frozen.subarray(i * FEATURE_COUNT, (i + 1) * FEATURE_COUNT));
  }

  const matrix = { values, width: FEATURE_COUNT };
  const forest = trainForest(matrix, labels, { start: 0, end: calibrationStart }, settings, (done, trees) =>
    progress?.({ stage: 'training', done, total: trees }),
  );
  const compiled = compileForest(forest, FEATURE_COUNT);
  const selection = chooseContextLayer(rows, calibrationStart, testStart, settings.seed);
  const contextBeforeCalibration = fitContextLayer(rows, calibrationStart, selection, settings.seed);

  // Calibration slice, as a model saved at its start would score it.
  const calibrationRows = testStart - calibrationStart;
  const rawCalibration = Float64Array.from({ length: calibrationRows }, (_, k) =>
    scoreForest(compiled, frozen, (calibrationStart + k) * FEATURE_COUNT),
  );
  const calibration = fitIsotonic(rawCalibration, labels.subarray(calibrationStart, testStart));
  const stackInputs = (forestScore: number, contextLogit: number, baseline: number) => [
    applyIsotonic(calibration, forestScore),
    logistic(contextLogit),
    baseline,
  ];
  const calibrationInputs = Array.from({ length: calibrationRows }, (_, k) =>
    stackInputs(
      rawCalibration[k]!,
      contextLogitOfRow(contextBeforeCalibration, rows, calibrationStart + k),
      frozen[(calibrationStart + k) * FEATURE_COUNT + SKILL_RATE]!,
    ),
  );
  const stacking = fitStackingForward(
    [0, 1, 2].map((j) => calibrationInputs.map((inputs) => inputs[j]!)),
    labels.subarray(calibrationStart, testStart),
    { anchor: 2, optional: 0 },
  );
  progress?.({ stage: 'evaluating', done: 0, total: 1 });

  // Test slice: the context model refitted on everything older, tallies frozen at its start (and, for comparison, running).
  const contextBeforeTest = fitContextLayer(rows, testStart, selection, settings.seed);
  const testLabels = labels.subarray(testStart, n);
  const score = (features: Float64Array, i: number) =>
    clampProbability(
      applyStacking(
        stacking,
        stackInputs(
          scoreForest(compiled, features, i * FEATURE_COUNT),
          contextLogitOfRow(contextBeforeTest, rows, i),
          features[i * FEATURE_COUNT + SKILL_RATE]!,
        ),
      ),
    );
  const testRows = n - testStart;
  const column = (f: (i: number) => number) => Array.from({ length: testRows }, (_, k) => f(testStart + k));
  const model = scoreProbabilities(
    column((i) => score(frozen, i)),
    testLabels,
  );
  const baseline = scoreProbabilities(
    column((i) => frozen[i * FEATURE_COUNT + SKILL_RATE]!),
    testLabels,
  );
  const running = {
    model: scoreProbabilities(
      column((i) => score(values, i)),
      testLabels,
    ),
    baseline: scoreProbabilities(
      column((i) => values[i * FEATURE_COUNT + SKILL_RATE]!),
      testLabels,
    ),
  };
  const deployed = fitContextLayer(rows, n, selection, settings.seed);
  progress?.({ stage: 'evaluating', done: 1, total: 1 });

  return {
    version: null,
    featureVersion: FEATURE_VERSION,
    trainedAt: options.now ?? Date.now(),
    trainingRows: n,
    features: [...FEATURE_NAMES],
    options: settings,
    metrics: {
      rows: { total: n, fit: calibrationStart, calibration: calibrationRows, test: testRows },
      testPeriod: { from: rows.times[testStart]!, to: rows.times[n - 1]! },
      testCompletionRate: testLabels.reduce((a, b) => a + b, 0) / testLabels.length,
      model,
      baseline,
      running,
      improvement: {
        auc: model.auc - baseline.auc,
        brier: baseline.brier - model.brier,
        logLoss: baseline.logLoss - model.logLoss,
        ece: baseline.ece - model.ece,
      },
      context: selection,
      trainingMs: Math.round(performance.now() - started),
    },
    forest,
    calibration,
    stacking,
    context: saveContextLayer(deployed, rows, selection),
    reference: medians(values, calibrationStart),
    aggregates: saveAggregates(aggregates),
  };
}

const logistic = (x: number) => 1 / (1 + Math.exp(-x));

export function clampProbability(p: number): number {
  return Math.min(1 - PROBABILITY_FLOOR, Math.max(PROBABILITY_FLOOR, p));
}

function medians(values: Float64Array, rows: number): number[] {
  return FEATURE_NAMES.map((_, f) => {
    const column = Float64Array.from({ length: rows }, (_, i) => values[i * FEATURE_COUNT + f]!).sort();
    return column[Math.floor(rows / 2)] ?? 0;
  });
}

function resolveSettings(options: TrainOptions): TrainingSettings {
  const s: TrainingSettings = {
    ...DEFAULT_FOREST_OPTIONS,
    smoothing: 10,
    testFraction: 0.2,
    calibrationFraction: 0.2,
    since: 0,
    until: Number.MAX_SAFE_INTEGER,
  };
  for (const key of Object.keys(s) as (keyof TrainingSettings)[]) {
    const value = options[key];
    if (value !== undefined) s[key] = value;
  }
  const issues: { field: string; message: string }[] = [];
  const check = (field: keyof TrainingSettings | 'minInvocations', ok: boolean, expected: string) => {
    if (!ok) issues.push({ field, message: `expected ${expected} (got ${String((options as Record<string, unknown>)[field])})` });
  };
  const int = (v: number, min: number) => Number.isInteger(v) && v >= min;
  check('trees', int(s.trees, 1), 'an integer ≥ 1');
  check('maxDepth', int(s.maxDepth, 1), 'an integer ≥ 1');
  check('minNodeSize', int(s.minNodeSize, 1), 'an integer ≥ 1');
  check('rowsPerTree', int(s.rowsPerTree, 10), 'an integer ≥ 10');
  check('maxFeatures', s.maxFeatures > 0 && s.maxFeatures <= 1, 'a share in (0, 1]');
  check('gainThreshold', s.gainThreshold >= 0, 'a number ≥ 0');
  check('seed', Number.isSafeInteger(s.seed), 'a safe integer');
  check('smoothing', s.smoothing >= 0 && Number.isFinite(s.smoothing), 'a number ≥ 0');
  check('testFraction', s.testFraction > 0 && s.testFraction < 1, 'a share in (0, 1)');
  check('calibrationFraction', s.calibrationFraction > 0 && s.calibrationFraction < 1, 'a share in (0, 1)');
  check('since', Number.isFinite(s.since), 'epoch milliseconds');
  check('until', Number.isFinite(s.until) && s.until > s.since, 'epoch milliseconds after since');
  if (options.minInvocations !== undefined) check('minInvocations', int(options.minInvocations, 10), 'an integer ≥ 10');
  if (issues.length > 0) throw new ValidationError(issues.map((i) => ({ index: -1, ...i })));
  return s;
}
