import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BackupError, backupStore, openStore, readKeyFile, recordInvocations, verifyRollups } from '../src/index.js';
import { T0 } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'skills-backup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const SECRET_FILE = (db: string) => `${db}.secret`;

const batch = (b: number) =>
  Array.from({ length: 250 }, (_, i) => ({
    id: `b${b}-${i}`,
    skill_name: `skill-${i % 5}`,
    session_id: `s${b}`,
    user_id: `u${i % 3}`,
    invoked_at: T0 + (b * 250 + i) * 1000,
    completed: i % 4 !== 0,
    duration_seconds: i % 9,
  }));

describe('backupStore', () => {
  it('copies one consistent moment while another connection keeps recording; the restored copy verifies, counts equal', async () => {
    const db = join(dir, 'live.db');
    const secret = readKeyFile(SECRET_FILE(db), { create: true }).secret;
    const store = await openStore(db, { userPseudonymSecret: secret });
    const writer = await openStore(db, { userPseudonymSecret: secret });
    try {
      for (let b = 0; b < 20; b += 1) await recordInvocations(store, batch(b));
      let writing = true;
      let written = 20;
      const loop = (async () => {
        while (writing) {
          await recordInvocations(writer, batch(written));
          written += 1;
          await new Promise((resolve) => setImmediate(resolve));
        }
      })();
      await new Promise((resolve) => setTimeout(resolve, 30));
      const target = join(dir, 'copy.db');
      const result = await backupStore(db, target);
      writing = false;
      await loop;
      expect(result).toMatchObject({ destination: target, keyFile: `${target}.secret` });
      expect(readFileSync(`${target}.secret`, 'utf8')).toBe(readFileSync(SECRET_FILE(db), 'utf8'));
      expect(statSync(target).mode & 0o777).toBe(0o600);

      const restored = await openStore(target);
      try {
        expect(await verifyRollups(restored)).toEqual([]);
        const n = Number(
          (
            await restored.db
              .selectFrom('skill_invocation')
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
        const totals = await restored.db
          .selectFrom('skill_metrics')
          .select((eb) => eb.fn.sum<number>('total_invocations').as('n'))
          .executeTakeFirstOrThrow();
        expect(n % 250).toBe(0); // whole batches only
        expect(n).toBeGreaterThanOrEqual(20 * 250);
        expect(n).toBeLessThanOrEqual(written * 250);
        expect(Number(totals.n)).toBe(n);
      } finally {
        await restored.close();
      }
    } finally {
      await writer.close();
      await store.close();
    }
  });

  it('refuses an existing destination unless force, and leaves it as it was', async () => {
    const db = join(dir, 'small.db');
    const store = await openStore(db);
    await recordInvocations(store, batch(0));
    await store.close();
    const target = join(dir, 'taken.db');
    writeFileSync(target, 'keep me');
    const error = await backupStore(db, target).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackupError);
    expect((error as BackupError).reason).toBe('exists');
    expect((error as Error).message).toBe(`${target} exists: refusing to overwrite it (use --force to replace it)`);
    expect(readFileSync(target, 'utf8')).toBe('keep me');
    await backupStore(db, target, { force: true });
    const copy = await openStore(target);
    try {
      expect(await verifyRollups(copy)).toEqual([]);
    } finally {
      await copy.close();
    }
    expect(existsSync(`${target}.secret`)).toBe(false);
  });

  it('on PostgreSQL points at pg_dump; a missing store or the store itself as the target is refused', async () => {
    await expect(backupStore('postgres://app:pw@db.example/skills', '/tmp/x.dump')).rejects.toThrow(
      "postgres://app:***@db.example/skills is PostgreSQL: back it up with pg_dump (pg_dump --format=custom --file=/tmp/x.dump 'postgres://app:***@db.example/skills'; restore with pg_restore --clean --dbname='postgres://app:***@db.example/skills' /tmp/x.dump)",
    );
    await expect(backupStore(join(dir, 'none.db'), join(dir, 'none-copy.db'))).rejects.toThrow(
      /no store at .*none\.db: nothing to back up/,
    );
    expect(existsSync(join(dir, 'none-copy.db'))).toBe(false);
    const db = join(dir, 'self.db');
    await (await openStore(db)).close();
    await expect(backupStore(db, db, { force: true })).rejects.toThrow(/would overwrite the store itself/);
  });
});
