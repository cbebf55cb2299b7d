import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMain, tempDir } from './helpers.js';

/** Transcript lines in the shape of Claude Code's docs/sessions.md (assistant tool_use, user tool_result). */
function transcript(session: string, runs: { id: string; skill: string; error?: boolean }[], extra: string[] = []): string {
  const t0 = Date.UTC(2026, 10, 30, 9);
  const lines = runs.flatMap((r, i) => [
    JSON.stringify({
      type: 'assistant',
      sessionId: session,
      cwd: '/home/alice/app',
      version: '2.0.9',
      uuid: `a${i}`,
      timestamp: new Date(t0 + i * 60_000).toISOString(),
      message: { content: [{ type: 'tool_use', id: r.id, name: 'Skill', input: { skill: r.skill } }] },
    }),
    JSON.stringify({
      type: 'user',
      sessionId: session,
      uuid: `u${i}`,
      timestamp: new Date(t0 + i * 60_000 + 3000).toISOString(),
      message: {
        content: [{ type: 'tool_result', tool_use_id: r.id, content: r.error ? 'Exit code 2' : 'ok', is_error: r.error === true }],
      },
    }),
  ]);
  return [...lines, ...extra].join('\n');
}

describe('skills import-claude', () => {
  const dir = tempDir();
  const claude = join(dir, 'claude');
  const projects = join(claude, 'projects');
  const db = join(dir, 'claude.db');
  mkdirSync(join(projects, '-home-alice-app'), { recursive: true });
  mkdirSync(join(projects, '-home-alice-site'), { recursive: true });
  mkdirSync(join(claude, 'skills', 'pdf'), { recursive: true });
  mkdirSync(join(claude, 'skills', 'never-used'), { recursive: true });
  writeFileSync(
    join(claude, 'skills', 'pdf', 'SKILL.md'),
    '---\nname: pdf\ndescription: Read and fill PDF forms\nmetadata:\n  workflow_phase: execution\n---\n# PDF\n',
  );
  writeFileSync(join(claude, 'skills', 'never-used', 'SKILL.md'), '---\nname: never-used\ndescription: A skill nobody runs\n---\n');
  const files = [
    [
      join(projects, '-home-alice-app', 's-1.jsonl'),
      transcript(
        's-1',
        [
          { id: 'toolu_a1', skill: 'pdf' },
          { id: 'toolu_a2', skill: 'xlsx', error: true },
        ],
        ['{"type": broken', JSON.stringify({ type: 'new-kind-of-entry' })],
      ),
    ],
    [join(projects, '-home-alice-site', 's-2.jsonl'), transcript('s-2', [{ id: 'toolu_b1', skill: 'pdf' }])],
  ] as const;
  for (const [path, content] of files) {
    writeFileSync(path, content);
    utimesSync(path, new Date(Date.UTC(2026, 10, 30, 10)), new Date(Date.UTC(2026, 10, 30, 10)));
  }
  const env = { CLAUDE_CONFIG_DIR: claude, USER: 'alice' };

  it('imports the runs of every project, says what it skipped, and files SKILL.md skills into the taxonomy', async () => {
    expect((await runMain(['init', '--db', db])).code).toBe(0);
    const result = await runMain(['import-claude', '--db', db, '--json'], { env });
    expect(result.stderr).toBe('');
    const summary = JSON.parse(result.stdout);
    expect(summary.projects).toEqual([
      {
        project: '-home-alice-app',
        files: 1,
        bytes: expect.any(Number),
        lines: 6,
        understood: 4,
        skipped: { 'malformed JSON': 1, 'unknown entry type new-kind-of-entry': 1 },
        runs: 2,
        recorded: 2,
        alreadyKnown: 0,
        stillOpen: 0,
      },
      {
        project: '-home-alice-site',
        files: 1,
        bytes: expect.any(Number),
        lines: 2,
        understood: 2,
        skipped: {},
        runs: 1,
        recorded: 1,
        alreadyKnown: 0,
        stillOpen: 0,
      },
    ]);
    expect(summary.skillFiles).toEqual({ known: 2, added: 2, problems: [] });
    const rows = JSON.parse((await runMain(['list', '--db', db, '--json'])).stdout);
    const items = Array.isArray(rows) ? rows : rows.items;
    const byId = new Map(items.map((r: { id: string }) => [r.id, r]));
    expect(byId.get('cc:toolu_a1')).toMatchObject({
      skill_name: 'pdf',
      user_id: 'alice',
      completed: true,
      duration_seconds: 3,
      workflow_phase: 'execution',
    });
    expect(byId.get('cc:toolu_a2')).toMatchObject({
      skill_name: 'xlsx',
      completed: false,
      error_type: 'Exit code 2',
      workflow_phase: null,
    });
    const taxonomy = JSON.parse((await runMain(['taxonomy', 'list', '--db', db, '--json'])).stdout);
    expect(taxonomy.categories.find((c: { category_name: string }) => c.category_name === 'Agent Skills').skills).toEqual([
      'never-used',
      'pdf',
    ]);
  });

  it('imports nothing twice when run again, and filters by project', async () => {
    const again = JSON.parse((await runMain(['import-claude', '--db', db, '--json', '--project', 'site'], { env })).stdout);
    expect(again.projects).toMatchObject([{ project: '-home-alice-site', runs: 1, recorded: 0, alreadyKnown: 1 }]);
    expect(again.skillFiles).toMatchObject({ known: 2, added: 0 });
  });

  it('prints a table for people', async () => {
    const table = await runMain(['import-claude', '--db', db], { env });
    expect(table.stdout).toMatch(
      /-home-alice-app\s+│\s+1 │\s+6 │ 1 malformed JSON; 1 unknown entry type new-kind-of-entry │\s+2 │\s+0 │\s+2 │\s+0 │/,
    );
    expect(table.stdout).toContain('Skills from SKILL.md files: 2 known (0 new in the taxonomy).');
  });

  it('names a missing folder', async () => {
    const missing = await runMain(['import-claude', join(dir, 'nope'), '--db', db], { env });
    expect(missing).toEqual({
      code: 1,
      stdout: '',
      stderr: `skills: no transcripts folder at ${join(dir, 'nope')} (Claude Code keeps them in ~/.claude/projects; give the folder as an argument)\n`,
    });
  });
});

describe('skills connect claude-code', () => {
  const dir = tempDir();

  it('prints the hooks and telemetry settings without --write', async () => {
    const printed = JSON.parse((await runMain(['connect', 'claude-code', '--json', '--server', 'http://127.0.0.1:9000'])).stdout);
    expect(printed.hooks.PostToolUse).toEqual([
      {
        matcher: 'Skill|Agent|Task',
        hooks: [
          {
            type: 'http',
            url: 'http://127.0.0.1:9000/v1/integrations/claude-code/hooks',
            headers: { Authorization: 'Bearer $SKILLS_TOKEN', 'X-Skills-User': '$USER' },
            allowedEnvVars: ['SKILLS_TOKEN', 'USER'],
            timeout: 5,
          },
        ],
      },
    ]);
    expect(Object.keys(printed.hooks)).toEqual([
      'PreToolUse',
      'PostToolUse',
      'PostToolUseFailure',
      'UserPromptExpansion',
      'Stop',
      'StopFailure',
      'SessionEnd',
    ]);
    expect(printed.env).toMatchObject({
      CLAUDE_CODE_ENABLE_TELEMETRY: '1',
      OTEL_LOGS_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'http://127.0.0.1:9000/v1/logs',
      OTEL_LOG_TOOL_DETAILS: '1',
    });
  });

  it('merges into the project settings keeping what is there, with a backup; a second run changes nothing', async () => {
    const project = join(dir, 'app');
    mkdirSync(join(project, '.claude'), { recursive: true });
    const settings = join(project, '.claude', 'settings.local.json');
    writeFileSync(
      settings,
      JSON.stringify({
        permissions: { allow: ['Bash(npm test)'] },
        hooks: { Stop: [{ hooks: [{ type: 'command', command: 'notify-send done' }] }] },
        env: { OTEL_LOG_TOOL_DETAILS: '0' },
      }),
    );
    const first = JSON.parse((await runMain(['connect', 'claude-code', '--project', project, '--write', '--json'])).stdout);
    expect(first.settings).toBe(settings);
    expect(first.added).toContain('hooks.PreToolUse');
    expect(first.added).not.toContain('env.OTEL_LOG_TOOL_DETAILS');
    expect(existsSync(first.backup)).toBe(true);
    const written = JSON.parse(readFileSync(settings, 'utf8'));
    expect(written.permissions).toEqual({ allow: ['Bash(npm test)'] });
    expect(written.hooks.Stop).toHaveLength(2);
    expect(written.hooks.Stop[0]).toEqual({ hooks: [{ type: 'command', command: 'notify-send done' }] });
    expect(written.env.OTEL_LOG_TOOL_DETAILS).toBe('0');
    const second = JSON.parse((await runMain(['connect', 'claude-code', '--project', project, '--write', '--json'])).stdout);
    expect(second).toEqual({ settings, added: [], backup: null });
    expect(readdirSync(join(project, '.claude')).filter((f) => f.includes('.bak-'))).toHaveLength(1);
  });

  it('refuses a settings file that is not JSON, changing nothing', async () => {
    const project = join(dir, 'broken');
    mkdirSync(join(project, '.claude'), { recursive: true });
    const settings = join(project, '.claude', 'settings.local.json');
    writeFileSync(settings, '{ "hooks": ');
    const result = await runMain(['connect', 'claude-code', '--project', project, '--write']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^skills: .*settings\.local\.json is not valid JSON \(.*\); nothing was changed\n$/);
    expect(readFileSync(settings, 'utf8')).toBe('{ "hooks": ');
    expect((await runMain(['connect', 'claude-code', '--write'])).stderr).toBe(
      'skills: --write needs --project DIR or --user: which settings file to change\n',
    );
  });
});
