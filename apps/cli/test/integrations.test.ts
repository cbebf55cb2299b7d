import { join } from 'node:path';
import { createCiIngest, mapCiRun, type CiMapped } from '@skills/integrations';
import { openStore } from '@skills/storage';
import { describe, expect, it } from 'vitest';
import { runMain, tempDir } from './helpers.js';

const T = Date.UTC(2026, 11, 1, 10);

/** A generic CI run of `api` on commit `c`, attempt `attempt`, its pytest job passing or failing. */
async function post(db: string, runId: number, attempt: number, passed: boolean) {
  const store = await openStore(db);
  const mapped = mapCiRun({
    pipeline: 'api',
    run_id: runId,
    attempt,
    commit: 'c0ffee1234',
    jobs: [
      {
        name: 'pytest',
        stage: 'test',
        status: passed ? 'success' : 'failed',
        started_at: T + attempt * 60_000,
        duration_seconds: 30,
        error: passed ? undefined : 'exit 1',
      },
    ],
  });
  await createCiIngest(store).deliver({ source: 'ci', event: 'ci', mapped: mapped as CiMapped });
  await store.close();
}

describe('skills ci', () => {
  it('report prints the stage table, bottlenecks, flaky steps and recommendations; --json the same as the server', async () => {
    const db = join(tempDir(), 'ci.db');
    await post(db, 7, 1, false);
    await post(db, 7, 2, true);
    const now = T + 3_600_000;
    const json = await runMain(['ci', 'report', 'api', '--db', db, '--json'], { now });
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(report.stages).toEqual([
      {
        stage: 'test',
        workflow_phase: 'execution',
        total_runs: 2,
        successful_runs: 1,
        success_rate: 0.5,
        avg_duration_seconds: 30,
        skills_used: ['pytest'],
        common_failures: { 'exit 1': 1 },
      },
    ]);
    expect(report.flaky_steps).toEqual([
      {
        name: 'pytest',
        stage: 'test',
        commits: 1,
        latest: { commit: 'c0ffee1234', failures: 1, failed_at: T + 60_000, passed_at: T + 120_000 },
      },
    ]);
    const text = await runMain(['ci', 'report', 'api', '--db', db], { now });
    expect(text.stdout).toContain('[MEDIUM] test: 50.0% success');
    expect(text.stdout).toContain('pytest: failed, then passed on a retry of the same commit (1 commit(s), latest c0ffee1)');
    expect(text.stdout).toContain(
      "[HIGH] Stage 'test' has low success rate (50.0%). Investigate common failures (most often: exit 1, 1x).",
    );
    const outside = JSON.parse((await runMain(['ci', 'report', 'api', '--db', db, '--json', '--since', '2026-12-02'], { now })).stdout);
    expect(outside.jobs).toBe(0);
    const pipelines = JSON.parse((await runMain(['ci', 'pipelines', '--db', db, '--json'], { now })).stdout);
    expect(pipelines.pipelines).toEqual([
      { pipeline: 'api', provider: 'ci', repository: null, runs: 1, jobs: 2, success_rate: 0.5, last_run_at: T + 120_000 },
    ]);
  });
});
