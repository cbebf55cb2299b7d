import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '@skills/storage';
import { describe, expect, it } from 'vitest';
import { runBin, runMain, tempDir } from './helpers.js';

const HOUR = 3_600_000;

describe('a new user: stores are made on purpose, failures leave nothing', () => {
  const dir = tempDir();

  it('a write to a missing --db says that it created a store there', async () => {
    const db = join(dir, 'typo.db');
    const result = await runMain(['record', '--skill', 'a', '--session', 's', '--db', db]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      `skills: created a new store at ${db} (there was none; mistyped --db? \`skills init\` makes stores on purpose)\n`,
    );
    // The second write finds the store: nothing more to say.
    expect((await runMain(['record', '--skill', 'a', '--session', 's', '--db', db])).stderr).toBe('');
  });

  it('init says it created the store; a second init does not', async () => {
    const db = join(dir, 'new.db');
    expect((await runMain(['init', '--db', db])).stdout).toMatch(
      new RegExp(`^Created a new store at ${db.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.\\n`),
    );
    expect((await runMain(['init', '--db', db])).stdout).not.toContain('Created');
  });

  it('a failed open removes the key file and the store file it began', async () => {
    const sub = join(dir, 'fail');
    const notSqlite = join(dir, 'text.db');
    writeFileSync(notSqlite, 'this is not a database, just text that is long enough to not be empty\n');
    const result = await runMain(['record', '--skill', 'a', '--session', 's', '--db', notSqlite]);
    expect(result.code).toBe(1);
    expect(existsSync(`${notSqlite}.secret`)).toBe(false);
    expect((await runMain(['top', '--db', 'mysql://x/y'])).stderr).toBe(
      'skills: unsupported store URL scheme in "mysql://x/y": expected sqlite: or postgres://\n',
    );
    expect(existsSync('mysql:')).toBe(false);
    expect(existsSync(sub)).toBe(false);
  });
});

describe('skills migrate and rebuild', () => {
  const dir = tempDir();

  async function seeded(name: string): Promise<string> {
    const db = join(dir, name);
    expect((await runMain(['init', '--db', db])).code).toBe(0);
    for (let i = 0; i < 6; i++) {
      const result = await runMain([
        'record',
        '--skill',
        i % 2 ? 'a' : 'b',
        '--session',
        `s${i}`,
        '--user',
        `u${i % 3}`,
        '--completed',
        '--duration',
        String(i + 1),
        '--db',
        db,
      ]);
      expect(result.code, result.stderr).toBe(0);
    }
    return db;
  }

  it('down refuses to destroy data, lists it, changes nothing; --force naming the migrations goes ahead', async () => {
    const db = await seeded('down.db');
    const status = JSON.parse((await runMain(['migrate', 'status', '--db', db, '--json'])).stdout) as { name: string }[];
    const steps = status.length - 3; // back to 0003: drops the taxonomy init loaded
    const refused = await runMain(['migrate', 'down', '--steps', String(steps), '--db', db]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^skills: refusing to roll back: it would destroy data: .*0004_analytics drops table skill_categories \(the taxonomy’s categories\), \d+ rows.*Nothing was changed\. To go ahead: skills migrate down --steps \d+ --force .*0004_analytics.*\n$/,
    );
    const force = refused.stderr.match(/--force (.*)\n$/)![1]!.split(' ');
    expect((await runMain(['migrate', 'status', '--db', db])).stdout).toContain('Up to date.');

    const done = await runMain(['migrate', 'down', '--steps', String(steps), '--force', ...force, '--db', db]);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toMatch(/^Rolled back: .*0004_analytics\n/);
    expect(done.stdout).toMatch(
      /Dropped table skill_time_series \(hourly rollups\): \d+ rows \(rebuilt from the invocations on the next migrate up, or by skills rebuild\)\n/,
    );

    const up = await runMain(['migrate', 'up', '--db', db]);
    expect(up.stdout).toContain('Rebuilt the rollups from the stored invocations (0004_analytics recreated them empty).\n');
    const top = JSON.parse((await runMain(['top', '--db', db, '--since', '2h', '--json'])).stdout) as {
      skill_name: string;
      invocations: number;
    }[];
    expect(top.map((s) => [s.skill_name, s.invocations])).toEqual([
      ['a', 3],
      ['b', 3],
    ]);
    expect(await runMain(['verify', '--db', db])).toMatchObject({ code: 0, stdout: 'consistent\n' });
  });

  it('rebuild recomputes every rollup from the invocations', async () => {
    const db = await seeded('rebuild.db');
    const store = await openStore(db, { migrate: false });
    await store.db.deleteFrom('skill_time_series').execute();
    await store.db.updateTable('skill_metrics').set({ total_invocations: 99 }).execute();
    await store.close();
    expect((await runMain(['verify', '--db', db])).code).toBe(1);
    const result = await runMain(['rebuild', '--db', db, '--json']);
    expect(JSON.parse(result.stdout)).toMatchObject({
      invocations: 6,
      userInteractions: true,
      rows: { skill_metrics: 2, skill_user_interactions: 6 },
    });
    expect(await runMain(['verify', '--db', db])).toMatchObject({ code: 0, stdout: 'consistent\n' });
  });

  it('a store written by a newer version says so, in status and in every other command', async () => {
    const db = await seeded('newer.db');
    const store = await openStore(db, { migrate: false });
    // As a newer version would have recorded its migration.
    await (store.db as unknown as { insertInto(t: string): { values(v: object): { execute(): Promise<unknown> } } })
      .insertInto('kysely_migration')
      .values({ name: '0099_future', timestamp: new Date().toISOString() })
      .execute();
    await store.close();
    const message = 'skills: this store was written by a newer version (migration 0099_future); upgrade to a version that knows it\n';
    for (const args of [['migrate', 'status'], ['migrate', 'up'], ['top'], ['record', '--skill', 'a', '--session', 's']]) {
      expect(await runMain([...args, '--db', db])).toEqual({ code: 1, stdout: '', stderr: message });
    }
  });

  it('three `skills init` at once on a new file all succeed', async () => {
    const db = join(dir, 'race.db');
    const results = await Promise.all([1, 2, 3].map(() => runBin(['init', '--db', db, '--json'])));
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    expect(results.filter((r) => JSON.parse(r.stdout).created).length).toBeGreaterThanOrEqual(1);
  });
});

describe('small-data answers that read right', () => {
  const dir = tempDir();

  it('trend says the current hour is not counted yet', async () => {
    const db = join(dir, 'trend.db');
    const now = Date.UTC(2026, 0, 10, 15, 20);
    await runMain(['init', '--db', db]);
    await runMain(['record', '--skill', 'a', '--session', 's', '--completed', '--invoked-at', String(now - 5 * 60_000), '--db', db], {
      now,
    });
    const result = await runMain(['trend', 'a', '--days', '14', '--db', db], { now });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      `1 invocation since 2026-01-10T15:00:00Z (the current hour) is not counted yet: a trend uses complete hours only.\n`,
    );
    const json = JSON.parse((await runMain(['trend', 'a', '--days', '14', '--db', db, '--json'], { now })).stdout);
    expect(json.notCountedYet).toBe(1);
    expect(json.until).toBe(now - (now % HOUR));
  });

  it('top gives one 4.2 s invocation a p95 of 4.2 s', async () => {
    const db = join(dir, 'top.db');
    await runMain(['init', '--db', db]);
    await runMain(['record', '--skill', 'pytest-run', '--session', 's1', '--completed', '--duration', '4.2', '--db', db]);
    const [top] = JSON.parse((await runMain(['top', '--db', db, '--json'])).stdout);
    expect(top).toMatchObject({ skill_name: 'pytest-run', avg_duration_seconds: 4.2, p95_duration_seconds: 4.2 });
  });
});
