import { afterAll, describe, expect, it } from 'vitest';
import {
  FeatureVersionError,
  InsufficientDataError,
  loadPredictor,
  NotFoundError,
  predictSuccess,
  savePredictor,
  trainPredictor,
  ValidationError,
} from '../src/index.js';
import { recordWorkload, storeFactories } from './helpers.js';

const SMALL = { trees: 5, rowsPerTree: 300 } as const;

describe.each(storeFactories)('predictor [$name]', (factory) => {
  afterAll(() => factory.cleanup());

  async function trainedStore() {
    const { store } = await factory.create();
    await recordWorkload(store, { invocations: 3000, users: 20, skills: 8, days: 7, seed: 3 });
    return store;
  }

  it('trains, saves as version 1, loads the latest and predicts a probability with factors', async () => {
    const store = await trainedStore();
    try {
      const model = await trainPredictor(store, { ...SMALL, now: 1_000 });
      expect(model.metrics.rows).toEqual({ total: 3000, fit: 1920, calibration: 480, test: 600 });
      const saved = await savePredictor(store, model);
      expect(saved.version).toBe(1);
      const loaded = await loadPredictor(store);
      expect(loaded.version).toBe(1);
      expect(loaded.trainedAt).toBe(1_000);
      const input = { skill: 'pytest-run', phase: 'execution', user: 'user-001', query: 'run tests', at: Date.UTC(2026, 0, 8, 14) };
      const a = predictSuccess(model, input);
      const b = predictSuccess(loaded, input);
      expect(b.probability).toBe(a.probability);
      expect(a.probability).toBeGreaterThan(0);
      expect(a.probability).toBeLessThan(1);
      expect(a.factors.length).toBeLessThanOrEqual(3);
      expect(a.notes).toEqual([]);
      expect(loaded.context).toEqual(model.context);
    } finally {
      await store.close();
    }
  });

  it('explains a prediction by the inputs a person controls, each effect the change when that input is left out', async () => {
    const store = await trainedStore();
    try {
      const model = await trainPredictor(store, SMALL);
      const input = {
        skill: 'pytest-run',
        phase: 'verification',
        user: 'user-002',
        query: 'why do the auth tests fail?',
        at: Date.UTC(2026, 0, 8, 3),
        session: { startedAt: Date.UTC(2026, 0, 8, 2, 50), skillsUsed: 2, previousCompleted: false },
      };
      const p = predictSuccess(model, input);
      expect(p.factors.length).toBe(3);
      for (const factor of p.factors) expect(['phase', 'time', 'user', 'session', 'query']).toContain(factor.factor);
      const without = {
        phase: predictSuccess(model, { ...input, phase: null }).probability,
        user: predictSuccess(model, { ...input, user: null }).probability,
        session: predictSuccess(model, { ...input, session: null }).probability,
        query: predictSuccess(model, { ...input, query: null }).probability,
      };
      const values: Record<string, string> = {
        phase: 'verification',
        time: 'Thu 03:00 UTC',
        session: 'after a failed invocation, 2 skills used, 10 min in',
        query: '27 characters, 6 words',
      };
      for (const factor of p.factors) {
        if (factor.factor !== 'time') expect(factor.effect).toBeCloseTo(p.probability - without[factor.factor], 12);
        if (factor.factor === 'user') expect(factor.value).toMatch(/^user-002( \(usage cluster \d+\))?$/);
        else expect(factor.value).toBe(values[factor.factor]);
      }
      const sizes = p.factors.map((f) => Math.abs(f.effect));
      expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
    } finally {
      await store.close();
    }
  });

  it('reports the test slice as deployed (tallies frozen) and with running tallies, ECE beside AUC', async () => {
    const store = await trainedStore();
    try {
      const { metrics } = await trainPredictor(store, SMALL);
      expect(Object.keys(metrics)).toEqual([
        'rows',
        'testPeriod',
        'testCompletionRate',
        'model',
        'baseline',
        'running',
        'improvement',
        'context',
        'trainingMs',
      ]);
      // The running baseline learns from test rows the frozen one has not seen.
      expect(metrics.running.baseline.auc).not.toBe(metrics.baseline.auc);
      expect(metrics.improvement.ece).toBeCloseTo(metrics.baseline.ece - metrics.model.ece, 15);
      const weighted = metrics.model.calibration.reduce(
        (sum, b) => sum + (b.count > 0 ? b.count * Math.abs(b.meanPredicted! - b.observedRate!) : 0),
        0,
      );
      expect(metrics.model.ece).toBeCloseTo(weighted / metrics.rows.test, 12);
      expect([0, 2, 4]).toContain(metrics.context.clusters); // 20 users: at most 20 / 4 clusters
      expect(metrics.context.penalty).toHaveLength(7);
    } finally {
      await store.close();
    }
  });

  it('an unknown skill or user uses the global prior and says so', async () => {
    const store = await trainedStore();
    try {
      const model = await trainPredictor(store, SMALL);
      const p = predictSuccess(model, { skill: 'no-such-skill', user: 'nobody', at: Date.UTC(2026, 0, 8) });
      expect(p.notes).toEqual(['unknown skill: no-such-skill, used the global prior', 'unknown user: nobody, used the global prior']);
      expect(p.baseline).toBeCloseTo((model.aggregates.global[1] + 1) / (model.aggregates.global[0] + 2), 12);
    } finally {
      await store.close();
    }
  });

  it('refuses a saved model of another feature version with a message to retrain', async () => {
    const store = await trainedStore();
    try {
      await savePredictor(store, await trainPredictor(store, SMALL));
      await store.db.updateTable('predictor_models').set({ feature_version: 0 }).execute();
      const error = await loadPredictor(store).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FeatureVersionError);
      expect((error as Error).message).toMatch(/feature version 0.*retrain/);
    } finally {
      await store.close();
    }
  });

  it('too little data is an InsufficientDataError naming the minimum; no model is a NotFoundError', async () => {
    const { store } = await factory.create();
    try {
      await recordWorkload(store, { invocations: 50, users: 3, skills: 3, days: 1, seed: 1 });
      const error = await trainPredictor(store).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InsufficientDataError);
      expect((error as InsufficientDataError).minimum).toBe(200);
      expect((error as Error).message).toBe(
        'too little data to train: 50 invocations, need at least 200 (with both completed and failed ones)',
      );
      await expect(loadPredictor(store)).rejects.toBeInstanceOf(NotFoundError);
    } finally {
      await store.close();
    }
  });
});

describe('predictSuccess input', () => {
  it('rejects bad fields with a ValidationError naming them', async () => {
    const { store } = await storeFactories[0]!.create();
    try {
      await recordWorkload(store, { invocations: 1000, users: 10, skills: 5, days: 3, seed: 2 });
      const model = await trainPredictor(store, SMALL);
      expect(() => predictSuccess(model, { skill: '' })).toThrow(ValidationError);
      expect(() => predictSuccess(model, { skill: 'x', at: -5 })).toThrow(/at: expected epoch milliseconds/);
      expect(() => predictSuccess(model, { skill: 'x', session: { skillsUsed: 1.5 } })).toThrow(/session.skillsUsed/);
      await expect(trainPredictor(store, { trees: 0 })).rejects.toThrow(/trees: expected an integer ≥ 1/);
    } finally {
      await store.close();
      await storeFactories[0]!.cleanup();
    }
  });
});
