import type { SkillProfile, SuccessContext, WorkflowPhase, WorkloadTruth } from './types.js';

export const WORKFLOW_PHASES: readonly WorkflowPhase[] = ['setup', 'execution', 'verification', 'cleanup', 'rollback'];

/** Success probability of every invocation under the `random` success model. */
export const RANDOM_SUCCESS_RATE = 0.75;

/** The darkest hour of the night, UTC, where `hourEffect` applies in full. */
const DARKEST_HOUR = 3;

/**
 * How much of a skill's `hourEffect` applies at a UTC hour: cos²(2π(hour − 3)/24) between 21:00
 * and 09:00, peaking at 03:00, and 0 during the day.
 */
export function nightWeight(hour: number): number {
  const c = Math.cos((2 * Math.PI * (hour - DARKEST_HOUR)) / 24);
  return c > 0 ? c * c : 0;
}

/** Night weight of each integer hour, for the generator's hot loop. */
export const NIGHT_WEIGHTS: readonly number[] = Array.from({ length: 24 }, (_, hour) => nightWeight(hour));

export function logistic(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

export function logit(p: number): number {
  return Math.log(p / (1 - p));
}

interface TruthIndex {
  skills: Map<string, SkillProfile>;
}

const indexes = new WeakMap<WorkloadTruth, TruthIndex>();

function indexOf(truth: WorkloadTruth): TruthIndex {
  let index = indexes.get(truth);
  if (!index) {
    index = { skills: new Map(truth.skills.map((skill) => [skill.name, skill])) };
    indexes.set(truth, index);
  }
  return index;
}

/**
 * The probability the generator used for an invocation's success. Under the structured model:
 *
 *   logistic(logit(baseSuccessRate) + c × (phaseEffects[phase] + hourEffect × nightWeight(hour)
 *            + groups[group].skillLevels[skill])) × (success-drop magnitudes active at `at`)
 *
 * with c = `truth.contextEffect` (the `contextEffect` option, default 1),
 * where nightWeight(hour) = cos²(2π(hour − 3)/24) from 21:00 to 09:00 UTC and 0 otherwise, and a
 * null phase adds nothing. Under the random model it is `truth.randomSuccessRate`.
 *
 * @example
 * const { truth } = generateWorkload({ invocations: 0, users: 10, skills: 5, days: 1, seed: 7 });
 * trueSuccessProbability(truth, { skill: 'pytest-run', phase: 'execution', hour: 14, group: 0 });
 * // 0.8653…: logistic(logit(0.854) − 0.067 + 0.161), base rate, execution effect, group 0's level
 */
export function trueSuccessProbability(truth: WorkloadTruth, context: SuccessContext): number {
  const { skill, phase, hour, group, at } = context;
  const profile = indexOf(truth).skills.get(skill);
  if (!profile) throw new RangeError(`skill ${JSON.stringify(skill)} is not a skill of this workload`);
  const levels = truth.groups[group]?.skillLevels;
  if (!Number.isInteger(group) || !levels) {
    throw new RangeError(`group must be an integer from 0 to ${truth.groups.length - 1} (got ${String(group)})`);
  }
  if (typeof hour !== 'number' || !(hour >= 0 && hour < 24)) {
    throw new RangeError(`hour must be a UTC hour of day from 0 to 23 (got ${String(hour)})`);
  }
  if (phase !== null && !WORKFLOW_PHASES.includes(phase)) {
    throw new RangeError(`phase must be null or one of ${WORKFLOW_PHASES.join(', ')} (got ${String(phase)})`);
  }
  if (at !== undefined && !Number.isFinite(at)) {
    throw new RangeError(`at must be an epoch in milliseconds (got ${String(at)})`);
  }
  if (truth.successModel === 'random') return truth.randomSuccessRate;

  // Same operations, in the same order, as the generator's tables (generation-plan.ts).
  const effect = truth.contextEffect ?? 1;
  const logOdds =
    logit(profile.baseSuccessRate) +
    (phase === null ? 0 : effect * profile.phaseEffects[phase]) +
    effect * profile.hourEffect * nightWeight(hour) +
    effect * (levels[skill] ?? 0);
  let probability = logistic(logOdds);
  if (at !== undefined) {
    for (const incident of truth.incidents) {
      if (incident.kind === 'success_drop' && incident.skill === skill && at >= incident.start && at < incident.end) {
        probability *= incident.magnitude;
      }
    }
  }
  return probability;
}
