import { sampleAlias, type AliasTable } from './alias-table.js';
import { DROP, EXECUTION, NO_PHASE, PHASE_COLUMNS, ROLLBACK, SLOWDOWN, SPIKE, type GenerationPlan } from './generation-plan.js';
import type { Random } from './random.js';
import { NIGHT_WEIGHTS, WORKFLOW_PHASES } from './success-model.js';
import type { SyntheticInvocation, WorkflowPath, WorkflowPhase } from './types.js';
import { createUlidEncoder } from './ulid.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Longest session, in invocations. */
export const MAX_SESSION_LENGTH = 15;
const UNKNOWN_DURATION_SHARE = 0.03;
const NO_QUERY_SHARE = 0.08;
const ALTERNATIVES_SHARE = 0.35;
const FOLLOW_UP_SHARE = 0.4;
const ROLLBACK_SHARE = 0.5;
/** Mean pause between two invocations of a session after the first ends, in seconds. */
const THINK_SECONDS = 20;
const CI_PAUSE_SECONDS = 2;

const PHASE_OF: readonly (WorkflowPhase | null)[] = [...WORKFLOW_PHASES, null];

/**
 * Paths: share of sessions, and the probability that one more unit (a workflow or a single
 * skill) follows each unit, which sets the session's typical length.
 */
const PATHS: readonly { path: WorkflowPath | null; upTo: number; more: number }[] = [
  { path: 'ci', upTo: 0.15, more: 0.6 },
  { path: null, upTo: 0.25, more: 0.5 },
  { path: 'quick', upTo: 0.6, more: 0.35 },
  { path: 'comprehensive', upTo: 1, more: 0.6 },
];

/**
 * Returns a function that appends one session's invocations (at most `cap`) to `out` and
 * returns how many it appended. Invocation ids are left empty: the caller assigns them in
 * output order.
 */
export function createSessionGenerator(
  plan: GenerationPlan,
  random: Random,
): (start: number, cap: number, out: SyntheticInvocation[]) => number {
  const sessionId = createUlidEncoder(plan.sessionTag);
  const skillCount = plan.skillNames.length;
  const hasWorkflows = plan.workflowSteps.length > 0;
  let sessions = 0;

  // The session being generated.
  let session = '';
  let user = '';
  let group = 0;
  let path: WorkflowPath | null = null;
  let time = 0;

  /**
   * The skill a volume spike puts in the next slot instead of the planned one, or −1: each slot
   * in the window goes to the skill with the incident's spike rate, so its share rises from p to
   * r + (1 − r)p and every other skill gives up the same fraction of its traffic.
   */
  function spikedSkill(): number {
    const active = plan.incidentsByHour[hourIndex(time)];
    if (active === undefined || active.length === 0) return -1;
    for (const incident of active) {
      if (incident.kind === SPIKE && time >= incident.start && time < incident.end && random.next() < incident.spikeRate) {
        return incident.skill;
      }
    }
    return -1;
  }

  function hourIndex(at: number): number {
    return Math.min(plan.hours - 1, Math.floor((at - plan.start) / HOUR));
  }

  /** Appends one invocation at `time`, moves `time` on, and says whether it completed. */
  function emit(out: SyntheticInvocation[], skill: number, phase: number, stepId: string | null): boolean {
    const at = time < plan.end ? time : plan.end - 1;
    let probability: number;
    if (plan.randomModel) {
      probability = plan.randomSuccessRate;
    } else {
      const hour = Math.floor((at % DAY) / HOUR);
      const logOdds =
        (plan.logOdds[skill * PHASE_COLUMNS + phase] as number) +
        (plan.hourEffect[skill] as number) * (NIGHT_WEIGHTS[hour] as number) +
        (plan.groupLevels[group * skillCount + skill] as number);
      probability = 1 / (1 + Math.exp(-logOdds));
    }
    let slowdown = 1;
    const active = plan.incidentsByHour[hourIndex(at)];
    if (active !== undefined && active.length > 0) {
      for (const incident of active) {
        if (incident.skill !== skill || at < incident.start || at >= incident.end) continue;
        if (incident.kind === DROP) probability *= incident.magnitude;
        else if (incident.kind === SLOWDOWN) slowdown *= incident.magnitude;
      }
    }
    const completed = random.next() < probability;

    let duration: number | null = null;
    let elapsed = plan.medianSeconds[skill] as number;
    if (random.next() >= UNKNOWN_DURATION_SHARE) {
      const seconds = Math.exp((plan.logMedian[skill] as number) + (plan.durationSigma[skill] as number) * random.normal()) * slowdown;
      duration = Math.round(seconds * 1000) / 1000;
      elapsed = seconds;
    }

    let query: string | null = null;
    if (path !== 'ci' && random.next() >= NO_QUERY_SHARE) {
      const queries = plan.queries[skill] as readonly string[];
      query = queries[Math.floor(random.next() * queries.length)] as string;
    }

    let alternatives: string[] | null = null;
    let rank: number | null = null;
    const lists = plan.alternatives[skill];
    if (lists && random.next() < ALTERNATIVES_SHARE) {
      alternatives = lists[Math.floor(random.next() * lists.length)] as string[];
      rank = random.next() < 0.7 ? 1 : 2 + Math.floor(random.next() * alternatives.length);
    }

    let followUps: string[] | null = null;
    if (random.next() < FOLLOW_UP_SHARE) {
      const options = (completed ? plan.successActions : plan.failureActions)[skill] as string[][];
      followUps = options[Math.floor(random.next() * options.length)] as string[];
    }

    let error: string | null = null;
    if (!completed) {
      const cumulative = plan.errorCumulative[skill] as Float64Array;
      const u = random.next();
      let k = 0;
      while (k < cumulative.length - 1 && u >= (cumulative[k] as number)) k++;
      error = (plan.errorTypes[skill] as string[])[k] as string;
    }

    out.push({
      id: '',
      skill_name: plan.skillNames[skill] as string,
      invoked_at: at,
      session_id: session,
      user_id: user,
      workflow_path: path,
      workflow_phase: PHASE_OF[phase] as WorkflowPhase | null,
      workflow_step_id: stepId,
      completed,
      duration_seconds: duration,
      user_query: query,
      alternatives_considered: alternatives,
      selection_rank: rank,
      follow_up_actions: followUps,
      error_type: error,
    });
    const pause = -Math.log(1 - random.next()) * (path === 'ci' ? CI_PAUSE_SECONDS : THINK_SECONDS);
    time += Math.round((elapsed + pause) * 1000);
    return completed;
  }

  /** An invocation outside any workflow: usually the category's phase, sometimes none or another. */
  function emitSingle(out: SyntheticInvocation[], skill: number): void {
    const u = random.next();
    const phase = u < 0.6 ? (plan.usualPhase[skill] as number) : u < 0.8 ? NO_PHASE : Math.floor((u - 0.8) * 20);
    emit(out, skill, phase, null);
  }

  return (start, cap, out) => {
    const limit = Math.min(cap, MAX_SESSION_LENGTH);
    const userIndex = sampleAlias(plan.users, random);
    user = plan.userIds[userIndex] as string;
    group = plan.userGroups[userIndex] as number;
    const u = random.next();
    let kind = PATHS[0] as (typeof PATHS)[number];
    for (let k = 1; u >= kind.upTo && k < PATHS.length; k++) kind = PATHS[k] as (typeof PATHS)[number];
    path = kind.path;
    session = sessionId(start, sessions++);
    time = start;

    let produced = 0;
    do {
      if (hasWorkflows && random.next() < plan.workflowShare) {
        const w = sampleAlias(plan.workflowTables[group] as AliasTable, random);
        const steps = plan.workflowSteps[w] as Int32Array;
        const phases = plan.workflowPhases[w] as Int8Array;
        for (let i = 0; i < steps.length && produced < limit; i++) {
          produced++;
          const spiked = spikedSkill();
          if (spiked >= 0) {
            emitSingle(out, spiked);
            continue;
          }
          const skill = steps[i] as number;
          const phase = phases[i] as number;
          const completed = emit(out, skill, phase, (plan.workflowStepIds[w] as string[])[i] as string);
          if (!completed && phase === EXECUTION && plan.canRollBack[skill] === 1 && produced < limit && random.next() < ROLLBACK_SHARE) {
            emit(out, skill, ROLLBACK, (plan.rollbackStepIds[w] as string[])[i] as string);
            produced++;
            break;
          }
        }
      } else {
        const spiked = spikedSkill();
        if (spiked >= 0) {
          emitSingle(out, spiked);
        } else {
          const favourites = plan.favourites[group] as Int32Array;
          const skill =
            random.next() < plan.favouriteShare
              ? (favourites[sampleAlias(plan.favouriteTables[group] as AliasTable, random)] as number)
              : sampleAlias(plan.globalSkills, random);
          emitSingle(out, skill);
        }
        produced++;
      }
    } while (produced < limit && random.next() < kind.more);
    return produced;
  };
}
