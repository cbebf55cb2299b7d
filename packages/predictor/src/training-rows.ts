import type { Store } from '@skills/storage';
import { hourBlock, phaseSlot, type FeatureContext } from './features.js';
import { readInvocationsInOrder } from './read-invocations.js';

/**
 * The invocations of a training pass, oldest first, with what every later step needs: each row's
 * feature context (its session as it stood just before it), its outcome, and integer codes of its
 * skill, user, phase slot and hour block for the additive model and the usage clusters.
 */
export interface TrainingRows {
  n: number;
  contexts: FeatureContext[];
  labels: Uint8Array;
  times: Float64Array;
  skill: Int32Array;
  /** −1 without a user. */
  user: Int32Array;
  phase: Int32Array;
  block: Int32Array;
  skillNames: string[];
  userNames: string[];
}

/** Reads up to `total` rows of [since, until) in (invoked_at, id) order. */
export async function readTrainingRows(
  store: Store,
  range: { since: number; until: number; total: number },
  onPage?: (done: number) => void,
): Promise<TrainingRows> {
  const { total } = range;
  const contexts: FeatureContext[] = [];
  const labels = new Uint8Array(total);
  const times = new Float64Array(total);
  const skill = new Int32Array(total);
  const user = new Int32Array(total);
  const phase = new Int32Array(total);
  const block = new Int32Array(total);
  const skills = new Map<string, number>();
  const users = new Map<string, number>();
  const code = (map: Map<string, number>, name: string) => {
    let c = map.get(name);
    if (c === undefined) {
      c = map.size;
      map.set(name, c);
    }
    return c;
  };
  const sessions = new Map<string, { startedAt: number; skills: Set<string>; previousCompleted: boolean | null }>();
  let n = 0;
  for await (const page of readInvocationsInOrder(store, range.since, range.until)) {
    for (const row of page) {
      if (n >= total) break; // rows recorded after the count: left for the next training
      const at = Number(row.invoked_at);
      let session = sessions.get(row.session_id);
      if (!session) {
        session = { startedAt: at, skills: new Set(), previousCompleted: null };
        sessions.set(row.session_id, session);
      }
      contexts.push({
        skill: row.skill_name,
        user: row.user_id,
        phase: row.workflow_phase,
        at,
        query: row.user_query,
        session: { startedAt: session.startedAt, skillsUsed: session.skills.size, previousCompleted: session.previousCompleted },
      });
      const completed = Number(row.completed) === 1;
      labels[n] = completed ? 1 : 0;
      times[n] = at;
      skill[n] = code(skills, row.skill_name);
      user[n] = row.user_id === null ? -1 : code(users, row.user_id);
      phase[n] = phaseSlot(row.workflow_phase);
      block[n] = hourBlock(at);
      n++;
      session.skills.add(row.skill_name);
      session.previousCompleted = completed;
    }
    onPage?.(n);
  }
  return {
    n,
    contexts,
    labels: labels.subarray(0, n),
    times: times.subarray(0, n),
    skill: skill.subarray(0, n),
    user: user.subarray(0, n),
    phase: phase.subarray(0, n),
    block: block.subarray(0, n),
    skillNames: [...skills.keys()],
    userNames: [...users.keys()],
  };
}
