import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, recordInvocation, StoreOpenError, topSkills } from '../src/index.js';
import { T0 } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'skills-open-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('openStore', () => {
  it('opens a SQLite file, creating missing folders, and migrates it', async () => {
    const path = join(dir, 'nested', 'deeper', 'skills.db');
    await using store = await openStore(path);
    expect(existsSync(path)).toBe(true);
    await recordInvocation(store, { skill_name: 'pytest-run', session_id: 's', invoked_at: T0 });
    expect((await topSkills(store, { since: T0, until: T0 + 1 })).map((s) => s.skill_name)).toEqual(['pytest-run']);
  });

  it('accepts sqlite:PATH and :memory:', async () => {
    const a = await openStore(`sqlite:${join(dir, 'a.db')}`);
    await a.close();
    expect(existsSync(join(dir, 'a.db'))).toBe(true);
    const memory = await openStore(':memory:');
    await recordInvocation(memory, { skill_name: 'x', session_id: 's', invoked_at: T0 });
    await memory.close();
  });

  it('keeps data across reopen and uses WAL on files', async () => {
    const path = join(dir, 'wal.db');
    const first = await openStore(path);
    await recordInvocation(first, { id: 'one', skill_name: 'x', session_id: 's', invoked_at: T0 });
    await first.close();
    const second = await openStore(path);
    const rows = await second.db.selectFrom('skill_invocation').select('id').execute();
    expect(rows).toEqual([{ id: 'one' }]);
    await second.close();
    expect(existsSync(`${path}-wal`) || existsSync(path)).toBe(true);
  });

  it('with migrate: false leaves an empty database empty', async () => {
    const store = await openStore(join(dir, 'bare.db'), { migrate: false });
    const tables = await store.db.introspection.getTables();
    expect(tables).toEqual([]);
    await store.close();
  });

  it('rejects unknown URL schemes and empty URLs with a clear error', async () => {
    await expect(openStore('mysql://localhost/x')).rejects.toThrow(StoreOpenError);
    await expect(openStore('mysql://localhost/x')).rejects.toThrow(/unsupported store URL scheme/);
    await expect(openStore('  ')).rejects.toThrow(/store URL is empty/);
  });

  it('reports an unreachable PostgreSQL with the password redacted', async () => {
    const error = await openStore('postgres://me:secret@127.0.0.1:1/none').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreOpenError);
    expect((error as Error).message).toContain('postgres://me:***@127.0.0.1:1/none');
    expect((error as Error).message).not.toContain('secret');
  });

  it('rejects an invalid PostgreSQL schema name before connecting', async () => {
    await expect(openStore('postgres://127.0.0.1/test', { schema: 'x; drop' })).rejects.toThrow(/invalid schema name/);
  });
});
