import { generateWorkload } from '@skills/synth';
import { createRandom } from '@skills/synth';
import type { InteractionRow } from '../src/index.js';

export interface HeldOutWorkload {
  /** Per (user, skill) counts with the held-out pairs removed. */
  train: InteractionRow[];
  /** Per user: the skills held out (completed at least once, never shown to the model). */
  heldOut: Map<string, Set<string>>;
  all: InteractionRow[];
}

/**
 * The synthetic workload folded per (user, skill); for every user with at least five skills they
 * use (completed at least `minSuccesses` times), 20% of those (at least one) are held out, chosen
 * with a seeded shuffle.
 */
export function syntheticInteractions(
  options: {
    invocations: number;
    users: number;
    skills: number;
    days: number;
    seed: number;
    favouriteShare?: number;
    workflowShare?: number;
  },
  minSuccesses = 1,
): HeldOutWorkload {
  const workload = generateWorkload(options);
  const pairs = new Map<string, { user: string; skill: string; total: number; completed: number }>();
  for (const batch of workload.batches()) {
    for (const row of batch) {
      const key = `${row.user_id}\u0000${row.skill_name}`;
      const pair = pairs.get(key) ?? { user: row.user_id, skill: row.skill_name, total: 0, completed: 0 };
      pair.total += 1;
      pair.completed += row.completed ? 1 : 0;
      pairs.set(key, pair);
    }
  }
  const all = [...pairs.values()];
  const byUser = new Map<string, string[]>();
  for (const pair of all) {
    if (pair.completed >= minSuccesses) byUser.set(pair.user, [...(byUser.get(pair.user) ?? []), pair.skill]);
  }
  const random = createRandom(options.seed + 1);
  const heldOut = new Map<string, Set<string>>();
  for (const [user, skills] of byUser) {
    if (skills.length < 5) continue;
    heldOut.set(user, new Set(random.shuffle(skills.sort()).slice(0, Math.max(1, Math.round(skills.length * 0.2)))));
  }
  const train = all.filter((pair) => !heldOut.get(pair.user)?.has(pair.skill));
  return { train, heldOut, all };
}
