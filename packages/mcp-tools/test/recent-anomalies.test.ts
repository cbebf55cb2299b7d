import { recordInvocations, type Store } from '@skills/storage';
import { detectAndRecordAnomalies } from '@skills/timeseries';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recentAnomalies } from '../src/queries/recent-anomalies.js';
import { HOUR, NOW, SECRET, seed, storeFactories, UNTIL } from './helpers.js';

afterAll(async () => {
  for (const factory of storeFactories) await factory.cleanup();
});

const OPTIONS = { now: NOW, hours: 48, threshold: 1, metrics: ['completion_rate', 'invocation_count', 'avg_duration_seconds'] as const };
const summary = (found: { skill: string; metric: string; score: number; bucket: number }[]) =>
  found.map((a) => [a.skill, a.metric, a.score, a.bucket]).sort();

/** What the z-score detector finds over the same hours, computed afresh. */
async function truth(store: Store) {
  const { detected } = await detectAndRecordAnomalies(store, {
    dryRun: true,
    method: 'zscore',
    threshold: 1,
    now: NOW,
    since: NOW - 48 * HOUR,
    baselineDays: 1,
  });
  return summary(detected);
}

describe.each(storeFactories)('recentAnomalies keeps its replay while the hours it read are unchanged [$name]', (factory) => {
  let store: Store;
  let other: Store;
  beforeAll(async () => {
    const created = await factory.create({ userPseudonymSecret: SECRET });
    store = created.store;
    // Another handle on the same database: another process, whose batches this one does not hear.
    other = await created.reopen({ userPseudonymSecret: SECRET });
    await seed(store);
  });
  afterAll(async () => {
    await other.close();
    await store.close();
  });

  it('answers as the detector does, and again after invocations of the current hour', async () => {
    const first = summary(await recentAnomalies(store, OPTIONS));
    expect(first).toEqual(await truth(store));
    expect(first.length).toBeGreaterThan(0);
    await recordInvocations(
      other,
      [{ id: 'now-1', skill_name: 'lint', session_id: 'now', user_id: 'user-9', invoked_at: UNTIL + 25 * 60_000, completed: false }],
      { now: NOW },
    );
    expect(summary(await recentAnomalies(store, OPTIONS))).toEqual(first);
  });

  it('replays again when another process records late invocations into a judged hour', async () => {
    const before = summary(await recentAnomalies(store, OPTIONS));
    const late = Array.from({ length: 12 }, (_, i) => ({
      id: `late-${i}`,
      skill_name: 'lint',
      session_id: 'late',
      user_id: 'user-9',
      invoked_at: UNTIL - 3 * HOUR + i * 60_000,
      completed: false,
    }));
    await recordInvocations(other, late, { now: NOW });
    const after = summary(await recentAnomalies(store, OPTIONS));
    expect(after).not.toEqual(before);
    expect(after).toEqual(await truth(store));
    expect(
      after.some(([skill, metric, , bucket]) => skill === 'lint' && metric === 'invocation_count' && bucket === UNTIL - 3 * HOUR),
    ).toBe(true);
  });

  it('gives each caller its own copies', async () => {
    const one = await recentAnomalies(store, OPTIONS);
    one[0]!.score = 1e9;
    expect(summary(await recentAnomalies(store, OPTIONS))).toEqual(await truth(store));
  });
});
