import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  hasUserPseudonyms,
  KeyFileError,
  keyFilePath,
  openStore,
  parseStoreUrl,
  readKeyFile,
  StoreOpenError,
  userPseudonym,
} from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'skills-keyfile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parseStoreUrl', () => {
  it('tells SQLite files, :memory: and PostgreSQL apart as openStore does', () => {
    expect(parseStoreUrl('./a.db')).toEqual({ dialect: 'sqlite', file: './a.db' });
    expect(parseStoreUrl('sqlite:/tmp/b.db')).toEqual({ dialect: 'sqlite', file: '/tmp/b.db' });
    expect(parseStoreUrl('sqlite://rel/c.db')).toEqual({ dialect: 'sqlite', file: 'rel/c.db' });
    expect(parseStoreUrl('sqlite:')).toEqual({ dialect: 'sqlite', file: ':memory:' });
    expect(parseStoreUrl(':memory:')).toEqual({ dialect: 'sqlite', file: ':memory:' });
    expect(parseStoreUrl('postgresql://u@h/db')).toEqual({ dialect: 'postgres', url: 'postgresql://u@h/db' });
  });

  it('refuses other schemes and empty URLs', () => {
    expect(() => parseStoreUrl('mysql://x')).toThrow(StoreOpenError);
    expect(() => parseStoreUrl('mysql://u:pw@x')).toThrow(
      'unsupported store URL scheme in "mysql://u:***@x": expected sqlite: or postgres://',
    );
    expect(() => parseStoreUrl('')).toThrow(/store URL is empty/);
  });
});

describe('readKeyFile', () => {
  it('creates a 0600 key file once, and reads the same secret back', () => {
    const keyFile = keyFilePath(join(dir, 'nested', 'one.db'));
    expect(readKeyFile(keyFile)).toBeUndefined();
    const created = readKeyFile(keyFile, { create: true });
    expect(created.created).toBe(true);
    expect(created.secret).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(readKeyFile(keyFile, { create: true })).toEqual({ ...created, created: false });
  });

  it('refuses a key file shorter than 16 bytes, naming it', () => {
    const keyFile = join(dir, 'short.db.secret');
    writeFileSync(keyFile, 'tooshort\n', { mode: 0o600 });
    const error = (() => {
      try {
        readKeyFile(keyFile);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(KeyFileError);
    expect((error as KeyFileError).reason).toBe('too-short');
    expect((error as Error).message).toBe(`key file ${keyFile}: expected a secret of at least 16 bytes (got 8)`);
  });
});

describe('openStore with a key file beside the store', () => {
  it('uses the key file a CLI or server made, so the same pseudonyms come out', async () => {
    const file = join(dir, 'cli-made.db');
    const { secret } = readKeyFile(keyFilePath(file), { create: true });
    const withSecret = await openStore(file, { userPseudonymSecret: secret });
    const expected = userPseudonym(withSecret, 'ann');
    await withSecret.close();

    const plain = await openStore(file);
    expect(hasUserPseudonyms(plain)).toBe(true);
    expect(userPseudonym(plain, 'ann')).toBe(expected);
    await plain.close();
    expect(readFileSync(keyFilePath(file), 'utf8')).toBe(secret);
  });

  it('ignores it with keyFile: false or migrate: false, and never creates one', async () => {
    const file = join(dir, 'other.db');
    readKeyFile(keyFilePath(file), { create: true });
    const without = await openStore(file, { keyFile: false });
    expect(hasUserPseudonyms(without)).toBe(false);
    await without.close();
    const unmigrated = await openStore(file, { migrate: false });
    expect(hasUserPseudonyms(unmigrated)).toBe(false);
    await unmigrated.close();

    const fresh = join(dir, 'fresh.db');
    const store = await openStore(fresh);
    expect(hasUserPseudonyms(store)).toBe(false);
    await store.close();
    expect(readKeyFile(keyFilePath(fresh))).toBeUndefined();
  });
});
