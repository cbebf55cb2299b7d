import { CATEGORY_TRAITS } from './category-traits.js';
import type { Random } from './random.js';
import type { CatalogEntry } from './skill-names.js';
import type { SkillProfile, WorkflowPhase } from './types.js';

/** Exponent of the Zipf law behind skill choice: weight of the skill at rank r is r^-1.1. */
export const ZIPF_EXPONENT = 1.1;

/** Typical log-odds effect of each phase, before a per-skill jitter: rollback is hardest. */
const PHASE_EFFECT: Readonly<Record<WorkflowPhase, number>> = {
  setup: 0.4,
  execution: 0,
  verification: -0.6,
  cleanup: 0.3,
  rollback: -1.2,
};

/** Share of skills whose success suffers at night. */
const NIGHT_SENSITIVE_SHARE = 0.5;

/**
 * Draws the generative profile of each skill. `popularity` is left at 0: it depends on groups
 * and workflows, and is filled in once they exist.
 */
export function drawSkillProfiles(catalog: readonly CatalogEntry[], random: Random): SkillProfile[] {
  return catalog.map(({ name, category }) => {
    const traits = CATEGORY_TRAITS[category];
    const [low, high] = traits.medianSeconds;
    const median = Math.exp(random.range(Math.log(low), Math.log(high)));
    const phaseEffects = {} as Record<WorkflowPhase, number>;
    for (const phase of Object.keys(PHASE_EFFECT) as WorkflowPhase[]) {
      phaseEffects[phase] = round(PHASE_EFFECT[phase] + 0.15 * random.normal(), 3);
    }
    const hourEffect = random.chance(NIGHT_SENSITIVE_SHARE) ? -round(random.range(0.4, 1.4), 3) : 0;
    const errorCount = Math.min(traits.errorTypes.length, 3 + random.int(2));
    return {
      name,
      category,
      baseSuccessRate: round(random.range(0.55, 0.98), 3),
      medianDurationSeconds: Math.max(0.05, round(median, 2)),
      durationLogSigma: round(random.range(0.3, 0.8), 2),
      popularity: 0,
      phaseEffects,
      hourEffect,
      errorTypes: random.shuffle(traits.errorTypes).slice(0, errorCount),
    };
  });
}

/** Normalised Zipf weights by catalogue position: the realistic names come first, most used. */
export function zipfWeights(count: number): Float64Array {
  const weights = new Float64Array(count);
  let total = 0;
  for (let i = 0; i < count; i++) {
    weights[i] = (i + 1) ** -ZIPF_EXPONENT;
    total += weights[i] as number;
  }
  for (let i = 0; i < count; i++) weights[i] = (weights[i] as number) / total;
  return weights;
}

export function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
