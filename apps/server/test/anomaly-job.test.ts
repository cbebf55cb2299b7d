import { recordInvocations, type InvocationInput, type Store } from '@skills/storage';
import { sql } from 'kysely';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnomalyJob } from '../src/index.js';
import { PG_URL, serve, storeFactories, waitFor } from './helpers.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Monday 2026-01-05. */
const MONDAY = Date.UTC(2026, 0, 5);
/** pytest-run fails 13 of 20 calls from 14:00 on the 10th day (a Wednesday). */
const INCIDENT = MONDAY + 9 * DAY + 14 * HOUR;
/** Five minutes after the incident's hour: the job judges that hour. */
const AFTER = INCIDENT + HOUR + 5 * 60_000;

/** Ten days up to the end of the incident hour, 20 calls an hour, 19 of 20 completed (7 in the incident). */
function history(): InvocationInput[] {
  const items: InvocationInput[] = [];
  for (let hour = MONDAY; hour <= INCIDENT; hour += HOUR) {
    for (let i = 0; i < 20; i++) {
      items.push({
        id: `p-${hour}-${i}`,
        skill_name: 'pytest-run',
        session_id: `s-${hour}`,
        invoked_at: hour + i * 60_000,
        completed: hour === INCIDENT ? i < 7 : i < 19,
        duration_seconds: 2,
      });
    }
  }
  return items;
}

describe.each(storeFactories)('the hourly anomaly job [$name]', (factory) => {
  let store: Store;
  beforeAll(async () => {
    store = (await factory.create()).store;
    const items = history();
    for (let i = 0; i < items.length; i += 5000) await recordInvocations(store, items.slice(i, i + 5000));
  });
  afterAll(async () => {
    await store.close();
    await factory.cleanup();
  });

  it('runs at start, judging the last complete hour, so GET /v1/anomalies shows the drop without cron', async () => {
    const server = await serve(store, factory.name, { anomalyJob: 'on' }, { now: () => AFTER });
    try {
      let anomalies: { skill: string; type: string; metric: string; bucket: number; resolvedAt: number | null }[] = [];
      await waitFor(
        async () => {
          const body = (await (await fetch(`${server.url}/v1/anomalies?since=${INCIDENT}`)).json()) as { anomalies: typeof anomalies };
          anomalies = body.anomalies;
          return anomalies.length > 0;
        },
        10_000,
        'the start-up run',
      );
      expect(anomalies.map((a) => [a.skill, a.type, a.metric, a.bucket, a.resolvedAt])).toEqual([
        ['pytest-run', 'drop', 'completion_rate', INCIDENT, null],
      ]);
      // Running again over the same hour records nothing new (the first call may share the start-up run).
      await server.anomalyJob!.runOnce();
      const again = await server.anomalyJob!.runOnce();
      expect(again.ran && again.result.detected.length).toBe(0);
    } finally {
      await server.close();
    }
  });
});

describe('the anomaly job schedule', () => {
  const factory = storeFactories[0]!;
  let store: Store;
  beforeAll(async () => {
    store = (await factory.create()).store;
    const items = history();
    for (let i = 0; i < items.length; i += 5000) await recordInvocations(store, items.slice(i, i + 5000));
  });
  afterAll(async () => {
    await store.close();
    await factory.cleanup();
  });

  it('judges the last complete hour at start, then the next one just after it ends', async () => {
    // The clock starts 200 ms before the incident hour ends and runs in real time.
    const started = Date.now();
    const now = () => INCIDENT + HOUR - 200 + (Date.now() - started);
    const runs: { since: number; until: number; detected: number }[] = [];
    const logger = pino(
      { level: 'info' },
      { write: (line: string) => void (JSON.parse(line).msg === 'anomaly detection done' && runs.push(JSON.parse(line))) },
    );
    const job = createAnomalyJob({ store, dialect: 'sqlite', logger, now, delayMs: 50 });
    job.start();
    try {
      await waitFor(() => runs.length >= 2, 10_000, 'two runs');
      expect(runs.map((r) => [r.since, r.until, r.detected])).toEqual([
        [INCIDENT - HOUR, INCIDENT, 0],
        [INCIDENT, INCIDENT + HOUR, 1],
      ]);
    } finally {
      await job.close();
    }
  });
});

describe.skipIf(!PG_URL)('the anomaly job on PostgreSQL', () => {
  const factory = storeFactories.find((f) => f.name === 'postgres')!;
  let store: Store;
  beforeAll(async () => {
    store = (await factory.create()).store;
    await recordInvocations(store, history().slice(-40));
  });
  afterAll(async () => {
    await store.close();
    await factory.cleanup();
  });

  it('skips the hour while another instance holds the advisory lock of this schema, and runs once it is free', async () => {
    const schema = (await sql<{ schema: string }>`select current_schema() as schema`.execute(store.db)).rows[0]!.schema;
    const other = new pg.Client({ connectionString: PG_URL });
    await other.connect();
    try {
      await other.query(`select pg_advisory_lock(hashtext('skills-anomaly-job:' || $1))`, [schema]);
      const job = createAnomalyJob({ store, dialect: 'postgres', logger: pino({ level: 'silent' }), now: () => AFTER });
      expect(await job.runOnce()).toEqual({ ran: false, reason: 'locked' });
      await other.query(`select pg_advisory_unlock(hashtext('skills-anomaly-job:' || $1))`, [schema]);
      const ran = await job.runOnce();
      expect(ran.ran && [ran.result.since, ran.result.until, ran.result.skills]).toEqual([INCIDENT, INCIDENT + HOUR, 1]);
      await job.close();
      expect(await job.runOnce()).toEqual({ ran: false, reason: 'closed' });
    } finally {
      await other.end();
    }
  });
});
