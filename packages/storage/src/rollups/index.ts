import type { Kysely } from 'kysely';
import type { WriteTx } from '../dialect/store-driver.js';
import type { InvocationRow } from '../invocation.js';
import type { SkillsDatabase } from '../schema.js';
import type { Pseudonymise } from '../user-pseudonyms.js';
import { dailySkills } from './daily-skills.js';
import type { Batch, Rollup } from './rollup.js';
import { sessionSkills } from './session-skills.js';
import { skillMetricsCache } from './skill-metrics-cache.js';
import { skillMetrics } from './skill-metrics.js';
import { skillPhaseTotals } from './skill-phase-totals.js';
import { skillTimeSeries } from './skill-time-series.js';
import { skillUserInteractions } from './skill-user-interactions.js';

/**
 * Every rollup, in the order `verifyRollups` reports them. A new rollup is one file beside these
 * and one line here; the recorder, `rebuildRollups`, `eraseUserInvocations` and `verifyRollups`
 * pick it up from this list.
 */
const ROLLUP_LIST = [
  skillMetrics,
  sessionSkills,
  skillTimeSeries,
  dailySkills,
  skillMetricsCache,
  skillUserInteractions,
  skillPhaseTotals,
] as const;

export const ROLLUPS: readonly Rollup<any, any, any>[] = ROLLUP_LIST;

/** The tables of `ROLLUPS`, as `rebuildRollups` counts them. */
export type RollupListTable = (typeof ROLLUP_LIST)[number]['table'];

/** `ROLLUPS` with each rollup after those named in its `after` (writes and erasures run in this order). */
export const ROLLUPS_IN_WRITE_ORDER: readonly Rollup<any, any, any>[] = inDependencyOrder(ROLLUPS);

function inDependencyOrder(rollups: readonly Rollup<any, any, any>[]): Rollup<any, any, any>[] {
  const ordered: Rollup<any, any, any>[] = [];
  const visit = (rollup: Rollup<any, any, any>, path: readonly Rollup<any, any, any>[]) => {
    if (ordered.includes(rollup)) return;
    if (path.includes(rollup)) throw new Error(`rollups: ${rollup.table} depends on itself through "after"`);
    for (const before of rollup.after ?? []) visit(before, [...path, rollup]);
    ordered.push(rollup);
  };
  for (const rollup of rollups) visit(rollup, []);
  return ordered;
}

/** Per rollup, what it read before the batch's invocations were inserted (see `Rollup.prior`). */
export type Priors = Map<Rollup<any, any, any>, unknown>;

/** Run every rollup's `prior` read: before the batch's invocations are inserted. */
export async function readPriors(tx: WriteTx, rows: readonly InvocationRow[]): Promise<Priors> {
  const priors: Priors = new Map();
  for (const rollup of ROLLUPS_IN_WRITE_ORDER) if (rollup.prior) priors.set(rollup, await rollup.prior(tx, rows));
  return priors;
}

/**
 * Add stored rows to every rollup: the recorder's new rows (with the priors read before they were
 * inserted), or `rebuildRollups`' pages of all of them (no priors: the tables started empty).
 * Returns the pseudonyms of the users whose interactions changed.
 */
export async function foldIntoRollups(
  tx: WriteTx,
  rows: readonly InvocationRow[],
  priors: Priors | undefined,
  now: number,
  pseudonymise: Pseudonymise | undefined,
): Promise<string[]> {
  const batch = newBatch(now, pseudonymise);
  for (const rollup of ROLLUPS_IN_WRITE_ORDER) {
    const delta = rollup.delta(rows, batch);
    batch.deltas.set(rollup, delta);
    batch.results.set(rollup, await rollup.apply(tx, delta, batch, priors?.get(rollup)));
  }
  return (batch.results.get(skillUserInteractions) as string[] | undefined) ?? [];
}

/** After `rows` were deleted from `skill_invocation`: every rollup row they touched, brought back in line. */
export async function eraseFromRollups(
  trx: Kysely<SkillsDatabase>,
  rows: readonly InvocationRow[],
  now: number,
  pseudonymise: Pseudonymise | undefined,
): Promise<void> {
  const batch = newBatch(now, pseudonymise);
  for (const rollup of ROLLUPS_IN_WRITE_ORDER) {
    const delta = rollup.delta(rows, batch);
    batch.deltas.set(rollup, delta);
    await rollup.erase(trx, delta, batch);
  }
}

function newBatch(now: number, pseudonymise: Pseudonymise | undefined) {
  const deltas = new Map<Rollup<any, any, any>, unknown>();
  const results = new Map<Rollup<any, any, any>, unknown>();
  const batch: Batch & { deltas: typeof deltas; results: typeof results } = {
    now,
    pseudonymise,
    deltas,
    results,
    deltaOf: <D>(rollup: Rollup<D, any, any>) => {
      if (!deltas.has(rollup)) throw new Error(`rollups: ${rollup.table} was read before it ran (name it in "after")`);
      return deltas.get(rollup) as D;
    },
    resultOf: <R>(rollup: Rollup<any, R, any>) => {
      if (!results.has(rollup)) throw new Error(`rollups: ${rollup.table} was read before it ran (name it in "after")`);
      return results.get(rollup) as R;
    },
  };
  return batch;
}
