import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { forgetUserInteractions, openStore, readKeyFile, recordInvocations, userPseudonym } from '../src/index.js';
import { T0, storeFactories } from './helpers.js';

const SECRET = 'a-secret-of-at-least-16-bytes';
const dir = mkdtempSync(join(tmpdir(), 'skills-privacy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('store and key file modes', () => {
  it('creates a SQLite store file 0600, and its -wal and -shm files follow it', async () => {
    const file = join(dir, 'private', 'skills.db');
    const store = await openStore(file);
    await recordInvocations(store, [{ skill_name: 'lint', session_id: 's', invoked_at: T0 }]);
    expect([modeOf(file), modeOf(`${file}-wal`), modeOf(`${file}-shm`)]).toEqual([0o600, 0o600, 0o600]);
    await store.close();
  });

  it('leaves the mode of an existing store file as it is', async () => {
    const file = join(dir, 'shared.db');
    writeFileSync(file, '');
    chmodSync(file, 0o640);
    await (await openStore(file)).close();
    expect(modeOf(file)).toBe(0o640);
  });

  it('says when a key file is readable by other users', () => {
    const keyFile = join(dir, 'k.db.secret');
    const created = readKeyFile(keyFile, { create: true });
    expect([created.mode, created.readableByOthers]).toEqual([0o600, false]);
    chmodSync(keyFile, 0o644);
    expect(readKeyFile(keyFile)).toMatchObject({ created: false, mode: 0o644, readableByOthers: true });
    chmodSync(keyFile, 0o640);
    expect(readKeyFile(keyFile)).toMatchObject({ mode: 0o640, readableByOthers: true });
  });
});

describe.each(storeFactories)('forgetting a user id as typed [$name]', (factory) => {
  afterAll(() => factory.cleanup());

  it('trims the id to forget, as stored ids are trimmed', async () => {
    const { store } = await factory.create({ userPseudonymSecret: SECRET });
    try {
      await recordInvocations(store, [
        { skill_name: 'lint', session_id: 's', invoked_at: T0, user_id: ' user-008 ' },
        { skill_name: 'test', session_id: 's', invoked_at: T0, user_id: 'user-008' },
      ]);
      expect(userPseudonym(store, ' user-008 ')).toBe(userPseudonym(store, 'user-008'));
      expect(await forgetUserInteractions(store, ' user-008 ')).toBe(2);
      const left = await store.db.selectFrom('skill_user_interactions').select('user_id').execute();
      expect(left).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
