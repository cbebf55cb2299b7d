import { describe, expect, it } from 'vitest';
import { acceptPlainInvocation, parseWithSchema } from '../src/invocation.js';
import { seededRandom } from './helpers.js';

const NOW = 1_767_225_600_000;

/** Items near the edges of every rule: valid, invalid, and valid-but-unusual. */
function randomItem(random: () => number): Record<string, unknown> {
  const pick = <T>(values: T[]) => values[Math.floor(random() * values.length)]!;
  const item: Record<string, unknown> = {
    skill_name:
      random() < 0.7 ? 'pytest-run' : pick(['  padded  ', '', ' ', 'x'.repeat(200), 'x'.repeat(201), 42, 'a\u0000', 'a\ud800', '😀']),
    session_id: random() < 0.7 ? 's1' : pick([' s2 ', '', 'y'.repeat(201)]),
    invoked_at: random() < 0.7 ? NOW : pick([0, -1, 1.5, 8.64e15, 8.64e15 + 1, '2026-01-01T00:00:00Z', 'nope', NaN]),
  };
  const optional: [string, unknown[]][] = [
    ['id', ['a', 'ULID01', 'bad id', '', 'x'.repeat(129), 7]],
    ['user_id', [null, 'u1', ' u2', '   ', 5]],
    ['workflow_path', [null, 'a.b[0]', 'p'.repeat(201), 3]],
    ['workflow_phase', [null, 'execution', 'q'.repeat(101)]],
    ['workflow_step_id', [null, 'step-1', 's'.repeat(201)]],
    ['completed', [true, false, 0, 1, 2, 'yes', null]],
    ['duration_seconds', [null, 0, 1.25, -0.5, Infinity, '3', 1e9, 1e9 + 1]],
    ['user_query', [null, 'run tests', 'q'.repeat(20_001), 'x\u0000', '\udc00']],
    ['alternatives_considered', [null, [], ['a', 'b'], ['x'.repeat(201)], [1], 'a']],
    ['selection_rank', [null, 1, 0, 2.5, -3, 2 ** 31 - 1, 2 ** 31]],
    ['follow_up_actions', [null, ['commit'], Array(101).fill('a'), [null], ['\u0000']]],
    ['error_type', [null, 'TimeoutError', 'e'.repeat(1001)]],
    ['created_at', [NOW, -5, '2026-01-01']],
    ['embedding', [null, [0.5, 1], new Uint8Array(8)]],
    ['colour', ['red']],
  ];
  for (const [key, values] of optional) if (random() < 0.15) item[key] = pick(values);
  return item;
}

describe('the fast validation path', () => {
  it('accepts only what the zod schema accepts, and builds the same row', () => {
    const random = seededRandom(11);
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) {
      const item = randomItem(random);
      const fast = acceptPlainInvocation(item, NOW);
      if (!fast) continue;
      accepted += 1;
      // Give zod the id the fast path generated, so both rows can be compared whole.
      expect(parseWithSchema({ ...item, id: fast.id }, 0, NOW)).toEqual({ ok: true, row: fast });
    }
    expect(accepted).toBeGreaterThan(1000);
  });

  it('leaves ISO timestamps and embeddings to zod', () => {
    expect(acceptPlainInvocation({ skill_name: 'a', session_id: 's', invoked_at: '2026-01-01T00:00:00Z' }, NOW)).toBeUndefined();
    expect(acceptPlainInvocation({ skill_name: 'a', session_id: 's', invoked_at: 1, embedding: [1] }, NOW)).toBeUndefined();
  });
});
