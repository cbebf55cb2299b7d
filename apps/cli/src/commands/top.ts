import { TOP_SKILLS_ORDERS, topSkills, type TopSkill, type TopSkillsOrder } from '@skills/storage';
import type { Command } from 'commander';
import type { CommandContext } from '../cli-io.js';
import { optionError } from '../errors.js';
import { formatPercent, formatSeconds, formatTime, printJson, printLine, printTable } from '../output.js';
import { withStore } from '../store-access.js';
import { optionalTime, parseInteger, parseTimeArgument } from '../time-arguments.js';

interface TopFlags {
  since: string;
  until?: string;
  limit: string;
  orderBy: string;
  json?: boolean;
}

/** `skills top`: the busiest (or best, or slowest) skills in a window. */
export function registerTopCommand(program: Command, context: CommandContext): void {
  program
    .command('top')
    .description('top skills in a time window (hourly resolution)')
    .option('--since <time>', 'from: a duration ago such as 24h, epoch ms or ISO-8601', '24h')
    .option('--until <time>', 'to (default: now)')
    .option('--limit <n>', 'how many skills (1-1000)', '10')
    .option('--order-by <key>', `sort by ${TOP_SKILLS_ORDERS.join(', ')}`, 'invocations')
    .option('--json', 'print as JSON')
    .action(async (flags: TopFlags, command: Command) => {
      const now = context.now();
      const since = parseTimeArgument(flags.since, '--since', now);
      const until = optionalTime(flags.until, '--until', now);
      const limit = parseInteger(flags.limit, '--limit', 1, 1000);
      const orderBy = flags.orderBy as TopSkillsOrder;
      if (!TOP_SKILLS_ORDERS.includes(orderBy))
        throw optionError('--order-by', `expected one of ${TOP_SKILLS_ORDERS.join(', ')} (got "${flags.orderBy}")`);
      const skills = await withStore(command, context, (store) =>
        topSkills(store, { since, limit, orderBy, ...(until === undefined ? {} : { until }) }),
      );
      if (flags.json) return printJson(context.io, skills);
      printTopSkills(context, skills, since, until ?? now);
    });
}

export function printTopSkills(context: CommandContext, skills: TopSkill[], since: number, until: number): void {
  const window = `${formatTime(since)} to ${formatTime(until)}`;
  if (skills.length === 0) return printLine(context.io, `No invocations from ${window}.`);
  printLine(context.io, `Top skills from ${window} (whole hours):`);
  printTable(
    context.io,
    ['skill', 'invocations', 'completion %', 'avg s', 'p95 s'],
    skills.map((skill) => [
      skill.skill_name,
      skill.invocations,
      formatPercent(skill.completion_rate),
      formatSeconds(skill.avg_duration_seconds),
      formatSeconds(skill.p95_duration_seconds),
    ]),
    { align: ['left', 'right', 'right', 'right', 'right'] },
  );
}
