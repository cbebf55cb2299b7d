import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allInvocations, countRows, runBin, runMain, tempDir } from './helpers.js';

const START = Date.parse('2026-12-03T07:00:00Z');
const REPORT = {
  run_id: 'run-1',
  started_at: '2026-12-03T07:00:00Z',
  project: 'acme',
  checks: [
    { name: 'ruff-check', phase: 'fast_hooks', status: 'passed', duration_seconds: 0.75, files_processed: 12 },
    { name: 'pytest-run', phase: 'tests', status: 'failed', duration_seconds: 20, issues_found: 1, error: 'FAILED test_x' },
    { name: 'codespell', phase: 'fast_hooks', status: 'skipped' },
  ],
};

describe('skills integrations crackerjack', () => {
  it('records a report from stdin as one session; the same report again writes nothing', async () => {
    const db = join(tempDir(), 'q.db');
    const first = await runMain(['integrations', 'crackerjack', '--db', db], { input: JSON.stringify(REPORT), env: { USER: 'alice' } });
    expect(first).toEqual({
      code: 0,
      stdout: 'Recorded 2 of 2 checks of crackerjack:run-1 (0 already known, 1 skipped).\n',
      stderr: `skills: created a new store at ${db} (there was none; mistyped --db? \`skills init\` makes stores on purpose)\n`,
    });
    const again = await runMain(['integrations', 'crackerjack', '--db', db, '--json'], { input: JSON.stringify(REPORT) });
    expect(JSON.parse(again.stdout)).toEqual({
      kind: 'run',
      session: 'crackerjack:run-1',
      invocations: 2,
      recorded: 0,
      known: 2,
      skipped: 1,
    });
    const rows = (await allInvocations(db)).map((r) => [
      r.id,
      r.skill_name,
      r.session_id,
      r.user_id,
      r.invoked_at,
      r.completed,
      r.duration_seconds,
      r.workflow_phase,
      r.workflow_path,
      r.error_type,
    ]);
    expect(rows).toEqual([
      ['crackerjack:run-1:fast_hooks:ruff-check', 'ruff-check', 'crackerjack:run-1', 'alice', START, true, 0.75, 'setup', 'acme', null],
      [
        'crackerjack:run-1:tests:pytest-run',
        'pytest-run',
        'crackerjack:run-1',
        'alice',
        START + 750,
        false,
        20,
        'execution',
        'acme',
        'FAILED test_x',
      ],
    ]);
  });

  it('reads --file, and --skill-metrics (default .session-buddy/skill_metrics.json of the current folder)', async () => {
    const dir = tempDir();
    const db = join(dir, 'q.db');
    writeFileSync(join(dir, 'report.json'), JSON.stringify(REPORT));
    expect((await runMain(['integrations', 'crackerjack', '--db', db, '--file', join(dir, 'report.json'), '--user', 'bob'])).stdout).toBe(
      'Recorded 2 of 2 checks of crackerjack:run-1 (0 already known, 1 skipped).\n',
    );
    mkdirSync(join(dir, '.session-buddy'));
    const metrics = {
      version: '1',
      generated_at: '2026-12-03T08:00:00Z',
      skills: {
        'mypy-check': [
          {
            invoked_at: START,
            completed_at: START + 3000,
            duration_ms: 2900,
            success: false,
            followup_actions: ['ai_fix'],
            session_id: 'cj-2',
            metadata: {},
          },
        ],
      },
    };
    writeFileSync(join(dir, '.session-buddy', 'skill_metrics.json'), JSON.stringify(metrics));
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const result = await runMain(['integrations', 'crackerjack', '--db', db, '--skill-metrics', '--json']);
      expect(JSON.parse(result.stdout)).toEqual({
        kind: 'skill-metrics',
        session: null,
        invocations: 1,
        recorded: 1,
        known: 0,
        skipped: 0,
      });
    } finally {
      process.chdir(cwd);
    }
    const mypy = (await allInvocations(db)).find((r) => r.skill_name === 'mypy-check');
    expect(mypy).toMatchObject({
      session_id: 'cj-2',
      user_id: null,
      completed: false,
      duration_seconds: 2.9,
      workflow_phase: 'verification',
      follow_up_actions: ['ai_fix'],
    });
    expect(await countRows(db)).toBe(3);
  });

  it('refuses a bad report with one line naming the field, and writes nothing', async () => {
    const db = join(tempDir(), 'q.db');
    const bad = structuredClone(REPORT);
    bad.checks[1]!.status = 'green';
    expect(await runMain(['integrations', 'crackerjack', '--db', db], { input: JSON.stringify(bad) })).toEqual({
      code: 1,
      stdout: '',
      stderr: 'skills: checks[1].status: expected "passed"|"failed"|"error"|"timeout"|"skipped"\n',
    });
    const phase = structuredClone(REPORT);
    phase.checks[0]!.phase = 'lint';
    expect((await runMain(['integrations', 'crackerjack', '--db', db], { input: JSON.stringify(phase) })).stderr).toBe(
      'skills: checks[0].phase: unknown crackerjack phase "lint": expected "fast_hooks"|"tests"|"comprehensive_hooks"|"ai_fix"\n',
    );
    expect((await runMain(['integrations', 'crackerjack', '--db', db], { input: '{"run_id":' })).stderr).toMatch(
      /^skills: stdin: not valid JSON \(.+\); nothing written\n$/,
    );
    expect(await countRows(db)).toBe(0);
  });

  it('reads the real stdin of the built binary (skills integrations crackerjack < report.json)', async () => {
    const db = join(tempDir(), 'q.db');
    const result = await runBin(['integrations', 'crackerjack', '--db', db, '--json', '--user', 'dana'], { input: JSON.stringify(REPORT) });
    expect([result.code, JSON.parse(result.stdout)]).toEqual([
      0,
      { kind: 'run', session: 'crackerjack:run-1', invocations: 2, recorded: 2, known: 0, skipped: 1 },
    ]);
    expect((await allInvocations(db)).map((r) => r.user_id)).toEqual(['dana', 'dana']);
  });
});
