import {
  getSkillMetrics,
  listInvocations,
  searchInvocations,
  searchWords,
  sessionSummary,
  type Invocation,
  type ListInvocationsOptions,
} from '@skills/storage';
import type { Command } from 'commander';
import type { CommandContext } from '../cli-io.js';
import {
  formatCount,
  formatPercent,
  formatSeconds,
  formatTime,
  printDetails,
  printJson,
  printLine,
  printTable,
  truncate,
} from '../output.js';
import { withStore } from '../store-access.js';
import { optionalTime, parseInteger } from '../time-arguments.js';

/** Read commands over single invocations, sessions and skills: search, session, metrics, list. */
export function registerInvocationCommands(program: Command, context: CommandContext): void {
  const { io } = context;

  program
    .command('search')
    .description('full-text search over user queries, newest match first')
    .argument('<text>', 'words to find (all must match; English stop words such as "the" are ignored)')
    .option('--skill <name>', 'only this skill')
    .option('--limit <n>', 'how many (1-1000)', '20')
    .option('--json', 'print as JSON')
    .action(async (text: string, flags: { skill?: string; limit: string; json?: boolean }, command: Command) => {
      const limit = parseInteger(flags.limit, '--limit', 1, 1000);
      const found = await withStore(command, context, (store) =>
        searchInvocations(store, text, { limit, ...(flags.skill === undefined ? {} : { skill: flags.skill }) }),
      );
      if (flags.json) return printJson(io, found);
      if (found.length === 0) {
        const { words, stopWords } = searchWords(text);
        if (words.length > 0) return printLine(io, 'No matching invocations.');
        return printLine(
          io,
          `No matching invocations: ${stopWords.map((w) => `"${w}"`).join(', ')} ${stopWords.length === 1 ? 'is a stop word' : 'are stop words'}, ignored in searches; search for other words.`,
        );
      }
      printInvocations(context, found);
    });

  program
    .command('session')
    .description('what happened in one session')
    .argument('<id>', 'session id')
    .option('--json', 'print as JSON')
    .action(async (id: string, flags: { json?: boolean }, command: Command) => {
      const summary = await withStore(command, context, (store) => sessionSummary(store, id));
      if (flags.json) return printJson(io, summary);
      printDetails(io, [
        ['session', summary.session_id],
        ['invocations', summary.total_invocations],
        ['completed', summary.completed_count],
        ['abandoned', summary.abandoned_count],
        ['unique skills', summary.unique_skills],
        ['total duration s', formatSeconds(summary.total_duration_seconds)],
        ['first', formatTime(summary.first_skill_at)],
        ['last', formatTime(summary.last_skill_at)],
      ]);
      printTable(
        io,
        ['skill', 'invocations', 'first used', 'last used'],
        summary.skills.map((s) => [s.skill_name, s.invocation_count, formatTime(s.first_used), formatTime(s.last_used)]),
        { align: ['left', 'right', 'left', 'left'] },
      );
    });

  program
    .command('metrics')
    .description('lifetime totals of one skill')
    .argument('<skill>', 'skill name')
    .option('--json', 'print as JSON')
    .action(async (skill: string, flags: { json?: boolean }, command: Command) => {
      const metrics = await withStore(command, context, (store) => getSkillMetrics(store, skill));
      if (flags.json) return printJson(io, metrics);
      printDetails(io, [
        ['skill', metrics.skill_name],
        ['invocations', metrics.total_invocations],
        ['completed', metrics.completed_invocations],
        ['abandoned', metrics.abandoned_invocations],
        ['completion %', formatPercent(metrics.completion_rate)],
        ['avg duration s', formatSeconds(metrics.avg_duration_seconds)],
        ['first invoked', formatTime(metrics.first_invoked)],
        ['last invoked', formatTime(metrics.last_invoked)],
      ]);
      for (const [title, tally] of [
        ['workflow path', metrics.workflow_paths],
        ['error', metrics.common_errors],
        ['follow-up action', metrics.follow_up_actions],
      ] as const) {
        const rows = Object.entries(tally)
          .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
          .slice(0, 10);
        if (rows.length > 0) printTable(io, [title, 'count'], rows, { align: ['left', 'right'] });
      }
    });

  program
    .command('list')
    .description('list invocations, newest first, a page at a time')
    .option('--skill <name>', 'only this skill')
    .option('--user <id>', 'only this user')
    .option('--session <id>', 'only this session')
    .option('--phase <phase>', 'only this workflow phase')
    .option('--since <time>', 'from (inclusive): a duration ago such as 24h, epoch ms or ISO-8601')
    .option('--until <time>', 'to (exclusive)')
    .option('--limit <n>', 'page size (1-10000)', '20')
    .option('--cursor <cursor>', 'next page: the cursor printed after the previous one')
    .option('--json', 'print {"items", "nextCursor"} as JSON')
    .action(async (flags: ListFlags, command: Command) => {
      const options = listOptions(flags, context.now());
      const page = await withStore(command, context, (store) => listInvocations(store, options));
      if (flags.json) return printJson(io, page);
      if (page.items.length === 0) return printLine(io, 'No invocations.');
      printInvocations(context, page.items);
      if (page.nextCursor) printLine(io, `More: --cursor ${page.nextCursor}`);
    });
}

interface ListFlags {
  skill?: string;
  user?: string;
  session?: string;
  phase?: string;
  since?: string;
  until?: string;
  limit: string;
  cursor?: string;
  json?: boolean;
}

function listOptions(flags: ListFlags, now: number): ListInvocationsOptions {
  const options: ListInvocationsOptions = { limit: parseInteger(flags.limit, '--limit', 1, 10_000) };
  const since = optionalTime(flags.since, '--since', now);
  const until = optionalTime(flags.until, '--until', now);
  if (since !== undefined) options.since = since;
  if (until !== undefined) options.until = until;
  if (flags.skill !== undefined) options.skill = flags.skill;
  if (flags.user !== undefined) options.user = flags.user;
  if (flags.session !== undefined) options.session = flags.session;
  if (flags.phase !== undefined) options.phase = flags.phase;
  if (flags.cursor !== undefined) options.cursor = flags.cursor;
  return options;
}

function printInvocations(context: CommandContext, items: Invocation[]): void {
  printTable(
    context.io,
    ['invoked at', 'skill', 'session', 'user', 'phase', 'ok', 'duration s', 'query'],
    items.map((item) => [
      formatTime(item.invoked_at),
      item.skill_name,
      item.session_id,
      item.user_id,
      item.workflow_phase,
      item.completed ? 'yes' : 'no',
      formatSeconds(item.duration_seconds),
      truncate(item.user_query, 48),
    ]),
    { align: ['left', 'left', 'left', 'left', 'left', 'left', 'right', 'left'] },
  );
  printLine(context.io, `${formatCount(items.length)} invocations`);
}
