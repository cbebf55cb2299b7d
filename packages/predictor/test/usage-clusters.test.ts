import { describe, expect, it } from 'vitest';
import { clusterUsers, countUsage } from '../src/usage-clusters.js';

describe('clusterUsers', () => {
  it('separates two groups of users by the skills they invoke, whatever the volume', () => {
    // Users 0–5 mostly use skills 0–1, users 6–11 skills 2–3; volumes differ tenfold; user 12 has none.
    const rows = { user: [] as number[], skill: [] as number[] };
    for (let u = 0; u < 12; u++) {
      const volume = u % 2 === 0 ? 40 : 4 + u;
      for (let k = 0; k < volume; k++) {
        rows.user.push(u);
        rows.skill.push((u < 6 ? 0 : 2) + (k % 5 === 4 ? 1 : 0) + (k % 11 === 10 ? (u < 6 ? 2 : -2) : 0));
      }
    }
    const { k, assignment } = clusterUsers(countUsage(rows, 13, 4, 0, rows.user.length), 2, 7);
    expect(k).toBe(2);
    const first = assignment[0]!;
    expect(Array.from(assignment)).toEqual([...Array(6).fill(first), ...Array(6).fill(1 - first), -1]);
  });

  it('countUsage keeps only the skills each user used (sparse, by skill), rows [start, end) without user −1', () => {
    const usage = countUsage({ user: [1, 0, 1, -1, 1, 0], skill: [3, 2, 0, 1, 3, 2] }, 3, 5000, 0, 5);
    expect(Array.from(usage.offsets)).toEqual([0, 1, 3, 3]);
    expect(Array.from(usage.skill)).toEqual([2, 0, 3]);
    expect(Array.from(usage.count)).toEqual([1, 1, 2]);
  });

  it('asks for no clusters: none, every user −1', () => {
    const { k, assignment } = clusterUsers(countUsage({ user: [0, 1], skill: [0, 0] }, 2, 1, 0, 2), 0, 1);
    expect(k).toBe(0);
    expect(Array.from(assignment)).toEqual([-1, -1]);
  });
});
