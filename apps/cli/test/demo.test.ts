import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { countRows, runBin, runMain, tempDir } from './helpers.js';

describe('skills demo', () => {
  const db = join(tempDir(), 'demo.db');
  const NOW = Date.UTC(2026, 5, 10, 14, 25);

  it('initialises, seeds a workload ending at the current hour and shows the last 24 hours', async () => {
    const result = await runBin(['demo', '--db', db, '--invocations', '3000', '--days', '3']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Standard taxonomy loaded:');
    expect(result.stdout).toMatch(/Seeded 3,000 invocations \(3,000 new, 0 already stored\)/);
    expect(result.stdout).toMatch(/Top skills from .* \(whole hours\):\n┌/);
    expect(result.stdout).toContain(`Next: skills top --db ${db} --since 7d`);
    expect(result.stdout).toMatch(new RegExp(`skills recommend --db ${db.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} user-\\d+`));
    expect(await countRows(db)).toBe(3000);
  });

  it('does not seed a store that already holds data', async () => {
    const result = await runMain(['demo', '--db', db, '--json'], { now: NOW });
    const demo = JSON.parse(result.stdout);
    expect(demo.seeded).toBeNull();
    expect(demo.init.taxonomy).toEqual({ categories: 0, modalities: 0, dependencies: 0, mappings: 0 });
    expect(await countRows(db)).toBe(3000);
  });

  it('seeds the days before the current hour, so nothing lies in the future', async () => {
    const fresh = join(tempDir(), 'demo-clock.db');
    const demo = JSON.parse((await runMain(['demo', '--db', fresh, '--invocations', '500', '--days', '2', '--json'], { now: NOW })).stdout);
    expect([demo.seeded.start, demo.seeded.end]).toEqual([Date.UTC(2026, 5, 8, 14), Date.UTC(2026, 5, 10, 14)]);
    expect(demo.top.reduce((sum: number, skill: { invocations: number }) => sum + skill.invocations, 0)).toBeGreaterThan(0);
  });
});
