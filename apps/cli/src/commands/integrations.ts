import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { listPipelines, pipelineReport, qualityInputKind, recordQualityInput } from '@skills/integrations';
import type { Command } from 'commander';
import type { CommandContext } from '../cli-io.js';
import { CliError } from '../errors.js';
import { formatCount, formatPercent, formatTime, printJson, printLine, printTable } from '../output.js';
import { withStore } from '../store-access.js';
import { optionalTime } from '../time-arguments.js';

interface ReportFlags {
  since?: string;
  until?: string;
  json?: boolean;
}

interface QualityFlags {
  file?: string;
  skillMetrics?: string | true;
  user?: string;
  json?: boolean;
}

/** Where Crackerjack keeps its own metrics, relative to the project. */
const SKILL_METRICS_FILE = '.session-buddy/skill_metrics.json';

/**
 * `skills ci pipelines` and `skills ci report PIPELINE`: the CI/CD reports of @skills/integrations;
 * `skills integrations crackerjack`: a quality run report (or skill_metrics.json) as invocations.
 */
export function registerIntegrationCommands(program: Command, context: CommandContext): void {
  const { io } = context;
  const integrations = program.command('integrations').description('record runs of outside tools as skill invocations');
  integrations
    .command('crackerjack')
    .description(
      'record a quality run report (JSON on stdin, or --file) as invocations, one session per run; the same report twice writes nothing twice',
    )
    .option('--file <path>', 'read the report from this file instead of stdin')
    .option('--skill-metrics [path]', `read Crackerjack's own skill metrics (default: ${SKILL_METRICS_FILE})`)
    .option('--user <id>', 'the user of the invocations when the report names none (default: $USER)')
    .option('--json', 'print what was recorded as JSON')
    .action(async (flags: QualityFlags, command: Command) => {
      if (flags.file !== undefined && flags.skillMetrics !== undefined) throw new CliError('--file and --skill-metrics: choose one input');
      const path =
        flags.skillMetrics === undefined ? flags.file : resolve(flags.skillMetrics === true ? SKILL_METRICS_FILE : flags.skillMetrics);
      const source = path ?? 'stdin';
      if (path === undefined && (io.stdin as { isTTY?: boolean }).isTTY)
        throw new CliError('no report: pipe it in (skills integrations crackerjack < report.json) or give --file PATH');
      const text = path === undefined ? await readAll(io.stdin) : await readFile(path, 'utf8');
      let input: unknown;
      try {
        input = JSON.parse(text);
      } catch (error) {
        throw new CliError(`${source}: not valid JSON (${(error as Error).message}); nothing written`);
      }
      if (flags.skillMetrics !== undefined && qualityInputKind(input) !== 'skill-metrics')
        throw new CliError(`${source}: skills: required (a skill_metrics.json); nothing written`);
      const userId = flags.user ?? io.env.USER;
      const report = await withStore(command, context, (store) => recordQualityInput(store, input, { userId, now: context.now() }), {
        create: true,
      });
      if (flags.json) return printJson(io, report);
      const what = report.kind === 'run' ? `checks of ${report.session}` : `skill-metrics entries from ${source}`;
      printLine(
        io,
        `Recorded ${formatCount(report.recorded)} of ${formatCount(report.invocations)} ${what} (${formatCount(report.known)} already known, ${formatCount(report.skipped)} skipped).`,
      );
    });

  const ci = program.command('ci').description('CI/CD pipelines recorded from GitHub Actions, GitLab and the generic CI form');
  ci.command('pipelines')
    .description('pipelines with runs in the window (default: the last 7 days)')
    .option('--since <time>', 'from (24h, 7d, ISO date)')
    .option('--until <time>', 'to (24h, 7d, ISO date)')
    .option('--json', 'print JSON')
    .action(async (flags: ReportFlags, command: Command) => {
      const now = (io.now ?? Date.now)();
      const window = { since: optionalTime(flags.since, '--since', now), until: optionalTime(flags.until, '--until', now) };
      const pipelines = await withStore(command, context, (store) => listPipelines(store, window, now));
      if (flags.json) return printJson(io, { pipelines });
      if (pipelines.length === 0) return printLine(io, 'No CI runs in this window.');
      printTable(
        io,
        ['pipeline', 'provider', 'runs', 'jobs', 'job success', 'last run'],
        pipelines.map((p) => [
          p.pipeline,
          p.provider,
          formatCount(p.runs),
          formatCount(p.jobs),
          formatPercent(p.success_rate),
          formatTime(p.last_run_at),
        ]),
        { align: ['left', 'left', 'right', 'right', 'right', 'left'] },
      );
    });
  ci.command('report')
    .description('stage success rates, durations, bottlenecks, flaky steps and recommendations of one pipeline')
    .argument('<pipeline>', 'the pipeline (see skills ci pipelines)')
    .option('--since <time>', 'from (default: 7 days before --until)')
    .option('--until <time>', 'to (default: now)')
    .option('--json', 'print JSON (the same as GET /v1/integrations/ci/report)')
    .action(async (pipeline: string, flags: ReportFlags, command: Command) => {
      const now = (io.now ?? Date.now)();
      const window = { since: optionalTime(flags.since, '--since', now), until: optionalTime(flags.until, '--until', now) };
      const report = await withStore(command, context, (store) => pipelineReport(store, pipeline, window, now));
      if (flags.json) return printJson(io, report);
      printLine(io, `CI/CD pipeline report: ${report.pipeline} (${formatTime(report.since)} to ${formatTime(report.until)})`);
      printLine(
        io,
        `Runs: ${formatCount(report.runs)}, jobs: ${formatCount(report.jobs)}, job success rate: ${formatPercent(report.overall_success_rate)}%`,
      );
      if (report.stages.length === 0) return printLine(io, 'No jobs of this pipeline in this window.');
      printTable(
        io,
        ['stage', 'phase', 'runs', 'succeeded', 'success', 'avg s', 'jobs'],
        report.stages.map((s) => [
          s.stage,
          s.workflow_phase ?? '-',
          formatCount(s.total_runs),
          formatCount(s.successful_runs),
          formatPercent(s.success_rate),
          s.avg_duration_seconds === null ? '-' : s.avg_duration_seconds.toFixed(1),
          s.skills_used.join(', '),
        ]),
        { align: ['left', 'left', 'right', 'right', 'right', 'right', 'left'] },
      );
      printLine(io, 'Bottlenecks:');
      if (report.bottlenecks.length === 0) printLine(io, '  No significant bottlenecks detected!');
      for (const b of report.bottlenecks)
        printLine(io, `  [${b.severity.toUpperCase()}] ${b.stage}: ${formatPercent(b.success_rate)}% success`);
      printLine(io, 'Flaky steps:');
      if (report.flaky_steps.length === 0) printLine(io, '  None detected.');
      for (const f of report.flaky_steps)
        printLine(
          io,
          `  ${f.name}: failed, then passed on a retry of the same commit (${f.commits} commit(s), latest ${f.latest.commit.slice(0, 7)})`,
        );
      printLine(io, 'Recommendations:');
      if (report.recommendations.length === 0) printLine(io, '  No recommendations at this time.');
      for (const r of report.recommendations) printLine(io, `  [${r.priority.toUpperCase()}] ${r.message}`);
    });
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer | string>) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}
