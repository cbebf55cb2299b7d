import type { Random } from './random.js';
import { round } from './skill-profiles.js';
import type { GroupProfile, UserProfile } from './types.js';

/** About one group per 50 users, at least 2 (when there are 2 users) and at most 50. */
export function groupCount(users: number): number {
  return Math.min(users, Math.max(2, Math.min(50, Math.round(users / 50))));
}

/** Number of favourite skills per group: about 1.5 √skills, at most 15. */
export function favouriteCount(skills: number): number {
  return Math.min(skills, 15, Math.max(1, Math.round(1.5 * Math.sqrt(skills))));
}

/** A group's skill level: this many log-odds better at its favourites, plus per-skill noise. */
const FAVOURITE_LEVEL = 0.5;
const LEVEL_SPREAD = 0.35;

export interface Population {
  users: UserProfile[];
  groups: GroupProfile[];
  /** Skill indexes of each group's favourites, in `favouriteSkills` order. */
  favouriteIndexes: number[][];
}

/**
 * Users (ids `user-001`…, a log-normal activity each) spread evenly over groups in shuffled
 * order; each group picks favourite skills, leaning to popular ones (weighted sampling without
 * replacement by √(Zipf weight)), and gets a skill level per skill.
 */
export function drawPopulation(userCount: number, skillNames: readonly string[], zipf: Float64Array, random: Random): Population {
  const groups = groupCount(userCount);
  const width = Math.max(3, String(userCount).length);
  const assignment = random.shuffle(Array.from({ length: userCount }, (_, i) => i % groups));
  const users: UserProfile[] = assignment.map((group, i) => ({
    userId: `user-${String(i + 1).padStart(width, '0')}`,
    group,
    activity: Math.max(0.01, round(Math.exp(random.normal()), 3)),
  }));

  const favourites = favouriteCount(skillNames.length);
  const favouriteIndexes: number[][] = [];
  const profiles: GroupProfile[] = [];
  for (let id = 0; id < groups; id++) {
    // Efraimidis–Spirakis: the largest keys ln(u)/w are a weighted sample without replacement.
    const keyed = skillNames.map((_, skill) => ({
      skill,
      key: Math.log(1 - random.next()) / Math.sqrt(zipf[skill] as number),
    }));
    keyed.sort((a, b) => b.key - a.key || a.skill - b.skill);
    const chosen = keyed.slice(0, favourites).map((entry) => entry.skill);
    const isFavourite = new Set(chosen);
    const skillLevels: Record<string, number> = {};
    skillNames.forEach((name, skill) => {
      const bonus = isFavourite.has(skill) ? FAVOURITE_LEVEL : 0;
      skillLevels[name] = round(bonus + LEVEL_SPREAD * random.normal(), 3);
    });
    favouriteIndexes.push(chosen);
    profiles.push({ id, favouriteSkills: chosen.map((skill) => skillNames[skill] as string), skillLevels });
  }
  return { users, groups: profiles, favouriteIndexes };
}
