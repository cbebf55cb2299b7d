import { prunedBefore, recordInvocations, type InvocationInput, type Store } from '@skills/storage';
import { sql } from 'kysely';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, createRetentionJob, resolveServerConfig } from '../src/index.js';
import { countRows, PG_URL, serve, storeFactories, waitFor } from './helpers.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 20, 10);

/** 20 days up to NOW, 12 invocations a day. */
function history(): InvocationInput[] {
  return Array.from({ length: 20 * 12 }, (_, i) => ({
    id: `r${i}`,
    skill_name: `skill-${i % 3}`,
    session_id: `s${Math.floor(i / 6)}`,
    invoked_at: NOW - 20 * DAY + i * 2 * 3_600_000,
    completed: i % 4 !== 0,
    duration_seconds: 1,
  }));
}

describe('--retention', () => {
  it('is off by default and takes a whole number with a unit', () => {
    expect(resolveServerConfig({}, {}).retention).toBeUndefined();
    expect(resolveServerConfig({ retention: '90d' }, {}).retention).toBe(90 * DAY);
    expect(resolveServerConfig({}, { SKILLS_RETENTION: '2w' }).retention).toBe(14 * DAY);
    expect(() => resolveServerConfig({ retention: '90' }, {})).toThrow(
      new ConfigError('--retention', 'a unit is required: expected a whole number and a unit: h, d or w (e.g. 90d, 12w, 48h) (got "90")'),
    );
    expect(() => resolveServerConfig({}, { SKILLS_RETENTION: '3 months' })).toThrow(/^SKILLS_RETENTION: /);
  });
});

describe.each(storeFactories)('the daily retention job [$name]', (factory) => {
  let store: Store;
  beforeAll(async () => {
    store = (await factory.create()).store;
    await recordInvocations(store, history());
  });
  afterAll(async () => {
    await store.close();
    await factory.cleanup();
  });

  it('prunes at start: raw invocations older than the period go, the rollups stay', async () => {
    const server = await serve(store, factory.name, { retention: '7d', anomalyJob: 'off' }, { now: () => NOW });
    try {
      // The cut: NOW - 7 days, rounded down to midnight (June 13); 7 days + 10 h of rows remain.
      await waitFor(async () => (await countRows(store)) === 89, 10_000, 'the start-up prune');
      expect(await prunedBefore(store)).toBe(Date.UTC(2026, 5, 13));
      const totals = await store.db
        .selectFrom('skill_metrics')
        .select((eb) => eb.fn.sum<number>('total_invocations').as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(totals.n)).toBe(240);
    } finally {
      await server.close();
    }
  });
});

describe.skipIf(!PG_URL)('the retention job on PostgreSQL', () => {
  const factory = storeFactories.find((f) => f.name === 'postgres')!;
  let store: Store;
  beforeAll(async () => {
    store = (await factory.create()).store;
    await recordInvocations(store, history());
  });
  afterAll(async () => {
    await store.close();
    await factory.cleanup();
  });

  it('skips the run while another instance holds the advisory lock of this schema, and prunes once it is free', async () => {
    const schema = (await sql<{ schema: string }>`select current_schema() as schema`.execute(store.db)).rows[0]!.schema;
    const other = new pg.Client({ connectionString: PG_URL });
    await other.connect();
    try {
      await other.query(`select pg_advisory_lock(hashtext('skills-retention-job:' || $1))`, [schema]);
      const job = createRetentionJob({
        store,
        dialect: 'postgres',
        logger: pino({ level: 'silent' }),
        retentionMs: 7 * DAY,
        now: () => NOW,
      });
      expect(await job.runOnce()).toEqual({ ran: false, reason: 'locked' });
      expect(await countRows(store)).toBe(240);
      await other.query(`select pg_advisory_unlock(hashtext('skills-retention-job:' || $1))`, [schema]);
      const ran = await job.runOnce();
      expect(ran.ran && [ran.result.cut, ran.result.deleted]).toEqual([Date.UTC(2026, 5, 13), 151]);
      await job.close();
      expect(await job.runOnce()).toEqual({ ran: false, reason: 'closed' });
    } finally {
      await other.end();
    }
  });
});
