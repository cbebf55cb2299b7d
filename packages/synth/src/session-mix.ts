/**
 * How sessions choose skills. A session is a run of *units*; each unit is either a whole
 * workflow (with probability WORKFLOW_SHARE, when the workload has workflows) or one skill drawn
 * from the user's group: a favourite with probability FAVOURITE_SHARE (the `favouriteShare`
 * option), else a skill drawn from
 * the global Zipf law. These weights are shared by the generator and by the popularity it reports.
 */
export const WORKFLOW_SHARE = 0.45;
export const FAVOURITE_SHARE = 0.75;
/**
 * A workflow's weight for a group is OTHER_WORKFLOW_WEIGHT + FAVOURITE_WORKFLOW_BOOST × (share of
 * its steps among the group's favourites): teams mostly run the workflows of their own stack.
 */
const FAVOURITE_WORKFLOW_BOOST = 5;
const OTHER_WORKFLOW_WEIGHT = 0.2;

/** Weights of a group's favourites: √(Zipf weight), so favourites are flatter than the crowd. */
export function favouriteWeights(favourites: readonly number[], zipf: Float64Array): Float64Array {
  return Float64Array.from(favourites, (skill) => Math.sqrt(zipf[skill] as number));
}

/**
 * Weights of the workflows for one group: √(mean Zipf weight of the steps) × (0.2 + 5 × share of
 * the steps that are the group's favourites).
 */
export function workflowWeights(
  workflows: readonly Int32Array[],
  isFavourite: (skill: number) => boolean,
  zipf: Float64Array,
): Float64Array {
  return Float64Array.from(workflows, (steps) => {
    let weight = 0;
    let favourites = 0;
    for (const skill of steps) {
      weight += zipf[skill] as number;
      if (isFavourite(skill)) favourites++;
    }
    return Math.sqrt(weight / steps.length) * (OTHER_WORKFLOW_WEIGHT + (FAVOURITE_WORKFLOW_BOOST * favourites) / steps.length);
  });
}

export interface GroupMix {
  /** Share of all sessions run by this group's users. */
  traffic: number;
  favourites: readonly number[];
  favouriteWeights: Float64Array;
  workflowWeights: Float64Array;
}

/**
 * Each skill's expected share of invocations (renewal–reward: expected uses per unit over
 * expected unit length, both weighted by the groups' session shares, since the number of units
 * in a session does not depend on the group). Ignores the small distortions of session caps,
 * rollbacks and incidents.
 */
export function expectedShares(
  zipf: Float64Array,
  workflows: readonly Int32Array[],
  groups: readonly GroupMix[],
  favouriteShare: number = FAVOURITE_SHARE,
  workflowShareOption: number = WORKFLOW_SHARE,
): Float64Array {
  const shares = new Float64Array(zipf.length);
  const workflowShare = workflows.length > 0 ? workflowShareOption : 0;
  const perUnit = new Float64Array(zipf.length);
  let meanUnitLength = 0;
  for (const group of groups) {
    perUnit.fill(0);
    let unitLength = 1 - workflowShare;
    const workflowTotal = sum(group.workflowWeights);
    workflows.forEach((steps, w) => {
      const p = (workflowShare * (group.workflowWeights[w] as number)) / workflowTotal;
      unitLength += p * steps.length;
      for (const skill of steps) perUnit[skill] = (perUnit[skill] as number) + p;
    });
    const single = 1 - workflowShare;
    const favouriteTotal = sum(group.favouriteWeights);
    group.favourites.forEach((skill, f) => {
      perUnit[skill] = (perUnit[skill] as number) + (single * favouriteShare * (group.favouriteWeights[f] as number)) / favouriteTotal;
    });
    for (let skill = 0; skill < zipf.length; skill++) {
      const uses = (perUnit[skill] as number) + single * (1 - favouriteShare) * (zipf[skill] as number);
      shares[skill] = (shares[skill] as number) + group.traffic * uses;
    }
    meanUnitLength += group.traffic * unitLength;
  }
  for (let skill = 0; skill < shares.length; skill++) shares[skill] = (shares[skill] as number) / meanUnitLength;
  return shares;
}

function sum(values: Float64Array): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
