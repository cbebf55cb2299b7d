import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allInvocations, runMain, T0, tempDir } from './helpers.js';

const line = (id: string, extra: object = {}) =>
  JSON.stringify({ id, skill_name: 'pytest-run', session_id: 's1', invoked_at: T0, completed: true, ...extra });

describe('skills import of bad input', () => {
  const dir = tempDir();
  const file = (name: string, content: string | Buffer) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  it('names the line and field of a lone surrogate, and --skip-invalid skips only that line', async () => {
    const path = file('surrogate.jsonl', [line('a'), line('b', { skill_name: 'a\ud800' }), line('c')].join('\n'));
    expect(line('b', { skill_name: 'a\ud800' })).toContain('"a\\ud800"');
    const db = join(dir, 'surrogate.db');
    expect((await runMain(['init', '--db', db])).code).toBe(0);
    const stopped = await runMain(['import', path, '--db', db]);
    expect(stopped.code).toBe(1);
    expect(stopped.stderr).toContain('skills: line 2: skill_name: must be valid Unicode: an unpaired surrogate U+D800 at character 1\n');
    const skipped = await runMain(['import', path, '--db', db, '--skip-invalid', '--json']);
    expect(skipped.code).toBe(0);
    expect(JSON.parse(skipped.stdout)).toMatchObject({ lines: 3, inserted: 2, rejected: 1 });
    expect((await allInvocations(db)).map((i) => i.id)).toEqual(['a', 'c']);
  });

  it('refuses a line that is not valid UTF-8 instead of replacing its bytes', async () => {
    const bad = Buffer.concat([Buffer.from(line('x', { user_query: 'caf' }).slice(0, -2)), Buffer.from([0xe9]), Buffer.from('"}')]);
    const path = file('latin1.jsonl', Buffer.concat([Buffer.from(`${line('ok')}\n`), bad, Buffer.from('\n')]));
    const db = join(dir, 'latin1.db');
    expect((await runMain(['init', '--db', db])).code).toBe(0);
    const result = await runMain(['import', path, '--db', db, '--skip-invalid']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('skills: rejected line 2: not valid UTF-8 text (the file must be UTF-8)\n');
    expect((await allInvocations(db)).map((i) => i.id)).toEqual(['ok']);
  });

  it('says how many duplicates differ from the stored row, and which', async () => {
    const db = join(dir, 'dups.db');
    expect((await runMain(['init', '--db', db])).code).toBe(0);
    await runMain(['import', file('first.jsonl', `${line('d1')}\n${line('d2')}\n`), '--db', db]);
    const path = file(
      'second.jsonl',
      [line('d1'), line('d2', { completed: false }), line('d3'), line('d3', { duration_seconds: 2 })].join('\n'),
    );
    const result = await runMain(['import', path, '--db', db]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Read 4 lines: 1 inserted, 3 duplicates \(2 with different content\), 0 rejected in /);
    expect(result.stderr).toBe(
      'skills: 2 lines have the id of a stored invocation (or of an earlier line) but different content, and were not imported: d2, d3. ' +
        'Give each event its own id to keep both.\n',
    );
    const json = await runMain(['import', path, '--db', db, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ inserted: 0, duplicates: 4, differing: 2, differingIds: ['d2', 'd3'] });
  });
});
