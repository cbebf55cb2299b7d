import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { allInvocations, BIN, runBin, runMain, tempDir } from './helpers.js';

const sh = promisify(execFile);
const SEED = ['--invocations', '3000', '--users', '30', '--skills', '12', '--days', '3', '--seed', '7', '--start', '2026-02-01T00:00:00Z'];

describe('skills seed', () => {
  const dir = tempDir();

  it('gives identical stores for identical options (byte-identical exports)', async () => {
    const [a, b] = [join(dir, 'seed-a.db'), join(dir, 'seed-b.db')];
    const first = await runBin(['seed', '--db', a, ...SEED]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(
      /^Seeded 3,000 invocations \(3,000 new, 0 already stored\) from 2026-02-01T00:00:00Z to 2026-02-04T00:00:00Z in [\d.]+ s \([\d,]+ invocations\/s\)\./,
    );
    await runMain(['seed', '--db', b, ...SEED]);
    const exportA = await runBin(['export', '--db', a]);
    const exportB = await runBin(['export', '--db', b]);
    expect(exportA.stdout.split('\n')).toHaveLength(3001);
    expect(exportA.stdout).toBe(exportB.stdout);
  });

  it('writes nothing new when the same workload is seeded again', async () => {
    const again = await runMain(['seed', '--db', join(dir, 'seed-a.db'), ...SEED, '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ invocations: 3000, inserted: 0, duplicates: 3000 });
  });

  it('names a bad option the way it was typed', async () => {
    const result = await runMain(['seed', '--db', join(dir, 'seed-c.db'), '--skills', '9000']);
    expect(result).toEqual({ code: 1, stdout: '', stderr: 'skills: --skills: expected an integer from 1 to 5000 (got "9000")\n' });
  });
});

describe('skills export | skills import -', () => {
  const dir = tempDir();

  it('round-trips every column exactly, embeddings and ids included', async () => {
    const [source, copy] = [join(dir, 'source.db'), join(dir, 'copy.db')];
    await runMain(['seed', '--db', source, ...SEED.slice(0, 4), '--days', '1', '--seed', '3']);
    await runMain([
      'record',
      '--db',
      source,
      '--id',
      'rich',
      '--skill',
      'custom-review',
      '--session',
      'sx',
      '--user',
      'u"1',
      '--invoked-at',
      '2026-01-01T00:00:00.123Z',
      '--completed',
      '--duration',
      '0.1',
      '--query',
      'review ünïcode\nand "quotes"',
      '--workflow-path',
      'ci',
      '--phase',
      'verification',
      '--step-id',
      'review/2',
      '--error-type',
      'none',
      '--follow-up',
      'a',
      '--follow-up',
      'b',
      '--alternative',
      'lint',
      '--selection-rank',
      '2',
      '--created-at',
      '1767225600999',
      '--embedding',
      '0.1,-2.5,3e-8',
    ]);

    await sh('sh', [
      '-c',
      `"${process.execPath}" "${BIN}" export --db "${source}" | "${process.execPath}" "${BIN}" import - --db "${copy}"`,
    ]);
    const [original, imported] = [await allInvocations(source), await allInvocations(copy)];
    expect(imported).toHaveLength(3001);
    expect(imported).toEqual(original);
    expect(imported.find((i) => i.id === 'rich')).toMatchObject({
      embedding: [Math.fround(0.1), -2.5, Math.fround(3e-8)],
      created_at: 1767225600999,
    });
    expect((await runBin(['verify', '--db', copy])).stdout).toBe('consistent\n');
  });

  it('filters by skill and time and writes to --output', async () => {
    const source = join(dir, 'source.db');
    const out = join(dir, 'rich.jsonl');
    const result = await runBin([
      'export',
      '--db',
      source,
      '--skill',
      'custom-review',
      '--since',
      '2026-01-01',
      '--until',
      '2026-01-02',
      '--output',
      out,
    ]);
    expect(result).toEqual({ code: 0, stdout: '', stderr: `Exported 1 invocations to ${out}\n` });
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({
      id: 'rich',
      follow_up_actions: ['a', 'b'],
      alternatives_considered: ['lint'],
    });
  });
});
