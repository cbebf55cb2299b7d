import { RandomForestClassifier } from 'ml-random-forest';
import { sampleIndexes, seededRandom } from '@skills/stats';
import { InsufficientDataError } from './errors.js';

/** Hyperparameters of the forest (see the README for why these defaults). */
export interface ForestOptions {
  /** Number of trees. */
  trees: number;
  maxDepth: number;
  /** A node with this many rows or fewer becomes a leaf. */
  minNodeSize: number;
  /** Share (0–1) of the features each tree sees. */
  maxFeatures: number;
  /** Rows drawn (without replacement) for each tree from the fitting slice. */
  rowsPerTree: number;
  /** Smallest Gini gain worth a split. */
  gainThreshold: number;
  seed: number;
}

export const DEFAULT_FOREST_OPTIONS: ForestOptions = {
  trees: 20,
  maxDepth: 8,
  minNodeSize: 20,
  maxFeatures: 0.7,
  rowsPerTree: 500,
  gainThreshold: 0.001,
  seed: 42,
};

/** ml-random-forest's own JSON (`toJSON()`, readable by `RandomForestClassifier.load`). */
export type ForestJson = ReturnType<RandomForestClassifier['toJSON']>;

/** Rows of a feature matrix stored flat: row i is values[i·width … (i+1)·width). */
export interface FeatureMatrix {
  values: Float64Array;
  width: number;
}

/**
 * Trains a random forest with ml-random-forest. Each tree is its own one-tree forest trained on
 * its own random subsample of `rows` (ml-cart's split search costs about rows² per node, so a
 * subsample per tree, not one bootstrap of everything, keeps 100k invocations in seconds while the
 * trees together still see most of the data); the trees are then joined into one forest JSON.
 */
export function trainForest(
  matrix: FeatureMatrix,
  labels: Uint8Array,
  rows: { start: number; end: number },
  options: ForestOptions,
  onTree?: (done: number, total: number) => void,
): ForestJson {
  const random = seededRandom(options.seed);
  const count = rows.end - rows.start;
  const scratch = Int32Array.from({ length: count }, (_, i) => i);
  const width = matrix.width;
  const featuresPerTree = Math.max(1, Math.min(width, Math.round(width * options.maxFeatures)));
  const indexes: number[][] = [];
  const estimators: unknown[] = [];
  let first: ForestJson | undefined;
  for (let t = 0; t < options.trees; t++) {
    let sample: Int32Array | undefined;
    let y: number[] = [];
    // A subsample with one outcome cannot be split (and crashes ml-cart): draw again.
    for (let attempt = 0; attempt < 10; attempt++) {
      sample = sampleIndexes(count, options.rowsPerTree, random, scratch);
      y = Array.from(sample, (i) => labels[rows.start + i]!);
      if (y.includes(0) && y.includes(1)) break;
      sample = undefined;
    }
    if (!sample)
      throw new InsufficientDataError(
        count,
        options.rowsPerTree,
        'every training subsample has a single outcome: too few failures or successes to train',
      );
    const X = Array.from(sample, (i) => Array.from(matrix.values.subarray((rows.start + i) * width, (rows.start + i + 1) * width)));
    const tree = new RandomForestClassifier({
      nEstimators: 1,
      // An integer: ml-random-forest reads 1.0 as "one feature".
      maxFeatures: featuresPerTree,
      replacement: false,
      seed: Math.floor(random() * 0x7fffffff),
      useSampleBagging: false,
      noOOB: true,
      treeOptions: { maxDepth: options.maxDepth, minNumSamples: options.minNodeSize, gainThreshold: options.gainThreshold },
    });
    tree.train(X, y);
    const json = JSON.parse(JSON.stringify(tree.toJSON())) as ForestJson;
    first ??= json;
    indexes.push(...json.baseModel.indexes);
    estimators.push(...json.baseModel.estimators);
    onTree?.(t + 1, options.trees);
  }
  const base = first!.baseModel;
  return {
    name: 'RFClassifier',
    baseModel: { ...base, nEstimators: options.trees, seed: options.seed, indexes, estimators: estimators as typeof base.estimators },
  };
}

/** A forest flattened into typed arrays for fast scoring; feature −1 marks a leaf. */
export interface CompiledForest {
  roots: Int32Array;
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  /** Leaf: share of completed invocations among the tree's training rows in the leaf. */
  value: Float64Array;
  /** Per model column: summed Gini gain × node size over all splits, normalised to sum 1. */
  importance: number[];
}

interface TreeNodeJson {
  splitColumn?: number;
  splitValue?: number;
  gain?: number | null;
  numberSamples?: number;
  left?: TreeNodeJson;
  right?: TreeNodeJson;
  distribution?: number[][];
}

/**
 * Flattens ml-random-forest's JSON. Scoring averages the leaves' class shares (like sklearn's
 * predict_proba), finer-grained than the library's vote count, and without its per-row matrix views.
 */
export function compileForest(json: ForestJson, width: number): CompiledForest {
  const feature: number[] = [];
  const threshold: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const value: number[] = [];
  const roots: number[] = [];
  const importance = new Array<number>(width).fill(0);
  const base = json.baseModel;
  const visit = (node: TreeNodeJson, columns: number[]): number => {
    const id = feature.length;
    feature.push(-1);
    threshold.push(0);
    left.push(-1);
    right.push(-1);
    value.push(0);
    if (node.left && node.right && node.splitColumn !== undefined) {
      const column = columns[node.splitColumn]!;
      feature[id] = column;
      threshold[id] = node.splitValue!;
      importance[column]! += Math.max(0, node.gain ?? 0) * (node.numberSamples ?? 0);
      left[id] = visit(node.left, columns);
      right[id] = visit(node.right, columns);
    } else {
      value[id] = node.distribution?.[0]?.[1] ?? 0;
    }
    return id;
  };
  base.estimators.forEach((estimator, t) => {
    roots.push(visit((estimator as unknown as { root: TreeNodeJson }).root, base.indexes[t]!));
  });
  const total = importance.reduce((a, b) => a + b, 0);
  return {
    roots: Int32Array.from(roots),
    feature: Int32Array.from(feature),
    threshold: Float64Array.from(threshold),
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    value: Float64Array.from(value),
    importance: importance.map((v) => (total > 0 ? v / total : 0)),
  };
}

/** Mean leaf share of completions over the trees: a raw score, calibrated afterwards. */
export function scoreForest(forest: CompiledForest, row: ArrayLike<number>, offset = 0): number {
  const { roots, feature, threshold, left, right, value } = forest;
  let sum = 0;
  for (let t = 0; t < roots.length; t++) {
    let node = roots[t]!;
    let f = feature[node]!;
    while (f >= 0) {
      // ml-cart's rule: strictly below the split value goes left.
      node = row[offset + f]! < threshold[node]! ? left[node]! : right[node]!;
      f = feature[node]!;
    }
    sum += value[node]!;
  }
  return sum / roots.length;
}
