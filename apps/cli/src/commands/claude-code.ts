import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import {
  claudeCodeSettings,
  findSkillFiles,
  importTranscripts,
  mergeClaudeCodeSettings,
  registerSkillFiles,
  type ProjectSummary,
  type SkillFile,
} from '@skills/integrations';
import type { Command } from 'commander';
import type { CommandContext } from '../cli-io.js';
import { CliError } from '../errors.js';
import { formatCount, printJson, printLine, printTable } from '../output.js';
import { createProgress } from '../progress.js';
import { withStore } from '../store-access.js';
import { optionalTime } from '../time-arguments.js';

interface ImportFlags {
  since?: string;
  project?: string;
  user?: string;
  json?: boolean;
}

interface ConnectFlags {
  project?: string;
  user?: boolean;
  server: string;
  tokenEnv: string;
  prompts?: boolean;
  allTools?: boolean;
  write?: boolean;
  json?: boolean;
}

/** Claude Code's folder: `CLAUDE_CONFIG_DIR`, else `~/.claude`. */
function claudeDir(context: CommandContext): string {
  const env = context.io.env;
  if (env.CLAUDE_CONFIG_DIR) return env.CLAUDE_CONFIG_DIR;
  return join(env.HOME ?? homedir(), '.claude');
}

/** `skills import-claude [DIR]` and `skills connect claude-code`. */
export function registerClaudeCodeCommands(program: Command, context: CommandContext): void {
  const { io } = context;
  program
    .command('import-claude')
    .description("backfill skill runs from Claude Code's session transcripts (idempotent: runs already seen are not counted again)")
    .argument('[dir]', 'the transcripts folder (default: ~/.claude/projects, or $CLAUDE_CONFIG_DIR/projects)')
    .option('--since <time>', 'only transcripts written since (24h, 7d, ISO date)')
    .option('--project <name>', 'only project folders whose name contains this')
    .option('--user <id>', 'the user the runs belong to (default: $USER)')
    .option('--json', 'print the summary as JSON')
    .action(async (dir: string | undefined, flags: ImportFlags, command: Command) => {
      const now = (io.now ?? Date.now)();
      const since = optionalTime(flags.since, '--since', now);
      const base = claudeDir(context);
      const folder = resolve(dir ?? join(base, 'projects'));
      if (!existsSync(folder))
        throw new CliError(
          `no transcripts folder at ${folder} (Claude Code keeps them in ~/.claude/projects; give the folder as an argument)`,
        );
      if (!(await stat(folder)).isDirectory()) throw new CliError(`${folder}: is not a folder`);
      const found = await findSkillFiles({
        skills: [join(base, 'skills'), join(process.cwd(), '.claude', 'skills')],
        plugins: [join(base, 'plugins')],
      });
      const phases = new Map(found.skills.filter((s) => s.workflowPhase).map((s) => [s.name, s.workflowPhase!]));
      const userId = flags.user ?? io.env.USER;
      const result = await withStore(
        command,
        context,
        async (store) => {
          const skills = await registerSkillFiles(store, found.skills, now);
          const progress = createProgress(io, { label: 'importing transcripts', unit: 'bytes', itemName: 'bytes' });
          try {
            const projects = await importTranscripts(store, folder, {
              ...(since === undefined ? {} : { since }),
              ...(flags.project === undefined ? {} : { project: flags.project }),
              ...(userId === undefined ? {} : { userId }),
              now,
              phaseOf: (skill) => phases.get(skill),
              onProgress: (done) => progress.update(done),
            });
            return { projects, skills };
          } finally {
            progress.stop();
          }
        },
        { create: true },
      );
      report(context, folder, result.projects, result.skills, found, flags);
    });

  const connect = program.command('connect').description('point an agent at the server');
  connect
    .command('claude-code')
    .description(
      'the Claude Code hooks and telemetry settings that send its skill runs to the server (printed; merged into settings with --write)',
    )
    .option('--project <dir>', "write the project's .claude/settings.local.json (personal, not committed)")
    .option('--user', 'write your user settings (~/.claude/settings.json)')
    .option('--server <url>', 'the server address', 'http://127.0.0.1:8765')
    .option('--token-env <name>', 'environment variable that holds the write token', 'SKILLS_TOKEN')
    .option('--prompts', 'send prompts too (the server keeps them only with --claude-code-prompts on)')
    .option('--all-tools', 'hook every tool, not only skills and subagents')
    .option('--write', 'merge into the settings file (a backup is kept beside it)')
    .option('--json', 'print the settings fragment as JSON')
    .action(async (flags: ConnectFlags) => {
      if (flags.project !== undefined && flags.user) throw new CliError('--project and --user: choose one settings file');
      if (!/^https?:\/\/[^/\s]+/.test(flags.server))
        throw new CliError(`--server: expected an http(s) address such as http://127.0.0.1:8765 (got "${flags.server}")`);
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(flags.tokenEnv))
        throw new CliError(`--token-env: expected an environment variable name (got "${flags.tokenEnv}")`);
      const ours = claudeCodeSettings({
        serverUrl: flags.server,
        tokenVariable: flags.tokenEnv,
        prompts: flags.prompts === true,
        allTools: flags.allTools === true,
      });
      const target = flags.user
        ? join(claudeDir(context), 'settings.json')
        : flags.project !== undefined
          ? join(resolve(flags.project), '.claude', 'settings.local.json')
          : undefined;
      if (!flags.write) {
        if (flags.json) return printJson(io, ours);
        printLine(
          io,
          `Add this to ${target ?? 'your Claude Code settings (.claude/settings.local.json, or ~/.claude/settings.json)'}, or run again with --write:`,
        );
        printLine(io, JSON.stringify(ours, null, 2));
        printLine(io, `Then export ${flags.tokenEnv}=<a write token of the server> where Claude Code runs.`);
        return;
      }
      if (target === undefined) throw new CliError('--write needs --project DIR or --user: which settings file to change');
      let existing: unknown;
      if (existsSync(target)) {
        const text = await readFile(target, 'utf8');
        try {
          existing = text.trim() === '' ? {} : JSON.parse(text);
        } catch (error) {
          throw new CliError(`${target} is not valid JSON (${(error as Error).message}); nothing was changed`);
        }
      }
      let merged: ReturnType<typeof mergeClaudeCodeSettings>;
      try {
        merged = mergeClaudeCodeSettings(existing, ours);
      } catch (error) {
        throw new CliError(`${target}: ${(error as Error).message}; nothing was changed`);
      }
      if (merged.added.length === 0) {
        if (flags.json) return printJson(io, { settings: target, added: [], backup: null });
        return printLine(io, `${target} already sends skill runs to ${flags.server}: nothing to change.`);
      }
      await mkdir(dirname(target), { recursive: true });
      let backup: string | null = null;
      if (existing !== undefined) {
        backup = `${target}.bak-${new Date((io.now ?? Date.now)()).toISOString().replace(/[:.]/g, '-')}`;
        await copyFile(target, backup);
      }
      const temporary = `${target}.tmp-${process.pid}`;
      await writeFile(temporary, `${JSON.stringify(merged.settings, null, 2)}\n`);
      await rename(temporary, target);
      if (flags.json) return printJson(io, { settings: target, added: merged.added, backup });
      printLine(io, `Updated ${target}: added ${merged.added.join(', ')}.${backup ? ` Backup: ${backup}.` : ''}`);
      printLine(io, `Export ${flags.tokenEnv}=<a write token of the server> where Claude Code runs, and restart Claude Code.`);
    });
}

function report(
  context: CommandContext,
  folder: string,
  projects: ProjectSummary[],
  skills: { added: number; known: number },
  found: { skills: SkillFile[]; problems: string[] },
  flags: ImportFlags,
): void {
  const { io } = context;
  if (flags.json)
    return printJson(io, { folder, projects, skillFiles: { known: skills.known, added: skills.added, problems: found.problems } });
  if (projects.length === 0) printLine(io, `No transcripts under ${folder}${flags.since || flags.project ? ' matching the filters' : ''}.`);
  else {
    printTable(
      io,
      ['project', 'files', 'lines', 'skipped', 'skill runs', 'recorded', 'already known', 'still open'],
      projects.map((p) => [
        p.project,
        formatCount(p.files),
        formatCount(p.lines),
        Object.entries(p.skipped)
          .map(([reason, n]) => `${n} ${reason}`)
          .join('; ') || '0',
        formatCount(p.runs),
        formatCount(p.recorded),
        formatCount(p.alreadyKnown),
        formatCount(p.stillOpen),
      ]),
      { align: ['left', 'right', 'right', 'left', 'right', 'right', 'right', 'right'] },
    );
  }
  printLine(io, `Skills from SKILL.md files: ${skills.known} known (${skills.added} new in the taxonomy).`);
  for (const problem of found.problems) io.stderr.write(`skills: warning: ${problem}\n`);
}
