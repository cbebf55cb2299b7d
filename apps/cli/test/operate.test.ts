import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { openStore, readKeyFile, recordInvocations } from '@skills/storage';
import { describe, expect, it } from 'vitest';
import { main } from '../src/index.js';
// The original's V1-V4 schema as fixture SQL (source: original-system.md §1), shared with storage's tests.
import { buildLegacyDatabase } from '../../../packages/storage/test/legacy-fixtures.js';
import { countRows, jsonl, runBin, runMain, tempDir } from './helpers.js';

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 1, 15, 30);

describe('skills import-legacy', () => {
  const dir = tempDir();

  it('imports a V4 database read-only, reports per table, verifies, and imports nothing twice', async () => {
    const legacy = join(dir, 'skills-v4.db');
    buildLegacyDatabase(legacy, 4);
    const before = sha256(legacy);
    const db = join(dir, 'imported.db');
    const first = await runBin(['import-legacy', legacy, '--db', db, '--json']);
    expect(first.code).toBe(0);
    const report = JSON.parse(first.stdout);
    expect(report.version).toBe(4);
    expect(report.tables.map((t: { table: string; imported: number }) => [t.table, t.imported])).toEqual([
      ['skill_invocation', 4],
      ['skill_user_interactions', 1],
      ['skill_categories', 2],
      ['skill_category_mapping', 1],
      ['skill_modalities', 1],
      ['skill_dependencies', 1],
      ['ab_test_configs', 1],
      ['ab_test_assignments', 2],
      ['ab_test_outcomes', 2],
    ]);
    expect(sha256(legacy)).toBe(before);
    expect((await runBin(['verify', '--db', db])).stdout).toBe('consistent\n');

    const again = await runBin(['import-legacy', legacy, '--db', db]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^Read .*skills-v4\.db: session-buddy schema V4, ids sb_[0-9a-f]{12}_…\n/);
    expect(again.stdout).toContain('skipped 1 of skill_invocation: invoked_at: not an ISO-8601 timestamp\n');
    expect(again.stdout).toContain('skipped 1 of skill_invocation: session_id: must not be empty\n');
    expect(again.stdout).toContain('skipped 1 of ab_test_outcomes: its user has no assignment in the test\n');
    expect(again.stdout).toContain('7 timestamps had no offset and were read as UTC (the original wrote UTC).\n');
    expect(again.stdout).toContain('  skill_metrics (3 rows): rebuilt from the invocations');
    expect(await countRows(db)).toBe(5);
    expect(sha256(legacy)).toBe(before);
  });

  it('shows a progress bar on a terminal', async () => {
    const legacy = join(dir, 'skills-v2.db');
    buildLegacyDatabase(legacy, 2);
    let stderr = '';
    // A terminal-like stream: cli-progress draws only on a TTY.
    const sink = (append: (text: string) => void) =>
      Object.assign(
        new Writable({
          write(chunk, _e, callback) {
            append(String(chunk));
            callback();
          },
        }),
        {
          isTTY: true,
          columns: 120,
          cursorTo: () => true,
          clearLine: () => true,
          moveCursor: () => true,
        },
      );
    const code = await main(['node', 'skills', 'import-legacy', legacy, '--db', join(dir, 'tty.db')], {
      stdout: sink(() => {}),
      stderr: sink((t) => (stderr += t)),
      stdin: Readable.from([]),
      env: {},
      isTTY: true,
    });
    expect(code).toBe(0);
    expect(stderr).toMatch(/importing \[[█░]+\] 100% \| 6 \/ 6/);
  });

  it('refuses a file that is not an original database with one line, and makes no store', async () => {
    const notDb = join(dir, 'events.jsonl');
    writeFileSync(notDb, '{"skill_name":"x"}\n');
    const db = join(dir, 'never.db');
    const result = await runBin(['import-legacy', notDb, '--db', db]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `skills: ${notDb}: not a SQLite database (found first bytes "{\\"skill_name\\":\\"x"): nothing was written\n`,
    );
    expect(existsSync(db)).toBe(false);
  });
});

describe('skills prune', () => {
  const dir = tempDir();
  const seed = async (db: string) => {
    const lines = Array.from({ length: 10 * 24 }, (_, i) => ({
      id: `r${i}`,
      skill_name: `skill-${i % 3}`,
      session_id: `s${Math.floor(i / 10)}`,
      invoked_at: NOW - 10 * DAY + i * 3_600_000,
      completed: i % 4 !== 0,
      duration_seconds: i % 5,
    }));
    expect((await runMain(['import', '-', '--db', db], { input: jsonl(lines), now: NOW })).code).toBe(0);
  };

  it('deletes raw invocations before the cut, keeps the rollups, and verify still passes', async () => {
    const db = join(dir, 'p.db');
    await seed(db);
    const dry = await runMain(['prune', '--raw-older-than', '3d', '--dry-run', '--db', db], { now: NOW });
    expect(dry.stdout).toBe('Would delete 153 raw invocations before 2026-05-29T00:00:00.000Z (nothing deleted: --dry-run).\n');
    expect(await countRows(db)).toBe(240);
    const top = (await runMain(['top', '--since', '11d', '--json', '--db', db], { now: NOW })).stdout;
    const result = await runMain(['prune', '--raw-older-than', '3d', '--db', db, '--json'], { now: NOW });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      cut: Date.UTC(2026, 4, 29),
      cutIso: '2026-05-29T00:00:00.000Z',
      deleted: 153,
      dryRun: false,
    });
    expect(await countRows(db)).toBe(87);
    expect((await runMain(['top', '--since', '11d', '--json', '--db', db], { now: NOW })).stdout).toBe(top);
    expect((await runMain(['verify', '--db', db])).stdout).toBe('consistent\n');
    // A rebuild would lose the pruned history the rollups hold: refused, naming the flag.
    const refused = await runMain(['rebuild', '--db', db], { now: NOW });
    expect(refused).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'skills: --discard-pruned-rollups: raw invocations before 2026-05-29T00:00:00.000Z were pruned and only the rollups hold them: a rebuild would lose that history (pass --discard-pruned-rollups to rebuild anyway)\n',
    });
    expect((await runMain(['top', '--since', '11d', '--json', '--db', db], { now: NOW })).stdout).toBe(top);
    const rebuilt = await runMain(['rebuild', '--discard-pruned-rollups', '--json', '--db', db], { now: NOW });
    expect(rebuilt.code).toBe(0);
    expect(JSON.parse(rebuilt.stdout).invocations).toBe(87);
  });

  it('refuses a period without a unit, a zero period, and a missing option', async () => {
    const db = join(dir, 'refuse.db');
    await seed(db);
    expect(await runMain(['prune', '--raw-older-than', '90', '--db', db])).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'skills: --raw-older-than: a unit is required: expected a whole number and a unit: h, d or w (e.g. 90d, 12w, 48h) (got "90")\n',
    });
    expect((await runMain(['prune', '--raw-older-than', '0d', '--db', db])).stderr).toBe(
      'skills: --raw-older-than: must be more than 0 (got "0d")\n',
    );
    expect((await runMain(['prune', '--db', db])).code).toBe(2);
    expect(await countRows(db)).toBe(240);
  });
});

describe('skills backup: restore drill', () => {
  const dir = tempDir();

  it('backs up while another process writes; the restored store verifies and its counts agree', async () => {
    const db = join(dir, 'live.db');
    expect((await runMain(['init', '--db', db])).code).toBe(0);
    const secret = readKeyFile(`${db}.secret`)!.secret;
    const store = await openStore(db, { userPseudonymSecret: secret });
    let writing = true;
    let batches = 0;
    const batch = (b: number) =>
      Array.from({ length: 200 }, (_, i) => ({
        id: `w${b}-${i}`,
        skill_name: `skill-${i % 4}`,
        session_id: `s${b}`,
        user_id: `u${i % 3}`,
        invoked_at: NOW - DAY + b * 200 + i,
        completed: i % 3 !== 0,
        duration_seconds: i % 7,
      }));
    try {
      for (; batches < 10; batches += 1) await recordInvocations(store, batch(batches));
      const writer = (async () => {
        while (writing) {
          await recordInvocations(store, batch(batches));
          batches += 1;
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
      })();
      const backup = join(dir, 'backup.db');
      const result = await runBin(['backup', backup, '--db', db]);
      const during = batches;
      writing = false;
      await writer;
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(
        new RegExp(`^Backed up ${db} to ${backup} \\(.+\\) in \\d+\\.\\d\\d s\\.\\nCopied its key file to ${backup}\\.secret`),
      );
      expect(during).toBeGreaterThan(10); // the writer recorded batches while the backup ran

      // Restore: copy the backup and its key file over a store path, then verify.
      const restored = join(dir, 'restored.db');
      copyFileSync(backup, restored);
      copyFileSync(`${backup}.secret`, `${restored}.secret`);
      expect(await runBin(['verify', '--db', restored])).toMatchObject({ code: 0, stdout: 'consistent\n' });
      const rows = await countRows(restored);
      expect(rows % 200).toBe(0);
      expect(rows).toBeGreaterThanOrEqual(10 * 200);
      const copy = await openStore(restored, { migrate: false });
      const totals = await copy.db
        .selectFrom('skill_metrics')
        .select((eb) => eb.fn.sum<number>('total_invocations').as('n'))
        .executeTakeFirstOrThrow();
      await copy.close();
      expect(Number(totals.n)).toBe(rows);

      const refused = await runBin(['backup', backup, '--db', db]);
      expect(refused).toEqual({
        code: 1,
        stdout: '',
        stderr: `skills: ${backup} exists: refusing to overwrite it (use --force to replace it)\n`,
      });
      expect((await runBin(['backup', backup, '--force', '--db', db])).code).toBe(0);
      expect(await countRows(backup)).toBe(batches * 200);
    } finally {
      writing = false;
      await store.close();
    }
  });

  it('on PostgreSQL points at pg_dump', async () => {
    const result = await runMain(['backup', join(dir, 'x.dump'), '--db', 'postgres://app:pw@db.example/skills']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `skills: postgres://app:***@db.example/skills is PostgreSQL: back it up with pg_dump (pg_dump --format=custom --file=${join(dir, 'x.dump')} 'postgres://app:***@db.example/skills'; restore with pg_restore --clean --dbname='postgres://app:***@db.example/skills' ${join(dir, 'x.dump')})\n`,
    );
  });
});
