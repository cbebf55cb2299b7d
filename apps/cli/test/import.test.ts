import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importedLineId } from '../src/index.js';
import { allInvocations, countRows, HOUR, jsonl, runBin, runMain, T0, tempDir } from './helpers.js';

const line = (i: number, extra: object = {}) => ({
  skill_name: i % 2 === 0 ? 'pytest-run' : 'ruff-check',
  session_id: `s${i % 3}`,
  invoked_at: T0 + i * HOUR,
  completed: i % 4 !== 0,
  ...extra,
});

describe('skills import', () => {
  const dir = tempDir();
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('imports ISO-8601 and epoch-ms timestamps and skips blank lines', async () => {
    const db = join(dir, 'times.db');
    const path = file(
      'times.jsonl',
      [
        JSON.stringify({
          id: 'a',
          skill_name: 'pytest-run',
          session_id: 's1',
          invoked_at: '2026-01-01T10:00:00Z',
          completed: true,
          duration_seconds: 2,
        }),
        '',
        JSON.stringify({ id: 'b', skill_name: 'pytest-run', session_id: 's1', invoked_at: Date.UTC(2026, 0, 1, 11), completed: false }),
        JSON.stringify({ skill_name: 'git-commit', session_id: 's2', invoked_at: '2026-01-01T12:30:00+01:00', completed: true }),
      ].join('\n'),
    );
    const result = await runBin(['import', path, '--db', db, '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ lines: 3, inserted: 3, duplicates: 0, rejected: 0, stopped: null, issues: [] });
    const stored = await allInvocations(db);
    expect(stored.map((i) => [i.id, i.invoked_at, i.completed])).toEqual([
      ['a', Date.UTC(2026, 0, 1, 10), true],
      ['b', Date.UTC(2026, 0, 1, 11), false],
      [
        importedLineId(
          JSON.stringify({ skill_name: 'git-commit', session_id: 's2', invoked_at: '2026-01-01T12:30:00+01:00', completed: true }),
        ),
        Date.UTC(2026, 0, 1, 11, 30),
        true,
      ],
    ]);
  });

  it('derives the id of an id-less line from its text: imp_ and 26 hex digits', () => {
    expect(importedLineId('{"a":1}')).toMatch(/^imp_[0-9a-f]{26}$/);
    expect(importedLineId('{"a":1}')).toBe(importedLineId('{"a":1}'));
    expect(importedLineId('{"a":1}')).not.toBe(importedLineId('{"a":2}'));
  });

  it('stops at a bad line, naming its line number and field, and writes nothing of its batch', async () => {
    const db = join(dir, 'bad.db');
    await runMain(['init', '--db', db]); // import into a missing store would say it made one
    const lines = Array.from({ length: 12 }, (_, i) => JSON.stringify(line(i)));
    lines[6] = JSON.stringify(line(6, { invoked_at: 'yesterday' }));
    const result = await runBin(['import', file('bad.jsonl', lines.join('\n')), '--db', db, '--batch-size', '5']);
    expect(result.code).toBe(1);
    const errors = result.stderr.trim().split('\n');
    expect(errors[0]).toBe('skills: line 7: invoked_at: expected epoch milliseconds (integer ≥ 0) or ISO-8601 text');
    expect(errors[1]).toMatch(
      /^skills: stopped: nothing from lines 6-10 was written; 5 valid lines before them are stored\. .*run the same import again/,
    );
    expect(result.stdout).toMatch(/^Read 10 lines: 5 inserted, 0 duplicates, 1 rejected in /);
    expect(await countRows(db)).toBe(5);
  });

  it('reports a line that is not JSON with its number, and lists every problem of the batch', async () => {
    const db = join(dir, 'notjson.db');
    await runMain(['init', '--db', db]); // import into a missing store would say it made one
    const text = [JSON.stringify(line(0)), '{"skill_name": "x", oops', JSON.stringify(line(2, { completed: 'yes' }))].join('\n');
    const result = await runMain(['import', '-', '--db', db, '--json'], { input: text });
    expect(result.code).toBe(1);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ lines: 3, inserted: 0, rejected: 2, stopped: { firstLine: 1, lastLine: 3 } });
    expect(summary.issues.map((i: { line: number; field: string }) => [i.line, i.field])).toEqual([
      [2, ''],
      [3, 'completed'],
    ]);
    expect(result.stderr).toMatch(/^skills: line 2: not valid JSON \(/);
    expect(result.stderr).toContain('skills: line 3: completed: expected a boolean\n');
    expect(await countRows(db)).toBe(0);
  });

  it('with --skip-invalid imports the valid lines and lists the rejected ones', async () => {
    const db = join(dir, 'skip.db');
    await runMain(['init', '--db', db]); // import into a missing store would say it made one
    const lines = Array.from({ length: 8 }, (_, i) => JSON.stringify(line(i)));
    lines[2] = JSON.stringify(line(2, { session_id: '' }));
    lines[5] = '[1, 2]';
    const result = await runBin(['import', file('skip.jsonl', lines.join('\n')), '--db', db, '--skip-invalid', '--batch-size', '3']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Read 8 lines: 6 inserted, 0 duplicates, 2 rejected in /);
    expect(result.stderr).toBe(
      'skills: rejected line 3: session_id: must not be empty\n' +
        'skills: rejected line 6: expected a JSON object (one invocation per line)\n' +
        'skills: 2 lines rejected\n',
    );
    expect(await countRows(db)).toBe(6);
  });

  it('re-importing the same file inserts nothing and counts every line as a duplicate', async () => {
    const db = join(dir, 'again.db');
    const path = file('again.jsonl', jsonl(Array.from({ length: 25 }, (_, i) => line(i))));
    const first = JSON.parse((await runMain(['import', path, '--db', db, '--json', '--batch-size', '10'])).stdout);
    expect(first).toMatchObject({ lines: 25, inserted: 25, duplicates: 0 });
    const second = JSON.parse((await runMain(['import', path, '--db', db, '--json'])).stdout);
    expect(second).toMatchObject({ lines: 25, inserted: 0, duplicates: 25, rejected: 0 });
    expect(await countRows(db)).toBe(25);
    expect((await runBin(['verify', '--db', db])).stdout).toBe('consistent\n');
  });

  it('names a missing file in one line', async () => {
    const result = await runMain(['import', join(dir, 'missing.jsonl'), '--db', join(dir, 'x.db')]);
    expect(result).toEqual({ code: 1, stdout: '', stderr: `skills: ${join(dir, 'missing.jsonl')}: no such file or directory\n` });
  });
});
