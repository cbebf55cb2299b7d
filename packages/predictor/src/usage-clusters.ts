import { seededRandom } from './random.js';

/**
 * Groups users by which skills they invoke (never by outcomes): k-means on the square roots of
 * each user's skill shares (Euclidean distance there is the Hellinger distance between usage
 * mixes), k-means++ seeding, the best of a few seeded restarts. Users with too few invocations to
 * say much about their habits do not move the centres but are still assigned to the nearest one.
 */
export interface UsageClusters {
  k: number;
  /** cluster of each user index; −1 for a user with no invocations. */
  assignment: Int32Array;
}

export interface UsageCounts {
  users: number;
  skills: number;
  /** [user · skills + skill] invocation counts. */
  counts: Float64Array;
}

/** Invocation counts per user and skill over rows [start, end); user −1 rows are skipped. */
export function countUsage(rows: { user: ArrayLike<number>; skill: ArrayLike<number> }, users: number, skills: number, start: number, end: number): UsageCounts {
  const counts = new Float64Array(users * skills);
  for (let i = start; i < end; i++) {
    const u = rows.user[i]!;
    if (u >= 0) counts[u * skills + rows.skill[i]!]!++;
  }
  return { users, skills, counts };
}

const MIN_INVOCATIONS_TO_SHAPE = 5;
const ITERATIONS = 30;
const RESTARTS = 3;

/** @example clusterUsers(countUsage(rows, users, skills, 0, n), 4, 42).assignment */
export function clusterUsers(usage: UsageCounts, k: number, seed: number): UsageClusters {
  const { users, skills, counts } = usage;
  const points = new Float64Array(users * skills);
  const totals = new Float64Array(users);
  for (let u = 0; u < users; u++) {
    let total = 0;
    for (let s = 0; s < skills; s++) total += counts[u * skills + s]!;
    totals[u] = total;
    if (total > 0) for (let s = 0; s < skills; s++) points[u * skills + s] = Math.sqrt(counts[u * skills + s]! / total);
  }
  const shaping = Array.from({ length: users }, (_, u) => u).filter((u) => totals[u]! >= MIN_INVOCATIONS_TO_SHAPE);
  const assignment = new Int32Array(users).fill(-1);
  if (k < 1 || shaping.length === 0) return { k: 0, assignment };
  const clusters = Math.min(k, shaping.length);
  const random = seededRandom(seed);
  let best: { inertia: number; centres: Float64Array } | undefined;
  for (let restart = 0; restart < RESTARTS; restart++) {
    const centres = seedCentres(points, skills, shaping, clusters, random);
    const inertia = lloyd(points, skills, shaping, centres, clusters);
    if (!best || inertia < best.inertia) best = { inertia, centres };
  }
  for (let u = 0; u < users; u++) if (totals[u]! > 0) assignment[u] = nearest(points, u * skills, best!.centres, clusters, skills).index;
  return { k: clusters, assignment };
}

function distance2(points: Float64Array, offset: number, centres: Float64Array, c: number, skills: number): number {
  let d = 0;
  for (let s = 0; s < skills; s++) {
    const x = points[offset + s]! - centres[c * skills + s]!;
    d += x * x;
  }
  return d;
}

function nearest(points: Float64Array, offset: number, centres: Float64Array, k: number, skills: number): { index: number; d2: number } {
  let index = 0;
  let d2 = Infinity;
  for (let c = 0; c < k; c++) {
    const d = distance2(points, offset, centres, c, skills);
    if (d < d2) {
      d2 = d;
      index = c;
    }
  }
  return { index, d2 };
}

/** k-means++: each next centre drawn with probability proportional to its squared distance. */
function seedCentres(points: Float64Array, skills: number, members: number[], k: number, random: () => number): Float64Array {
  const centres = new Float64Array(k * skills);
  const copy = (c: number, u: number) => centres.set(points.subarray(u * skills, (u + 1) * skills), c * skills);
  copy(0, members[Math.floor(random() * members.length)]!);
  const d2 = members.map((u) => distance2(points, u * skills, centres, 0, skills));
  for (let c = 1; c < k; c++) {
    const total = d2.reduce((a, b) => a + b, 0);
    let target = random() * total;
    let pick = members.length - 1;
    for (let m = 0; m < members.length; m++) {
      target -= d2[m]!;
      if (target <= 0) {
        pick = m;
        break;
      }
    }
    copy(c, members[pick]!);
    members.forEach((u, m) => {
      d2[m] = Math.min(d2[m]!, distance2(points, u * skills, centres, c, skills));
    });
  }
  return centres;
}

/** Lloyd iterations in place; returns the final inertia (sum of squared distances). */
function lloyd(points: Float64Array, skills: number, members: number[], centres: Float64Array, k: number): number {
  const label = new Int32Array(members.length).fill(-1);
  let inertia = 0;
  for (let iteration = 0; iteration < ITERATIONS; iteration++) {
    let moved = false;
    inertia = 0;
    members.forEach((u, m) => {
      const { index, d2 } = nearest(points, u * skills, centres, k, skills);
      inertia += d2;
      if (label[m] !== index) {
        label[m] = index;
        moved = true;
      }
    });
    if (!moved) break;
    const sums = new Float64Array(k * skills);
    const sizes = new Float64Array(k);
    members.forEach((u, m) => {
      const c = label[m]!;
      sizes[c]!++;
      for (let s = 0; s < skills; s++) sums[c * skills + s]! += points[u * skills + s]!;
    });
    // An emptied centre stays where it was (rare; k-means++ seeds on distinct points).
    for (let c = 0; c < k; c++) if (sizes[c]! > 0) for (let s = 0; s < skills; s++) centres[c * skills + s] = sums[c * skills + s]! / sizes[c]!;
  }
  return inertia;
}
