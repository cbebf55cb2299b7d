import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBin, runMain, tempDir } from './helpers.js';

const NOW = Date.UTC(2026, 0, 8, 12);
const AT = '2026-01-08T14:00:00Z';

describe('skills predict', () => {
  const dir = tempDir();
  const db = join(dir, 'predict.db');

  it('trains on a seeded store, saves model v1 and prints the evaluation report', async () => {
    const seeded = await runMain([
      'seed',
      '--db',
      db,
      '--invocations',
      '3000',
      '--users',
      '20',
      '--skills',
      '8',
      '--days',
      '7',
      '--seed',
      '3',
    ]);
    expect(seeded.code).toBe(0);
    const result = await runMain(['predict', 'train', '--db', db, '--since', '30d'], { now: NOW });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^Trained model v1 on 3,000 invocations in [\d.]+ s\.$/);
    expect(lines[1]).toMatch(
      /^Held-out test: the most recent 600 invocations \(2026-01-0\dT[\d:]+Z to 2026-01-0\dT[\d:]+Z\), [\d.]+% completed; fitted on 1,920, calibrated on 480\.$/,
    );
    expect(result.stdout).toMatch(/│ ROC AUC \(higher is better\) +│ +0\.\d{3} │ +0\.\d{3} │ +[+-]0\.\d{3} │/);
    expect(result.stdout).toMatch(/│ Brier \(lower is better\) +│ +0\.\d{4} │ +0\.\d{4} │ +[+-]0\.\d{4} │/);
    expect(result.stdout).toMatch(/│ log loss \(lower is better\) +│ +0\.\d{4} │ +0\.\d{4} │ +[+-]0\.\d{4} │/);
    expect(result.stdout).toMatch(/│ ECE, 10 bins \(lower is better\) │ +0\.\d{4} │ +0\.\d{4} │ +[+-]0\.\d{4} │/);
    expect(result.stdout).toMatch(
      /As deployed: tallies frozen at the start of the test slice\. With tallies updated after every test row: model AUC 0\.\d{3}, baseline 0\.\d{3}\./,
    );
    expect(result.stdout).toContain("Baseline: the skill's historical completion rate.");
    // 10 calibration bins, 0–10% … 90–100%.
    const bins = lines.filter((line) => /^│ \d+–\d+% /.test(line));
    expect(bins.map((line) => line.split('│')[1]?.trim())).toEqual(Array.from({ length: 10 }, (_, b) => `${b * 10}–${b * 10 + 10}%`));
  }, 60_000);

  it('evaluate prints the latest saved model’s report; --json has the exact shape', async () => {
    const text = await runMain(['predict', 'evaluate', '--db', db]);
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n')[0]).toBe('Model v1, trained 2026-01-08T12:00:00Z on 3,000 invocations (feature version 3).');
    const json = await runMain(['predict', 'evaluate', '--db', db, '--json']);
    const report = JSON.parse(json.stdout);
    expect(Object.keys(report)).toEqual(['version', 'featureVersion', 'trainedAt', 'trainingRows', 'features', 'metrics']);
    expect(report).toMatchObject({ version: 1, featureVersion: 3, trainedAt: NOW, trainingRows: 3000 });
    expect(report.features).toContain('skill_rate');
    expect(Object.keys(report.metrics)).toEqual([
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
    expect(report.metrics.rows).toEqual({ total: 3000, fit: 1920, calibration: 480, test: 600 });
    expect(Object.keys(report.metrics.model)).toEqual(['auc', 'brier', 'logLoss', 'ece', 'calibration']);
    expect(Object.keys(report.metrics.running)).toEqual(['model', 'baseline']);
    expect(report.metrics.model.calibration).toHaveLength(10);
    expect(report.metrics.baseline.auc).toBeGreaterThan(0.5);
  });

  it('predicts a skill: probability, baseline, top factors and notes (--json)', async () => {
    const args = [
      'predict',
      'pytest-run',
      '--db',
      db,
      '--query',
      'run the auth tests',
      '--phase',
      'execution',
      '--user',
      'user-001',
      '--at',
      AT,
    ];
    const json = await runMain([...args, '--json']);
    expect(json.code).toBe(0);
    const prediction = JSON.parse(json.stdout);
    expect(Object.keys(prediction)).toEqual(['skill', 'model', 'probability', 'baseline', 'factors', 'notes']);
    expect(prediction).toMatchObject({ skill: 'pytest-run', model: 1, notes: [] });
    expect(prediction.probability).toBeGreaterThan(0);
    expect(prediction.probability).toBeLessThan(1);
    expect(prediction.baseline).toBeGreaterThan(0);
    expect(prediction.factors.length).toBeLessThanOrEqual(3);
    expect(prediction.factors.length).toBeGreaterThan(0);
    for (const factor of prediction.factors) {
      expect(Object.keys(factor)).toEqual(['factor', 'value', 'effect']);
      // Only inputs a person can change, never a count that only grows (skill_history).
      expect(['phase', 'time', 'user', 'query']).toContain(factor.factor);
    }

    const text = await runMain(args);
    expect(text.stdout).toMatch(/│ factor +│ as given +│ effect \(points\) │/);
    const time = prediction.factors.find((f: { factor: string }) => f.factor === 'time');
    if (time) expect(time.value).toBe('Thu 14:00 UTC');
    expect(text.stdout.split('\n')[0]).toBe(
      `pytest-run: ${(prediction.probability * 100).toFixed(1)}% chance of completing (baseline, the skill's historical rate: ${(prediction.baseline * 100).toFixed(1)}%; model v1).`,
    );
  });

  it('says when it used the global prior for an unknown skill or user', async () => {
    const result = await runBin(['predict', 'no-such-skill', '--db', db, '--user', 'stranger', '--phase', 'setup', '--at', AT]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('note: unknown skill: no-such-skill, used the global prior\n');
    expect(result.stdout).toContain('note: unknown user: stranger, used the global prior\n');
  });

  it('refuses too little data with the minimum, and a prediction without a model, exit 1', async () => {
    const small = join(dir, 'small.db');
    await runMain(['seed', '--db', small, '--invocations', '50', '--users', '3', '--skills', '2', '--days', '1', '--seed', '1']);
    expect(await runMain(['predict', 'train', '--db', small])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'skills: too little data to train: 50 invocations, need at least 200 (with both completed and failed ones)\n',
    });
    expect(await runMain(['predict', 'pytest-run', '--db', small])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'skills: predictor model not found: latest (none trained yet: run skills predict train)\n',
    });
  });

  it('a missing SKILL is a usage error (exit 2); a bad --at names the option', async () => {
    expect(await runMain(['predict', '--db', db])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'skills: missing SKILL (or a subcommand: train, evaluate); see skills predict --help\n',
    });
    const bad = await runMain(['predict', 'pytest-run', '--db', db, '--at', 'yesterday']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^skills: --at: expected a duration before now/);
  });
});
