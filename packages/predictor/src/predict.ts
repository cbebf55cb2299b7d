import { ValidationError, type FieldIssue } from '@skills/storage';
import { applyIsotonic, applyStacking } from './calibration.js';
import { FeatureVersionError } from './errors.js';
import {
  computeFeatures,
  FEATURE_COUNT,
  FEATURE_NAMES,
  FEATURE_VERSION,
  loadAggregates,
  PHASES,
  SKILL_RATE,
  type Aggregates,
  type FeatureName,
} from './features.js';
import { compileForest, scoreForest, type CompiledForest } from './forest.js';
import type { PredictorModel } from './model.js';
import { clampProbability } from './train.js';

/** What the agent knows before invoking a skill. */
export interface PredictionInput {
  skill: string;
  query?: string | null;
  phase?: string | null;
  user?: string | null;
  /** When the skill would run (epoch ms). Default: now. */
  at?: number;
  /** The session so far; omitted = a new session. */
  session?: { startedAt?: number; skillsUsed?: number; previousCompleted?: boolean | null } | null;
}

/** One feature's share in a prediction. */
export interface PredictionFactor {
  feature: FeatureName;
  value: number;
  /** Probability with this feature's value minus probability with its typical value. */
  effect: number;
}

export interface Prediction {
  /** Calibrated probability that the invocation completes. */
  probability: number;
  /** The skill's historical completion rate (the baseline's answer). */
  baseline: number;
  /** The three features that moved the probability most, largest first. */
  factors: PredictionFactor[];
  /** E.g. "unknown skill: x, used the global prior". */
  notes: string[];
}

interface Prepared {
  forest: CompiledForest;
  aggregates: Aggregates;
  row: Float64Array;
  probe: Float64Array;
}

// Compiled once per model object: a prediction does no parsing and no query.
const prepared = new WeakMap<PredictorModel, Prepared>();

function prepare(model: PredictorModel): Prepared {
  let p = prepared.get(model);
  if (!p) {
    if (model.featureVersion !== FEATURE_VERSION) throw new FeatureVersionError(model.version ?? 0, model.featureVersion, FEATURE_VERSION);
    p = {
      forest: compileForest(model.forest, FEATURE_COUNT),
      aggregates: loadAggregates(model.aggregates),
      row: new Float64Array(FEATURE_COUNT),
      probe: new Float64Array(FEATURE_COUNT),
    };
    prepared.set(model, p);
  }
  return p;
}

/**
 * The calibrated probability that `input.skill` completes in this context, the baseline, the top
 * factors behind it, and notes on anything the model had to assume. Pure: no store access.
 * @example predictSuccess(model, { skill: 'pytest-run', phase: 'execution', query: 'run the auth tests' })
 */
export function predictSuccess(model: PredictorModel, input: PredictionInput): Prediction {
  validate(input);
  const p = prepare(model);
  const notes: string[] = [];
  const at = input.at ?? Date.now();
  const user = input.user ?? null;
  const phase = input.phase ?? null;
  if (!p.aggregates.skills.has(input.skill)) notes.push(`unknown skill: ${input.skill}, used the global prior`);
  if (user !== null && !p.aggregates.users.has(user)) notes.push(`unknown user: ${user}, used the global prior`);
  if (user === null) notes.push('no user given, used the global prior for the user rate');
  if (phase !== null && !(PHASES as readonly string[]).includes(phase)) notes.push(`unknown phase: ${phase}, treated as "other"`);
  const s = input.session;
  computeFeatures(
    p.aggregates,
    {
      skill: input.skill,
      user,
      phase,
      at,
      query: input.query ?? null,
      session: s ? { startedAt: s.startedAt ?? at, skillsUsed: s.skillsUsed ?? 0, previousCompleted: s.previousCompleted ?? null } : null,
    },
    p.row,
  );
  const probability = calibrated(model, p.forest, p.row);
  return { probability, baseline: p.row[SKILL_RATE]!, factors: topFactors(model, p, probability), notes };
}

function calibrated(model: PredictorModel, forest: CompiledForest, row: Float64Array): number {
  return clampProbability(applyStacking(model.stacking, applyIsotonic(model.calibration, scoreForest(forest, row)), row[SKILL_RATE]!));
}

/** Occlusion: how much the probability changes when one feature takes its typical value. */
function topFactors(model: PredictorModel, p: Prepared, probability: number): PredictionFactor[] {
  const factors: PredictionFactor[] = [];
  for (let f = 0; f < FEATURE_COUNT; f++) {
    const value = p.row[f]!;
    const typical = model.reference[f] ?? value;
    if (value === typical || p.forest.importance[f] === 0) continue;
    p.probe.set(p.row);
    p.probe[f] = typical;
    const effect = probability - calibrated(model, p.forest, p.probe);
    if (effect !== 0) factors.push({ feature: FEATURE_NAMES[f]!, value, effect });
  }
  return factors.sort((a, b) => Math.abs(b.effect) - Math.abs(a.effect)).slice(0, 3);
}

function validate(input: PredictionInput): void {
  const issues: FieldIssue[] = [];
  const add = (field: string, message: string) => issues.push({ index: -1, field, message });
  if (typeof input !== 'object' || input === null) {
    add('', 'expected an object');
  } else {
    if (typeof input.skill !== 'string' || input.skill.trim() === '') add('skill', 'expected a non-empty skill name');
    for (const field of ['query', 'phase', 'user'] as const) {
      const v = input[field];
      if (v !== undefined && v !== null && typeof v !== 'string') add(field, 'expected text or null');
    }
    if (input.at !== undefined && !(Number.isInteger(input.at) && input.at >= 0)) add('at', 'expected epoch milliseconds (integer ≥ 0)');
    const s = input.session;
    if (s !== undefined && s !== null) {
      if (s.startedAt !== undefined && !(Number.isInteger(s.startedAt) && s.startedAt >= 0)) add('session.startedAt', 'expected epoch milliseconds (integer ≥ 0)');
      if (s.skillsUsed !== undefined && !(Number.isInteger(s.skillsUsed) && s.skillsUsed >= 0)) add('session.skillsUsed', 'expected an integer ≥ 0');
      if (s.previousCompleted !== undefined && s.previousCompleted !== null && typeof s.previousCompleted !== 'boolean') add('session.previousCompleted', 'expected true, false or null');
    }
  }
  if (issues.length > 0) throw new ValidationError(issues);
}
