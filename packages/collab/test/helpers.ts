import { createRandom } from '@skills/synth';

/** Set-based reference Jaccard over distinct values, to check the merge implementation. */
export function referenceJaccard(a: Iterable<number>, b: Iterable<number>): number {
  const left = new Set(a);
  const right = new Set(b);
  const union = new Set([...left, ...right]);
  let shared = 0;
  for (const x of left) if (right.has(x)) shared++;
  return union.size === 0 ? 0 : shared / union.size;
}

/** Random users, each with 0–`maxSkills` distinct skills out of `skills`, as sorted Uint32Arrays. */
export function randomSkillSets(seed: number, users: number, skills: number, maxSkills: number): Map<string, Uint32Array> {
  const random = createRandom(seed);
  const sets = new Map<string, Uint32Array>();
  for (let u = 0; u < users; u++) {
    const chosen = new Set<number>();
    const size = random.int(maxSkills + 1);
    while (chosen.size < size) chosen.add(random.int(skills));
    sets.set(`user-${String(u).padStart(4, '0')}`, Uint32Array.from(chosen).sort());
  }
  return sets;
}

/**
 * A population with group structure: `groups` equal groups, each with `favourites` favourite
 * skills; every user takes `fromGroup` of their group's favourites and `random` skills from anywhere.
 */
export function groupedPopulation(options: {
  seed: number;
  users: number;
  skills: number;
  groups: number;
  favourites: number;
  fromGroup: number;
  random: number;
}): Map<string, Uint32Array> {
  const random = createRandom(options.seed);
  const allSkills = Array.from({ length: options.skills }, (_, i) => i);
  const favourites = Array.from({ length: options.groups }, () => random.shuffle(allSkills).slice(0, options.favourites));
  const sets = new Map<string, Uint32Array>();
  for (let u = 0; u < options.users; u++) {
    const chosen = new Set(random.shuffle(favourites[u % options.groups]!).slice(0, options.fromGroup));
    const target = chosen.size + options.random;
    while (chosen.size < target) chosen.add(random.int(options.skills));
    sets.set(`user-${String(u).padStart(4, '0')}`, Uint32Array.from(chosen).sort());
  }
  return sets;
}
