import {
  additiveLogLoss,
  additiveLogit,
  fitAdditive,
  poolCells,
  type AdditiveModel,
  type AdditivePenalty,
  type AdditiveTerms,
} from './additive-model.js';
import type { TrainingRows } from './training-rows.js';
import { clusterUsers, countUsage } from './usage-clusters.js';

/**
 * The additive context model together with the usage clusters it was fitted with: what the
 * training pass fits on a prefix of the rows, scores later rows with, and saves with a model.
 */
export interface ContextLayer {
  model: AdditiveModel;
  /** Cluster of each user index of the training rows (−1: none). */
  userCluster: Int32Array;
}

/** JSON form: names instead of indexes. */
export interface SavedContextLayer {
  skills: string[];
  /** user → usage cluster. */
  clusters: Record<string, number>;
  model: AdditiveModel;
  /** The choice made on the calibration slice. */
  selected: ContextSelection;
}

export interface ContextSelection {
  /** Usage clusters (0: none). */
  clusters: number;
  /** L2 penalty per block of terms, estimated on the fitting slice (see `fitAdditive`). */
  penalty: AdditivePenalty;
}

/** Candidate cluster counts, chosen by log loss on the calibration slice. */
const CLUSTER_CANDIDATES = [0, 2, 4, 8, 16, 32];
/** At least this many users per cluster. */
const USERS_PER_CLUSTER = 4;

/** Fits the usage clusters on rows [0, end) and the additive model on the same rows. */
export function fitContextLayer(rows: TrainingRows, end: number, selection: ContextSelection, seed: number): ContextLayer {
  const usage = countUsage(rows, rows.userNames.length, rows.skillNames.length, 0, end);
  const clusters = clusterUsers(usage, selection.clusters, seed);
  const cluster = rowClusters(rows, clusters.assignment);
  const cells = poolCells({ skill: rows.skill, phase: rows.phase, block: rows.block, cluster, label: rows.labels }, 0, end);
  const model = fitAdditive(cells, { skills: rows.skillNames.length, clusters: clusters.k, penalty: selection.penalty });
  return { model, userCluster: clusters.assignment };
}

function rowClusters(rows: TrainingRows, assignment: Int32Array): Int32Array {
  return Int32Array.from(rows.user, (u) => (u < 0 ? -1 : assignment[u]!));
}

/**
 * Picks the cluster count: each candidate is fitted on [0, fitEnd) (penalties estimated) and
 * scored by log loss on [fitEnd, validateEnd), rows of users first seen there without a cluster,
 * as a saved model would meet them. The penalties are kept for the later refits.
 */
export function chooseContextLayer(rows: TrainingRows, fitEnd: number, validateEnd: number, seed: number): ContextSelection {
  const usage = countUsage(rows, rows.userNames.length, rows.skillNames.length, 0, fitEnd);
  const users = rows.userNames.length;
  let best: { loss: number; selection: ContextSelection } | undefined;
  for (const k of CLUSTER_CANDIDATES) {
    if (k > 0 && k * USERS_PER_CLUSTER > users) continue;
    const clusters = clusterUsers(usage, k, seed);
    if (k > 0 && clusters.k < k) continue;
    const columns = {
      skill: rows.skill,
      phase: rows.phase,
      block: rows.block,
      cluster: rowClusters(rows, clusters.assignment),
      label: rows.labels,
    };
    const model = fitAdditive(poolCells(columns, 0, fitEnd), { skills: rows.skillNames.length, clusters: clusters.k });
    const loss = additiveLogLoss(model, poolCells(columns, fitEnd, validateEnd));
    if (!best || loss < best.loss - 1e-12) best = { loss, selection: { clusters: clusters.k, penalty: model.penalty } };
  }
  return best!.selection;
}

/** Log-odds of training row i. */
export function contextLogitOfRow(layer: ContextLayer, rows: TrainingRows, i: number): number {
  const u = rows.user[i]!;
  return additiveLogit(layer.model, rows.skill[i]!, rows.phase[i]!, rows.block[i]!, u < 0 ? -1 : layer.userCluster[u]!);
}

export function saveContextLayer(layer: ContextLayer, rows: TrainingRows, selected: ContextSelection): SavedContextLayer {
  const clusters: Record<string, number> = {};
  rows.userNames.forEach((name, u) => {
    const c = layer.userCluster[u]!;
    if (c >= 0) clusters[name] = c;
  });
  return { skills: rows.skillNames, clusters, model: layer.model, selected };
}

/** A saved layer ready to score by name. */
export interface LoadedContextLayer {
  model: AdditiveModel;
  skillIndex: Map<string, number>;
  clusters: Map<string, number>;
}

export function loadContextLayer(saved: SavedContextLayer): LoadedContextLayer {
  return { model: saved.model, skillIndex: new Map(saved.skills.map((s, i) => [s, i])), clusters: new Map(Object.entries(saved.clusters)) };
}

export function contextLogit(
  layer: LoadedContextLayer,
  input: { skill: string; user: string | null; phaseSlot: number; block: number },
  terms?: AdditiveTerms,
): number {
  const cluster = input.user === null ? -1 : (layer.clusters.get(input.user) ?? -1);
  return additiveLogit(layer.model, layer.skillIndex.get(input.skill) ?? -1, input.phaseSlot, input.block, cluster, terms);
}
