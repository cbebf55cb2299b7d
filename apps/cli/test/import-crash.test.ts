import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { BIN, countRows, runBin, T0, tempDir } from './helpers.js';

const TOTAL = 200_000;
/** Every 500th line repeats the one before it: the same text is the same invocation. */
const REPEAT_EVERY = 500;
const DISTINCT = TOTAL - TOTAL / REPEAT_EVERY;
const SKILLS = ['pytest-run', 'ruff-check', 'git-commit', 'code-review', 'docker-build', 'mypy', 'black-format'];

/** ~200,000 id-less lines, written in one go. */
function writeWorkload(path: string): void {
  const lines: string[] = new Array(TOTAL);
  for (let i = 0; i < TOTAL; i++) {
    lines[i] =
      i % REPEAT_EVERY === REPEAT_EVERY - 1
        ? lines[i - 1]!
        : `{"skill_name":"${SKILLS[i % SKILLS.length]}","session_id":"s${i % 4000}","user_id":"u${i % 300}",` +
          `"invoked_at":${T0 + i * 1500},"completed":${i % 5 !== 0},"duration_seconds":${(i % 97) / 8},` +
          `"user_query":"task number ${i}"}`;
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

async function rowsOrZero(db: string): Promise<number> {
  if (!existsSync(db)) return 0;
  try {
    return await countRows(db, { readonly: true });
  } catch {
    return 0; // not migrated yet
  }
}

describe('skills import after kill -9', () => {
  const dir = tempDir();

  it('keeps whole batches only, stays consistent, and a re-run completes without duplicating anything', async () => {
    const file = join(dir, 'big.jsonl');
    const db = join(dir, 'crash.db');
    writeWorkload(file);

    const child = spawn(process.execPath, [BIN, 'import', file, '--db', db, '--batch-size', '1000'], { stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    let before = 0;
    while (before < 1000) {
      await sleep(25);
      before = await rowsOrZero(db);
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const afterKill = await countRows(db);
    expect(afterKill).toBeGreaterThanOrEqual(1000);
    expect(afterKill).toBeLessThan(DISTINCT);
    expect(await runBin(['verify', '--db', db])).toMatchObject({ code: 0, stdout: 'consistent\n' });

    const rerun = await runBin(['import', file, '--db', db, '--batch-size', '1000', '--json']);
    expect(rerun.code).toBe(0);
    const summary = JSON.parse(rerun.stdout);
    expect(summary).toMatchObject({ lines: TOTAL, rejected: 0, inserted: DISTINCT - afterKill });
    expect(summary.duplicates).toBe(TOTAL - summary.inserted);
    expect(await countRows(db)).toBe(DISTINCT);
    expect(await runBin(['verify', '--db', db])).toMatchObject({ code: 0, stdout: 'consistent\n' });
  }, 90_000);
});
