import { createAliasTable, type AliasTable } from './alias-table.js';
import { CATEGORY_TRAITS } from './category-traits.js';
import { followUpsFor, queriesFor } from './category-phrases.js';
import { createRandom, hash32 } from './random.js';
import { logit, WORKFLOW_PHASES } from './success-model.js';
import { STREAMS, type Model } from './truth.js';
import type { IncidentKind } from './types.js';

const HOUR = 3_600_000;
/** Column of the "no phase" log-odds in `logOdds`. */
export const NO_PHASE = 5;
export const PHASE_COLUMNS = 6;
export const EXECUTION = WORKFLOW_PHASES.indexOf('execution');
export const ROLLBACK = WORKFLOW_PHASES.indexOf('rollback');

export const SPIKE = 0;
export const DROP = 1;
export const SLOWDOWN = 2;
const KIND_CODES: Readonly<Record<IncidentKind, number>> = { volume_spike: SPIKE, success_drop: DROP, latency_regression: SLOWDOWN };

export interface CompiledIncident {
  skill: number;
  kind: number;
  start: number;
  end: number;
  magnitude: number;
  /** volume_spike: probability that a slot in the window is given to the skill. */
  spikeRate: number;
}

/** The truth turned into flat tables indexed by skill, group and user, for the hot loop. */
export interface GenerationPlan {
  start: number;
  end: number;
  hours: number;
  randomModel: boolean;
  randomSuccessRate: number;
  /** Share of single-skill picks taken from the group's favourites. */
  favouriteShare: number;
  /** Probability that a session unit is a whole workflow. */
  workflowShare: number;
  skillNames: string[];
  /** logit(base) + contextEffect × phase effect, PHASE_COLUMNS per skill (the last for no phase). */
  logOdds: Float64Array;
  /** contextEffect × hourEffect. */
  hourEffect: Float64Array;
  /** contextEffect × skillLevels, one row of skills per group. */
  groupLevels: Float64Array;
  logMedian: Float64Array;
  medianSeconds: Float64Array;
  durationSigma: Float64Array;
  usualPhase: Int8Array;
  canRollBack: Uint8Array;
  globalSkills: AliasTable;
  favourites: Int32Array[];
  favouriteTables: AliasTable[];
  workflowTables: AliasTable[];
  workflowSteps: Int32Array[];
  workflowPhases: Int8Array[];
  workflowStepIds: string[][];
  rollbackStepIds: string[][];
  queries: (readonly string[])[];
  alternatives: (string[][] | null)[];
  successActions: string[][][];
  failureActions: string[][][];
  errorTypes: string[][];
  errorCumulative: Float64Array[];
  users: AliasTable;
  userGroups: Int32Array;
  userIds: string[];
  /** Incidents overlapping each hour of the window (shared empty arrays elsewhere). */
  incidentsByHour: CompiledIncident[][];
  /** 30-bit tags that make ids differ between seeds. */
  invocationTag: number;
  sessionTag: number;
}

/** Compiles a model into generation tables. */
export function compilePlan(model: Model): GenerationPlan {
  const { truth, workflows, workflowSteps, groupMixes, zipf } = model;
  const names = truth.skills.map((skill) => skill.name);
  const index = new Map(names.map((name, i) => [name, i]));
  const skillCount = names.length;
  const random = createRandom(truth.seed, STREAMS.pools);

  // Scaling by contextEffect (1 by default: x × 1 is exact, so the default output is unchanged).
  const effect = truth.contextEffect;
  const logOdds = new Float64Array(skillCount * PHASE_COLUMNS);
  truth.skills.forEach((skill, s) => {
    const base = logit(skill.baseSuccessRate);
    WORKFLOW_PHASES.forEach((phase, p) => {
      logOdds[s * PHASE_COLUMNS + p] = base + effect * skill.phaseEffects[phase];
    });
    logOdds[s * PHASE_COLUMNS + NO_PHASE] = base;
  });
  const groupLevels = new Float64Array(truth.groups.length * skillCount);
  truth.groups.forEach((group, g) => {
    names.forEach((name, s) => {
      groupLevels[g * skillCount + s] = effect * (group.skillLevels[name] ?? 0);
    });
  });

  const hours = Math.round((truth.end - truth.start) / HOUR);
  const noIncidents: CompiledIncident[] = [];
  const incidentsByHour: CompiledIncident[][] = new Array<CompiledIncident[]>(hours).fill(noIncidents);
  for (const incident of truth.incidents) {
    const skill = index.get(incident.skill) as number;
    const p = truth.skills[skill]?.popularity ?? 0;
    const m = incident.magnitude;
    // Traffic ×m for the skill, taken proportionally from the others: share p → mp / (1 + (m−1)p).
    const spiked = (m * p) / (1 + (m - 1) * p);
    const compiled: CompiledIncident = {
      skill,
      kind: KIND_CODES[incident.kind],
      start: incident.start,
      end: incident.end,
      magnitude: m,
      spikeRate: p < 1 ? (spiked - p) / (1 - p) : 0,
    };
    const first = Math.max(0, Math.floor((incident.start - truth.start) / HOUR));
    const last = Math.min(hours - 1, Math.floor((incident.end - 1 - truth.start) / HOUR));
    for (let h = first; h <= last; h++) {
      const current = incidentsByHour[h] as CompiledIncident[];
      incidentsByHour[h] = current === noIncidents ? [compiled] : [...current, compiled];
    }
  }

  const errorCumulative = truth.skills.map((skill) => {
    // The first error type of a skill is the most frequent: weights 1, 1/2, 1/3, …
    const weights = skill.errorTypes.map((_, k) => 1 / (k + 1));
    const total = weights.reduce((a, b) => a + b, 0);
    let running = 0;
    return Float64Array.from(weights, (w) => (running += w / total));
  });

  return {
    favouriteShare: truth.favouriteShare,
    workflowShare: truth.workflowShare,
    start: truth.start,
    end: truth.end,
    hours,
    randomModel: truth.successModel === 'random',
    randomSuccessRate: truth.randomSuccessRate,
    skillNames: names,
    logOdds,
    hourEffect: Float64Array.from(truth.skills, (skill) => effect * skill.hourEffect),
    groupLevels,
    logMedian: Float64Array.from(truth.skills, (skill) => Math.log(skill.medianDurationSeconds)),
    medianSeconds: Float64Array.from(truth.skills, (skill) => skill.medianDurationSeconds),
    durationSigma: Float64Array.from(truth.skills, (skill) => skill.durationLogSigma),
    usualPhase: Int8Array.from(truth.skills, (skill) => WORKFLOW_PHASES.indexOf(CATEGORY_TRAITS[skill.category].usualPhase)),
    canRollBack: Uint8Array.from(truth.skills, (skill) => (CATEGORY_TRAITS[skill.category].canRollBack ? 1 : 0)),
    globalSkills: createAliasTable(zipf),
    favourites: groupMixes.map((mix) => Int32Array.from(mix.favourites)),
    favouriteTables: groupMixes.map((mix) => createAliasTable(mix.favouriteWeights)),
    workflowTables: workflows.length > 0 ? groupMixes.map((mix) => createAliasTable(mix.workflowWeights)) : [],
    workflowSteps,
    workflowPhases: workflows.map((workflow) => Int8Array.from(workflow.phases, (phase) => WORKFLOW_PHASES.indexOf(phase))),
    workflowStepIds: workflows.map((workflow) => workflow.skills.map((_, i) => `${workflow.name}/${i + 1}`)),
    rollbackStepIds: workflows.map((workflow) => workflow.skills.map((_, i) => `${workflow.name}/${i + 1}/rollback`)),
    queries: truth.skills.map((skill) => queriesFor(skill.name, skill.category)),
    alternatives: names.map((_, s) => alternativeLists(s, model, random.next())),
    successActions: truth.skills.map((skill) => followUpsFor(skill.category, true)),
    failureActions: truth.skills.map((skill) => followUpsFor(skill.category, false)),
    errorTypes: truth.skills.map((skill) => skill.errorTypes),
    errorCumulative,
    users: createAliasTable(truth.users.map((user) => user.activity)),
    userGroups: Int32Array.from(truth.users, (user) => user.group),
    userIds: truth.users.map((user) => user.userId),
    incidentsByHour,
    invocationTag: seedTag(truth.seed, 0x5bd1e995),
    sessionTag: seedTag(truth.seed, 0x27d4eb2f),
  };
}

/**
 * Frozen lists of skills considered instead of skill `s`: other skills of its category (else the
 * most popular ones), in three variants so that lists differ between invocations.
 */
function alternativeLists(s: number, model: Model, u: number): string[][] | null {
  const { catalog } = model;
  const own = catalog[s];
  const sameCategory = catalog.filter((entry, i) => i !== s && entry.category === own?.category).slice(0, 6);
  const pool = (sameCategory.length > 0 ? sameCategory : catalog.filter((_, i) => i !== s).slice(0, 4)).map((entry) => entry.name);
  if (pool.length === 0) return null;
  const offset = Math.floor(u * pool.length);
  const at = (k: number): string => pool[(offset + k) % pool.length] as string;
  const lists = [[at(0)], pool.length > 1 ? [at(0), at(1)] : [at(0)], pool.length > 2 ? [at(1), at(2)] : [at(0)]];
  return lists.map((list) => Object.freeze(list) as string[]);
}

/** A 30-bit hash of all bits of a safe-integer seed. */
function seedTag(seed: number, salt: number): number {
  const high = Math.floor(seed / 4294967296) >>> 0;
  return hash32(hash32((seed >>> 0) ^ salt) ^ high) >>> 2;
}
