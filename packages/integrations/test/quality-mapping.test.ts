import { describe, expect, it } from 'vitest';
import { mapQualityRun, mapSkillMetrics, qualityPhaseOfTool, QUALITY_PHASE_WORKFLOW } from '../src/index.js';

const START = Date.parse('2026-12-03T07:00:00Z');

/** A Crackerjack run with one check per phase; `more` overrides the run's fields. */
function run(more: Record<string, unknown> = {}) {
  return {
    run_id: 'r-42',
    started_at: '2026-12-03T07:00:00Z',
    project: 'acme-api',
    user: 'alice',
    checks: [
      { name: 'ruff-format', phase: 'fast_hooks', status: 'passed', duration_seconds: 0.5, files_processed: 120, files_modified: 2 },
      {
        name: 'pytest-run',
        phase: 'tests',
        status: 'failed',
        duration_seconds: 31.25,
        files_processed: 40,
        issues_found: 3,
        error: 'FAILED tests/test_api.py::test_login\nmore output',
      },
      { name: 'mypy-check', phase: 'comprehensive_hooks', status: 'timeout', duration_seconds: 300 },
      { name: 'refactoring-agent', phase: 'ai_fix', status: 'passed', duration_seconds: 12, started_at: '2026-12-03T07:10:00Z' },
    ],
    ...more,
  };
}

describe('mapQualityRun', () => {
  it('maps each check to an invocation in one session per run, the phase mapped into workflow_phase and the real duration kept', () => {
    expect(mapQualityRun(run())).toEqual({
      session: 'crackerjack:r-42',
      skipped: 0,
      invocations: [
        {
          id: 'crackerjack:r-42:fast_hooks:ruff-format',
          skill_name: 'ruff-format',
          session_id: 'crackerjack:r-42',
          user_id: 'alice',
          invoked_at: START,
          completed: true,
          duration_seconds: 0.5,
          workflow_phase: 'setup',
          workflow_path: 'acme-api',
          workflow_step_id: 'fast_hooks',
          user_query: 'crackerjack phase: fast_hooks (files: 120 processed, 2 modified)',
          error_type: null,
        },
        {
          id: 'crackerjack:r-42:tests:pytest-run',
          skill_name: 'pytest-run',
          session_id: 'crackerjack:r-42',
          user_id: 'alice',
          invoked_at: START + 500,
          completed: false,
          duration_seconds: 31.25,
          workflow_phase: 'execution',
          workflow_path: 'acme-api',
          workflow_step_id: 'tests',
          user_query: 'crackerjack phase: tests (files: 40 processed; issues: 3)',
          error_type: 'FAILED tests/test_api.py::test_login',
        },
        {
          id: 'crackerjack:r-42:comprehensive_hooks:mypy-check',
          skill_name: 'mypy-check',
          session_id: 'crackerjack:r-42',
          user_id: 'alice',
          invoked_at: START + 31_750,
          completed: false,
          duration_seconds: 300,
          workflow_phase: 'verification',
          workflow_path: 'acme-api',
          workflow_step_id: 'comprehensive_hooks',
          user_query: 'crackerjack phase: comprehensive_hooks',
          error_type: 'timeout',
        },
        {
          id: 'crackerjack:r-42:ai_fix:refactoring-agent',
          skill_name: 'refactoring-agent',
          session_id: 'crackerjack:r-42',
          user_id: 'alice',
          invoked_at: Date.parse('2026-12-03T07:10:00Z'),
          completed: true,
          duration_seconds: 12,
          workflow_phase: 'execution',
          workflow_path: 'acme-api',
          workflow_step_id: 'ai_fix',
          user_query: 'crackerjack phase: ai_fix',
          error_type: null,
        },
      ],
    });
  });

  it('knows the phase of the usual tools, so a check of one may leave it out', () => {
    expect(
      ['ruff-check', 'codespell', 'pytest-coverage', 'pyright-check', 'bandit-security', 'complexity-check'].map(qualityPhaseOfTool),
    ).toEqual(['fast_hooks', 'fast_hooks', 'tests', 'comprehensive_hooks', 'comprehensive_hooks', 'comprehensive_hooks']);
    const mapped = mapQualityRun({
      run_id: 7,
      started_at: START,
      checks: [{ name: 'bandit-security', status: 'passed', duration_seconds: 2 }],
    });
    expect(mapped).toMatchObject({
      session: 'crackerjack:7',
      invocations: [
        {
          id: 'crackerjack:7:comprehensive_hooks:bandit-security',
          workflow_phase: 'verification',
          workflow_path: 'crackerjack',
          user_id: null,
        },
      ],
    });
    expect(QUALITY_PHASE_WORKFLOW).toEqual({
      fast_hooks: 'setup',
      tests: 'execution',
      comprehensive_hooks: 'verification',
      ai_fix: 'execution',
    });
  });

  it('gives a hook run twice in one report a second id, and counts skipped checks without recording them', () => {
    const mapped = mapQualityRun({
      run_id: 'r',
      started_at: START,
      tool: 'qa',
      checks: [
        { name: 'ruff-check', status: 'failed', duration_seconds: 1, issues_found: 4 },
        { name: 'codespell', status: 'skipped' },
        { name: 'ruff-check', status: 'passed', duration_seconds: 1 },
      ],
    });
    expect(mapped).toMatchObject({ session: 'qa:r', skipped: 1 });
    if (!('invocations' in mapped)) throw new Error('expected invocations');
    expect(mapped.invocations.map((i) => [i.id, i.completed, i.error_type, i.invoked_at])).toEqual([
      ['qa:r:fast_hooks:ruff-check', false, '4 issue(s) found', START],
      ['qa:r:fast_hooks:ruff-check:2', true, null, START + 1000],
    ]);
  });

  it('takes the user from the options when the report names none', () => {
    expect(mapQualityRun(run({ user: undefined }), { userId: 'bob' })).toMatchObject({
      invocations: [{ user_id: 'bob' }, { user_id: 'bob' }, { user_id: 'bob' }, { user_id: 'bob' }],
    });
  });

  it('refuses an unknown phase by its field, naming the valid ones', () => {
    const report = run();
    report.checks[2] = { ...report.checks[2]!, phase: 'lint' };
    expect(mapQualityRun(report)).toEqual({
      issues: [
        {
          index: -1,
          field: 'checks[2].phase',
          message: 'unknown crackerjack phase "lint": expected "fast_hooks"|"tests"|"comprehensive_hooks"|"ai_fix"',
        },
      ],
    });
  });

  it('needs the phase of a tool that is not one of the usual ones', () => {
    expect(mapQualityRun({ run_id: 'r', started_at: START, checks: [{ name: 'my-hook', status: 'passed' }] })).toEqual({
      issues: [
        {
          index: -1,
          field: 'checks[0].phase',
          message:
            'required for "my-hook" (not one of the usual tools of fast_hooks, tests, comprehensive_hooks, ai_fix): expected "fast_hooks"|"tests"|"comprehensive_hooks"|"ai_fix"',
        },
      ],
    });
  });

  it('names every bad field, and maps nothing', () => {
    const report = run();
    report.checks[3] = { ...report.checks[3]!, status: 'ok' };
    report.checks[1] = { ...report.checks[1]!, duration_seconds: -1 } as never;
    report.checks[2] = { ...report.checks[2]!, phase: 'hooks' };
    expect(mapQualityRun({ ...report, started_at: 'yesterday', run_id: undefined })).toEqual({
      issues: [
        { index: -1, field: 'run_id', message: 'expected an id (text or a non-negative integer)' },
        { index: -1, field: 'started_at', message: 'expected epoch milliseconds or ISO-8601 text' },
        { index: -1, field: 'checks[1].duration_seconds', message: 'expected a non-negative number of seconds' },
        { index: -1, field: 'checks[3].status', message: 'expected "passed"|"failed"|"error"|"timeout"|"skipped"' },
        {
          index: -1,
          field: 'checks[2].phase',
          message: 'unknown crackerjack phase "hooks": expected "fast_hooks"|"tests"|"comprehensive_hooks"|"ai_fix"',
        },
      ],
    });
    expect(mapQualityRun({ run_id: 'r', started_at: START, checks: [] })).toEqual({
      issues: [{ index: -1, field: 'checks', message: 'expected at least one check' }],
    });
    expect(mapQualityRun({ run_id: 'r', started_at: START, checks: [{ phase: 'tests', status: 'passed' }] })).toEqual({
      issues: [{ index: -1, field: 'checks[0].name', message: 'expected text' }],
    });
  });
});

describe('mapSkillMetrics (.session-buddy/skill_metrics.json)', () => {
  const file = {
    version: '1.0',
    generated_at: '2026-12-03T07:05:00Z',
    skills: {
      'ruff-check': [
        {
          invoked_at: '2026-12-03T07:00:00Z',
          completed_at: '2026-12-03T07:00:01Z',
          duration_ms: 420,
          success: true,
          followup_actions: ['ruff-format'],
          session_id: 'cj-1',
          metadata: {},
        },
      ],
      'deploy-docs': [
        {
          invoked_at: '2026-12-03T07:01:00Z',
          completed_at: '2026-12-03T07:01:02.5Z',
          duration_ms: null,
          success: false,
          followup_actions: [],
          session_id: null,
          metadata: { phase: 'ai_fix' },
        },
      ],
    },
  };

  it('maps each entry to an invocation: success, real duration (duration_ms, else completed_at − invoked_at), follow-ups, phase', () => {
    const mapped = mapSkillMetrics(file, { userId: 'alice' });
    if (!('invocations' in mapped)) throw new Error(JSON.stringify(mapped));
    expect(mapped.invocations.map(({ id, ...rest }) => ({ idShape: /^crackerjack:m[0-9a-f]{40}$/.test(id!), ...rest }))).toEqual([
      {
        idShape: true,
        skill_name: 'ruff-check',
        session_id: 'cj-1',
        user_id: 'alice',
        invoked_at: START,
        completed: true,
        duration_seconds: 0.42,
        workflow_phase: 'setup',
        workflow_path: 'crackerjack',
        workflow_step_id: 'fast_hooks',
        user_query: 'crackerjack phase: fast_hooks',
        follow_up_actions: ['ruff-format'],
        error_type: null,
      },
      {
        idShape: true,
        skill_name: 'deploy-docs',
        session_id: 'crackerjack:skill-metrics',
        user_id: 'alice',
        invoked_at: START + 60_000,
        completed: false,
        duration_seconds: 2.5,
        workflow_phase: 'execution',
        workflow_path: 'crackerjack',
        workflow_step_id: 'ai_fix',
        user_query: 'crackerjack phase: ai_fix',
        follow_up_actions: [],
        error_type: 'failed',
      },
    ]);
    // The same file read again gives the same ids.
    expect((mapSkillMetrics(file) as { invocations: { id: string }[] }).invocations.map((i) => i.id)).toEqual(
      mapped.invocations.map((i) => i.id),
    );
  });

  it('refuses a bad entry or an unknown metadata.phase by its field', () => {
    const bad = structuredClone(file) as { skills: Record<string, Record<string, unknown>[]> };
    bad.skills['ruff-check']![0]!.success = 'yes';
    expect(mapSkillMetrics(bad)).toEqual({
      issues: [{ index: -1, field: 'skills.ruff-check[0].success', message: 'expected true or false' }],
    });
    const phase = structuredClone(file) as { skills: Record<string, Record<string, unknown>[]> };
    phase.skills['deploy-docs']![0]!.metadata = { phase: 'deploy' };
    expect(mapSkillMetrics(phase)).toEqual({
      issues: [
        {
          index: -1,
          field: 'skills.deploy-docs[0].metadata.phase',
          message: 'unknown crackerjack phase "deploy": expected "fast_hooks"|"tests"|"comprehensive_hooks"|"ai_fix"',
        },
      ],
    });
    expect(mapSkillMetrics({ version: 1, skills: [] })).toEqual({
      issues: [{ index: -1, field: 'skills', message: 'expected an object: skill name → invocations' }],
    });
  });
});
