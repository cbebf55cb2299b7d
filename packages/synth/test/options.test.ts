import { describe, expect, it } from 'vitest';
import { generateWorkload, type WorkloadOptions } from '../src/index.js';

const valid: WorkloadOptions = { invocations: 100, users: 5, skills: 5, days: 1, seed: 1 };

function attempt(overrides: Record<string, unknown>): () => unknown {
  return () => generateWorkload({ ...valid, ...overrides } as WorkloadOptions);
}

describe('generateWorkload options', () => {
  it.each([
    [{ invocations: -1 }, 'options.invocations must be an integer ≥ 0 (got -1)'],
    [{ invocations: 1.5 }, 'options.invocations must be an integer ≥ 0 (got 1.5)'],
    [{ users: 0 }, 'options.users must be an integer ≥ 1 (got 0)'],
    [{ users: undefined }, 'options.users must be an integer ≥ 1 (got undefined)'],
    [{ skills: 0 }, 'options.skills must be an integer ≥ 1 (got 0)'],
    [{ skills: 5001 }, 'options.skills must be an integer from 1 to 5000 (got 5001)'],
    [{ days: 0 }, 'options.days must be an integer ≥ 1 (got 0)'],
    [{ days: -3 }, 'options.days must be an integer ≥ 1 (got -3)'],
    [{ seed: 0.5 }, 'options.seed must be a safe integer (got 0.5)'],
    [{ seed: '7' }, 'options.seed must be a safe integer (got "7")'],
    [{ batchSize: 0 }, 'options.batchSize must be an integer ≥ 1 (got 0)'],
    [{ incidents: -2 }, 'options.incidents must be an integer ≥ 0 (got -2)'],
    [{ successModel: 'coin' }, `options.successModel must be 'structured' or 'random' (got "coin")`],
  ])('rejects %o with a RangeError naming the option', (overrides, message) => {
    expect(attempt(overrides)).toThrow(new RangeError(message));
  });

  it('rejects a start before 1970, or a window ending beyond what an id can encode', () => {
    expect(attempt({ start: -1 })).toThrow(new RangeError('options.start must be an integer epoch in milliseconds ≥ 0 (got -1)'));
    expect(attempt({ start: 2 ** 48 - 1 })).toThrow(/^options\.days must end the window before 2\^48 ms/);
  });

  it('rejects an incident on a skill the workload does not have', () => {
    const incidents = [{ skill: 'nope', kind: 'success_drop', start: 0, end: 1 }];
    expect(attempt({ incidents })).toThrow(
      new RangeError(`options.incidents[0].skill must be one of the workload's 5 skill names (got "nope")`),
    );
  });

  it('rejects an incident that ends before it starts, or has an out-of-range magnitude', () => {
    const spec = { skill: 'pytest-run', kind: 'success_drop', start: 10, end: 20 };
    expect(attempt({ incidents: [{ ...spec, end: 10 }] })).toThrow(
      new RangeError('options.incidents[0].end must be an integer epoch in milliseconds after start (got 10)'),
    );
    expect(attempt({ incidents: [spec, { ...spec, magnitude: 1.5 }] })).toThrow(
      new RangeError('options.incidents[1].magnitude must be a number from 0 to 1 for success_drop (got 1.5)'),
    );
    expect(attempt({ incidents: [{ ...spec, kind: 'volume_spike', magnitude: 0.5 }] })).toThrow(
      new RangeError('options.incidents[0].magnitude must be a number ≥ 1 for volume_spike (got 0.5)'),
    );
    expect(attempt({ incidents: [{ ...spec, kind: 'outage' }] })).toThrow(
      new RangeError('options.incidents[0].kind must be one of success_drop, volume_spike, latency_regression (got "outage")'),
    );
  });

  it('rejects a success drop under the random success model', () => {
    const incidents = [{ skill: 'pytest-run', kind: 'success_drop', start: 0, end: 1 }];
    expect(attempt({ incidents, successModel: 'random' })).toThrow(
      /^options\.incidents\[0\]\.kind cannot be success_drop when successModel is 'random'/,
    );
  });

  it('accepts undefined for optional options and fills in the defaults', () => {
    const { truth } = generateWorkload({ ...valid, start: undefined, incidents: undefined, batchSize: undefined });
    expect(truth.start).toBe(Date.UTC(2026, 0, 1));
    expect(truth.end).toBe(Date.UTC(2026, 0, 2));
    expect(truth.successModel).toBe('structured');
  });

  it('yields batches of batchSize, the last one shorter', () => {
    const sizes = [...generateWorkload({ ...valid, invocations: 2500, batchSize: 1000 }).batches()].map((b) => b.length);
    expect(sizes).toEqual([1000, 1000, 500]);
  });

  it('yields nothing for zero invocations', () => {
    expect([...generateWorkload({ ...valid, invocations: 0 }).batches()]).toEqual([]);
  });
});
