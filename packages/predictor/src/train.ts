import type { Store } from '@skills/storage';
import { ValidationError } from '@skills/storage';
import { applyIsotonic, applyStacking, fitIsotonic, fitStacking } from './calibration.js';
import { InsufficientDataError } from './errors.js';
import {
  computeFeatures,
  createAggregates,
  FEATURE_COUNT,
  FEATURE_NAMES,
  FEATURE_VERSION,
  observeInvocation,
  saveAggregates,
  SKILL_RATE,
  type FeatureContext,
} from './features.js';
import { compileForest, DEFAULT_FOREST_OPTIONS, scoreForest, trainForest, type ForestOptions } from './forest.js';
import { scoreProbabilities } from './metrics.js';
import type { PredictorModel, TrainingSettings } from './model.js';
import { countInvocations, readInvocationsInOrder } from './read-invocations.js';

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
 * from running aggregates updated after the row, the forest is fitted on the oldest part,
 * calibrated (isotonic) on the next, and evaluated with the baseline on the most recent share.
 * @example const model = await trainPredictor(store, { since: Date.now() - 30 * 86_400_000 });
 */
export async function trainPredictor(store: Store, options: TrainOptions = {}): Promise<PredictorModel> {
  const started = performance.now();
  const settings = resolveSettings(options);
  const minimum = options.minInvocations ?? MIN_INVOCATIONS;
  const progress = options.onProgress;
  const total = await countInvocations(store, settings.since, settings.until);
  if (total < minimum) throw new InsufficientDataError(total, minimum);

  const aggregates = createAggregates(settings.smoothing);
  const values = new Float64Array(total * FEATURE_COUNT);
  const labels = new Uint8Array(total);
  const times = new Float64Array(total);
  const sessions = new Map<string, { startedAt: number; skills: Set<string>; previousCompleted: boolean | null }>();
  let n = 0;
  for await (const page of readInvocationsInOrder(store, settings.since, settings.until)) {
    for (const row of page) {
      if (n >= total) break; // rows recorded after the count: left for the next training
      const at = Number(row.invoked_at);
      let session = sessions.get(row.session_id);
      if (!session) {
        session = { startedAt: at, skills: new Set(), previousCompleted: null };
        sessions.set(row.session_id, session);
      }
      const context: FeatureContext = {
        skill: row.skill_name,
        user: row.user_id,
        phase: row.workflow_phase,
        at,
        query: row.user_query,
        session: { startedAt: session.startedAt, skillsUsed: session.skills.size, previousCompleted: session.previousCompleted },
      };
      computeFeatures(aggregates, context, values.subarray(n * FEATURE_COUNT, (n + 1) * FEATURE_COUNT));
      const completed = Number(row.completed) === 1;
      labels[n] = completed ? 1 : 0;
      times[n] = at;
      n++;
      // Only now does the row's outcome enter the aggregates: no label leakage.
      observeInvocation(aggregates, context, completed);
      session.skills.add(row.skill_name);
      session.previousCompleted = completed;
    }
    progress?.({ stage: 'reading', done: n, total });
  }

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

  const matrix = { values: values.subarray(0, n * FEATURE_COUNT), width: FEATURE_COUNT };
  const forest = trainForest(matrix, labels, { start: 0, end: calibrationStart }, settings, (done, trees) =>
    progress?.({ stage: 'training', done, total: trees }),
  );
  const compiled = compileForest(forest, FEATURE_COUNT);
  const raw = new Float64Array(n - calibrationStart);
  for (let i = calibrationStart; i < n; i++) raw[i - calibrationStart] = scoreForest(compiled, values, i * FEATURE_COUNT);
  const calibration = fitIsotonic(raw.subarray(0, testStart - calibrationStart), labels.subarray(calibrationStart, testStart));
  const baselineAt = (i: number) => values[i * FEATURE_COUNT + SKILL_RATE]!;
  const stacking = fitStacking(
    Array.from(raw.subarray(0, testStart - calibrationStart), (s) => applyIsotonic(calibration, s)),
    Array.from({ length: testStart - calibrationStart }, (_, k) => baselineAt(calibrationStart + k)),
    labels.subarray(calibrationStart, testStart),
  );
  progress?.({ stage: 'evaluating', done: 0, total: 1 });

  const testLabels = labels.subarray(testStart, n);
  const modelProbabilities = Array.from(raw.subarray(testStart - calibrationStart), (s, k) =>
    clampProbability(applyStacking(stacking, applyIsotonic(calibration, s), baselineAt(testStart + k))),
  );
  const baselineProbabilities = Array.from({ length: n - testStart }, (_, k) => values[(testStart + k) * FEATURE_COUNT + SKILL_RATE]!);
  const model = scoreProbabilities(modelProbabilities, testLabels);
  const baseline = scoreProbabilities(baselineProbabilities, testLabels);
  progress?.({ stage: 'evaluating', done: 1, total: 1 });

  return {
    version: null,
    featureVersion: FEATURE_VERSION,
    trainedAt: options.now ?? Date.now(),
    trainingRows: n,
    features: [...FEATURE_NAMES],
    options: settings,
    metrics: {
      rows: { total: n, fit: calibrationStart, calibration: testStart - calibrationStart, test: n - testStart },
      testPeriod: { from: times[testStart]!, to: times[n - 1]! },
      testCompletionRate: testLabels.reduce((a, b) => a + b, 0) / testLabels.length,
      model,
      baseline,
      improvement: { auc: model.auc - baseline.auc, brier: baseline.brier - model.brier, logLoss: baseline.logLoss - model.logLoss },
      trainingMs: Math.round(performance.now() - started),
    },
    forest,
    calibration,
    stacking,
    reference: medians(matrix.values, calibrationStart),
    aggregates: saveAggregates(aggregates),
  };
}

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
