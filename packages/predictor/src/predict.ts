import { ValidationError, type FieldIssue } from '@skills/storage';
import { applyIsotonic, applyStacking } from './calibration.js';
import { FeatureVersionError } from './errors.js';
import { contextLogit, loadContextLayer, type LoadedContextLayer } from './context-layer.js';
import {
  computeFeatures,
  FEATURE_COUNT,
  FEATURE_VERSION,
  forgetTime,
  hourBlock,
  loadAggregates,
  phaseSlot,
  PHASES,
  SKILL_RATE,
  type Aggregates,
  type FeatureContext,
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

/** An input of the prediction a person can change: when, in which phase, by whom, in which session, with what query. */
export type FactorName = 'phase' | 'time' | 'user' | 'session' | 'query';

/** One input's share in a prediction. */
export interface PredictionFactor {
  factor: FactorName;
  /** The input as given, in words: `rollback`, `Sat 03:00 UTC`, `user-001 (usage cluster 2)`, … */
  value: string;
  /**
   * Probability with this input minus probability without it: no phase, an unknown time of day
   * (the skill's average over hours), no user, a new session, no query.
   */
  effect: number;
}

export interface Prediction {
  /** Calibrated probability that the invocation completes. */
  probability: number;
  /** The skill's historical completion rate (the baseline's answer). */
  baseline: number;
  /** Up to three inputs that moved the probability most, largest first. */
  factors: PredictionFactor[];
  /** E.g. "unknown skill: x, used the global prior". */
  notes: string[];
}

interface Prepared {
  forest: CompiledForest;
  aggregates: Aggregates;
  context: LoadedContextLayer;
  row: Float64Array;
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
      context: loadContextLayer(model.context),
      row: new Float64Array(FEATURE_COUNT),
    };
    prepared.set(model, p);
  }
  return p;
}

/**
 * The calibrated probability that `input.skill` completes in this context, the baseline, the
 * inputs that moved it most, and notes on anything the model had to assume. Pure: no store access.
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
  const context: FeatureContext = {
    skill: input.skill,
    user,
    phase,
    at,
    query: input.query ?? null,
    session: s ? { startedAt: s.startedAt ?? at, skillsUsed: s.skillsUsed ?? 0, previousCompleted: s.previousCompleted ?? null } : null,
  };
  const probability = score(model, p, context, true);
  const baseline = p.row[SKILL_RATE]!;
  return { probability, baseline, factors: topFactors(model, p, context, probability), notes };
}

/** The stacked probability of one context; `timeKnown` false scores it with the time of day unknown. */
function score(model: PredictorModel, p: Prepared, context: FeatureContext, timeKnown: boolean): number {
  computeFeatures(p.aggregates, context, p.row);
  if (!timeKnown) forgetTime(p.row, model.reference);
  const logit = contextLogit(
    p.context,
    { skill: context.skill, user: context.user, phaseSlot: phaseSlot(context.phase), block: hourBlock(context.at) },
    { phase: true, block: timeKnown, cluster: true },
  );
  // A forest the stack left out (weight 0) is not walked.
  const forest = model.stacking.weights[0] === 0 ? 0.5 : applyIsotonic(model.calibration, scoreForest(p.forest, p.row));
  return clampProbability(applyStacking(model.stacking, [forest, 1 / (1 + Math.exp(-logit)), p.row[SKILL_RATE]!]));
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/**
 * Occlusion over the inputs a person controls (never the skill's or the user's invocation counts,
 * which only grow): how much the probability changes when one input is taken away.
 */
function topFactors(model: PredictorModel, p: Prepared, context: FeatureContext, probability: number): PredictionFactor[] {
  const factors: PredictionFactor[] = [];
  const add = (factor: FactorName, value: string, without: number) => {
    const effect = probability - without;
    if (Math.abs(effect) > 1e-9) factors.push({ factor, value, effect });
  };
  if (context.phase !== null) add('phase', context.phase, score(model, p, { ...context, phase: null }, true));
  const date = new Date(context.at);
  add('time', `${DAYS[date.getUTCDay()]} ${String(date.getUTCHours()).padStart(2, '0')}:00 UTC`, score(model, p, context, false));
  if (context.user !== null) {
    const cluster = p.context.clusters.get(context.user);
    add(
      'user',
      cluster === undefined ? context.user : `${context.user} (usage cluster ${cluster})`,
      score(model, p, { ...context, user: null }, true),
    );
  }
  const session = context.session;
  if (session !== null) {
    const previous =
      session.previousCompleted === null
        ? 'first in the session'
        : session.previousCompleted
          ? 'after a completed invocation'
          : 'after a failed invocation';
    const minutes = Math.max(0, Math.round((context.at - session.startedAt) / 60_000));
    add(
      'session',
      `${previous}, ${session.skillsUsed} skills used, ${minutes} min in`,
      score(model, p, { ...context, session: null }, true),
    );
  }
  if (context.query !== null && context.query.trim() !== '') {
    const words = context.query.trim().split(/\s+/).length;
    add('query', `${context.query.length} characters, ${words} words`, score(model, p, { ...context, query: null }, true));
  }
  // The occlusions reused the scratch row: leave it holding the prediction's own features.
  computeFeatures(p.aggregates, context, p.row);
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
      if (s.startedAt !== undefined && !(Number.isInteger(s.startedAt) && s.startedAt >= 0))
        add('session.startedAt', 'expected epoch milliseconds (integer ≥ 0)');
      if (s.skillsUsed !== undefined && !(Number.isInteger(s.skillsUsed) && s.skillsUsed >= 0))
        add('session.skillsUsed', 'expected an integer ≥ 0');
      if (s.previousCompleted !== undefined && s.previousCompleted !== null && typeof s.previousCompleted !== 'boolean')
        add('session.previousCompleted', 'expected true, false or null');
    }
  }
  if (issues.length > 0) throw new ValidationError(issues);
}
