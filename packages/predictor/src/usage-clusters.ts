import { seededRandom } from '@skills/stats';

/**
 * Groups users by which skills they invoke (never by outcomes): k-means on the square roots of
 * each user's skill shares (Euclidean distance there is the Hellinger distance between usage
 * mixes), k-means++ seeding, the best of a few seeded restarts. Users with too few invocations to
 * say much about their habits do not move the centres but are still assigned to the nearest one.
 * Usage is kept sparse (a user invokes a few of many skills), so memory is users × their skills,
 * not users × all skills.
 */
export interface UsageClusters {
  k: number;
  /** cluster of each user index; −1 for a user with no invocations. */
  assignment: Int32Array;
}

/** Per user, the skills used and how often (CSR: user u's entries are [offsets[u], offsets[u + 1])). */
export interface UsageCounts {
  users: number;
  skills: number;
  offsets: Int32Array;
  skill: Int32Array;
  count: Float64Array;
}

/** Invocation counts per user and skill over rows [start, end); user −1 rows are skipped. */
export function countUsage(
  rows: { user: ArrayLike<number>; skill: ArrayLike<number> },
  users: number,
  skills: number,
  start: number,
  end: number,
): UsageCounts {
  const perUser = Array.from({ length: users }, () => new Map<number, number>());
  for (let i = start; i < end; i++) {
    const u = rows.user[i]!;
    if (u < 0) continue;
    const map = perUser[u]!;
    const s = rows.skill[i]!;
    map.set(s, (map.get(s) ?? 0) + 1);
  }
  const offsets = new Int32Array(users + 1);
  perUser.forEach((map, u) => {
    offsets[u + 1] = offsets[u]! + map.size;
  });
  const skill = new Int32Array(offsets[users]!);
  const count = new Float64Array(offsets[users]!);
  perUser.forEach((map, u) => {
    let k = offsets[u]!;
    for (const [s, c] of [...map].sort((a, b) => a[0] - b[0])) {
      skill[k] = s;
      count[k++] = c;
    }
  });
  return { users, skills, offsets, skill, count };
}

const MIN_INVOCATIONS_TO_SHAPE = 5;
const ITERATIONS = 30;
const RESTARTS = 3;

/** A user's point: sqrt of skill shares, sparse; its squared norm is 1. */
interface Points {
  offsets: Int32Array;
  skill: Int32Array;
  value: Float64Array;
}

/** @example clusterUsers(countUsage(rows, users, skills, 0, n), 4, 42).assignment */
export function clusterUsers(usage: UsageCounts, k: number, seed: number): UsageClusters {
  const { users, skills, offsets } = usage;
  const value = new Float64Array(usage.count.length);
  const totals = new Float64Array(users);
  for (let u = 0; u < users; u++) {
    let total = 0;
    for (let e = offsets[u]!; e < offsets[u + 1]!; e++) total += usage.count[e]!;
    totals[u] = total;
    for (let e = offsets[u]!; e < offsets[u + 1]!; e++) value[e] = Math.sqrt(usage.count[e]! / total);
  }
  const points: Points = { offsets, skill: usage.skill, value };
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
  const norms = centreNorms(best!.centres, clusters, skills);
  for (let u = 0; u < users; u++) if (totals[u]! > 0) assignment[u] = nearest(points, u, best!.centres, norms, clusters, skills).index;
  return { k: clusters, assignment };
}

function centreNorms(centres: Float64Array, k: number, skills: number): Float64Array {
  const norms = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    let n = 0;
    for (let s = 0; s < skills; s++) n += centres[c * skills + s]! ** 2;
    norms[c] = n;
  }
  return norms;
}

/** ‖x − c‖² = ‖x‖² − 2 x·c + ‖c‖², with ‖x‖² = 1 for every user with invocations. */
function distance2(points: Points, u: number, centres: Float64Array, norm: number, c: number, skills: number): number {
  let dot = 0;
  for (let e = points.offsets[u]!; e < points.offsets[u + 1]!; e++) dot += points.value[e]! * centres[c * skills + points.skill[e]!]!;
  return Math.max(0, 1 - 2 * dot + norm);
}

function nearest(
  points: Points,
  u: number,
  centres: Float64Array,
  norms: Float64Array,
  k: number,
  skills: number,
): { index: number; d2: number } {
  let index = 0;
  let d2 = Infinity;
  for (let c = 0; c < k; c++) {
    const d = distance2(points, u, centres, norms[c]!, c, skills);
    if (d < d2) {
      d2 = d;
      index = c;
    }
  }
  return { index, d2 };
}

function place(points: Points, u: number, centres: Float64Array, c: number, skills: number): void {
  centres.fill(0, c * skills, (c + 1) * skills);
  for (let e = points.offsets[u]!; e < points.offsets[u + 1]!; e++) centres[c * skills + points.skill[e]!] = points.value[e]!;
}

/** k-means++: each next centre drawn with probability proportional to its squared distance. */
function seedCentres(points: Points, skills: number, members: number[], k: number, random: () => number): Float64Array {
  const centres = new Float64Array(k * skills);
  place(points, members[Math.floor(random() * members.length)]!, centres, 0, skills);
  const d2 = members.map((u) => distance2(points, u, centres, 1, 0, skills));
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
    place(points, members[pick]!, centres, c, skills);
    members.forEach((u, m) => {
      d2[m] = Math.min(d2[m]!, distance2(points, u, centres, 1, c, skills));
    });
  }
  return centres;
}

/** Lloyd iterations in place; returns the final inertia (sum of squared distances). */
function lloyd(points: Points, skills: number, members: number[], centres: Float64Array, k: number): number {
  const label = new Int32Array(members.length).fill(-1);
  let inertia = 0;
  for (let iteration = 0; iteration < ITERATIONS; iteration++) {
    let moved = false;
    inertia = 0;
    const norms = centreNorms(centres, k, skills);
    members.forEach((u, m) => {
      const { index, d2 } = nearest(points, u, centres, norms, k, skills);
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
      for (let e = points.offsets[u]!; e < points.offsets[u + 1]!; e++) sums[c * skills + points.skill[e]!]! += points.value[e]!;
    });
    // An emptied centre stays where it was (rare; k-means++ seeds on distinct points).
    for (let c = 0; c < k; c++)
      if (sizes[c]! > 0) for (let s = 0; s < skills; s++) centres[c * skills + s] = sums[c * skills + s]! / sizes[c]!;
  }
  return inertia;
}
