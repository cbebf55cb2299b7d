import { MAX_SKILLS, skillNames } from './skill-names.js';
import type { Incident, IncidentKind, IncidentSpec, SuccessModel, WorkloadOptions } from './types.js';
import { FAVOURITE_SHARE, WORKFLOW_SHARE } from './session-mix.js';

/** Default start of the window, fixed so that output never depends on the clock. */
export const DEFAULT_START = Date.UTC(2026, 0, 1);
export const DEFAULT_BATCH_SIZE = 1000;
const DAY = 86_400_000;
const MAX_TIME = 2 ** 48;

const INCIDENT_KINDS: readonly IncidentKind[] = ['success_drop', 'volume_spike', 'latency_regression'];

/** Magnitude of an incident spec that gives none. */
export const DEFAULT_MAGNITUDE: Readonly<Record<IncidentKind, number>> = {
  success_drop: 0.4,
  volume_spike: 5,
  latency_regression: 3,
};

/** Options with defaults filled in, checked. */
export interface ResolvedOptions {
  invocations: number;
  users: number;
  skills: number;
  days: number;
  seed: number;
  start: number;
  /** A count of incidents to place (the default count when not given), or checked specs. */
  incidents: number | Incident[];
  successModel: SuccessModel;
  contextEffect: number;
  favouriteShare: number;
  workflowShare: number;
  batchSize: number;
}

/**
 * Checks options and fills in defaults; throws a RangeError naming the first bad option and
 * what was expected.
 */
export function resolveOptions(options: WorkloadOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw new RangeError(`options must be an object (got ${describe(options)})`);
  }
  const invocations = integerAtLeast('invocations', options.invocations, 0);
  const users = integerAtLeast('users', options.users, 1);
  const skills = integerAtLeast('skills', options.skills, 1);
  if (skills > MAX_SKILLS) {
    throw new RangeError(`options.skills must be an integer from 1 to ${MAX_SKILLS} (got ${skills})`);
  }
  const days = integerAtLeast('days', options.days, 1);
  if (!Number.isSafeInteger(options.seed)) {
    throw new RangeError(`options.seed must be a safe integer (got ${describe(options.seed)})`);
  }
  const start = options.start ?? DEFAULT_START;
  if (!Number.isSafeInteger(start) || start < 0) {
    throw new RangeError(`options.start must be an integer epoch in milliseconds ≥ 0 (got ${describe(start)})`);
  }
  // Ids encode times in 48 bits, as ULIDs do.
  if (start + days * DAY > MAX_TIME) {
    throw new RangeError(`options.days must end the window before 2^48 ms, in year 10889 (got ${days} days from ${start})`);
  }
  const successModel = options.successModel ?? 'structured';
  if (successModel !== 'structured' && successModel !== 'random') {
    throw new RangeError(`options.successModel must be 'structured' or 'random' (got ${describe(successModel)})`);
  }
  const contextEffect = options.contextEffect ?? 1;
  if (typeof contextEffect !== 'number' || !Number.isFinite(contextEffect) || contextEffect < 0) {
    throw new RangeError(`options.contextEffect must be a finite number ≥ 0 (got ${describe(contextEffect)})`);
  }
  const favouriteShare = options.favouriteShare ?? FAVOURITE_SHARE;
  if (typeof favouriteShare !== 'number' || !(favouriteShare >= 0 && favouriteShare <= 1)) {
    throw new RangeError(`options.favouriteShare must be a number from 0 to 1 (got ${describe(favouriteShare)})`);
  }
  const workflowShare = options.workflowShare ?? WORKFLOW_SHARE;
  if (typeof workflowShare !== 'number' || !(workflowShare >= 0 && workflowShare <= 1)) {
    throw new RangeError(`options.workflowShare must be a number from 0 to 1 (got ${describe(workflowShare)})`);
  }
  const batchSize = options.batchSize === undefined ? DEFAULT_BATCH_SIZE : integerAtLeast('batchSize', options.batchSize, 1);
  const incidents =
    options.incidents === undefined
      ? Math.max(1, Math.round((days * skills) / 100))
      : resolveIncidentOption(options.incidents, skills, successModel);
  return {
    invocations,
    users,
    skills,
    days,
    seed: options.seed,
    start,
    incidents,
    successModel,
    contextEffect,
    favouriteShare,
    workflowShare,
    batchSize,
  };
}

function resolveIncidentOption(value: number | readonly IncidentSpec[], skills: number, successModel: SuccessModel): number | Incident[] {
  if (typeof value === 'number') return integerAtLeast('incidents', value, 0);
  if (!Array.isArray(value)) {
    throw new RangeError(`options.incidents must be a count or an array of incident specs (got ${describe(value)})`);
  }
  const known = new Set(skillNames(skills));
  return value.map((spec: IncidentSpec, i) => {
    const at = `options.incidents[${i}]`;
    if (typeof spec !== 'object' || spec === null) {
      throw new RangeError(`${at} must be an incident spec object (got ${describe(spec)})`);
    }
    if (!known.has(spec.skill)) {
      throw new RangeError(`${at}.skill must be one of the workload's ${skills} skill names (got ${describe(spec.skill)})`);
    }
    if (!INCIDENT_KINDS.includes(spec.kind)) {
      throw new RangeError(`${at}.kind must be one of ${INCIDENT_KINDS.join(', ')} (got ${describe(spec.kind)})`);
    }
    if (spec.kind === 'success_drop' && successModel === 'random') {
      throw new RangeError(`${at}.kind cannot be success_drop when successModel is 'random' (success is independent of everything)`);
    }
    if (!Number.isSafeInteger(spec.start)) {
      throw new RangeError(`${at}.start must be an integer epoch in milliseconds (got ${describe(spec.start)})`);
    }
    if (!Number.isSafeInteger(spec.end) || spec.end <= spec.start) {
      throw new RangeError(`${at}.end must be an integer epoch in milliseconds after start (got ${describe(spec.end)})`);
    }
    const magnitude = spec.magnitude ?? DEFAULT_MAGNITUDE[spec.kind];
    if (!magnitudeFits(spec.kind, magnitude)) {
      throw new RangeError(`${at}.magnitude must be ${MAGNITUDE_RULE[spec.kind]} for ${spec.kind} (got ${describe(magnitude)})`);
    }
    return { skill: spec.skill, kind: spec.kind, start: spec.start, end: spec.end, magnitude };
  });
}

const MAGNITUDE_RULE: Readonly<Record<IncidentKind, string>> = {
  success_drop: 'a number from 0 to 1',
  volume_spike: 'a number ≥ 1',
  latency_regression: 'a number > 0',
};

function magnitudeFits(kind: IncidentKind, magnitude: number): boolean {
  if (typeof magnitude !== 'number' || !Number.isFinite(magnitude)) return false;
  if (kind === 'success_drop') return magnitude >= 0 && magnitude <= 1;
  if (kind === 'volume_spike') return magnitude >= 1;
  return magnitude > 0;
}

function integerAtLeast(name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`options.${name} must be an integer ≥ ${min} (got ${describe(value)})`);
  }
  return value;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && value !== null) return 'an object';
  return String(value);
}
