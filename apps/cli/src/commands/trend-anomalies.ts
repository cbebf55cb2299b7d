import {
  DETECTION_METHODS,
  detectAndRecordAnomalies,
  listAnomalies,
  METRICS,
  skillTrend,
  type DetectAndRecordResult,
  type DetectionMethod,
  type Metric,
  type NotJudgedHour,
  type RecordedAnomaly,
  type Trend,
} from '@skills/timeseries';
import type { Store } from '@skills/storage';
import type { Command } from 'commander';
import type { CommandContext } from '../cli-io.js';
import { optionError } from '../errors.js';
import { formatTime, printDetails, printJson, printLine, printTable, truncate } from '../output.js';
import { withStore } from '../store-access.js';
import { optionalTime, parseInteger, parseTimeArgument } from '../time-arguments.js';

interface TrendFlags {
  days: string;
  metric: string;
  until?: string;
  json?: boolean;
}

interface AnomaliesFlags {
  since: string;
  until?: string;
  skill?: string;
  open?: boolean;
  detect?: boolean;
  explain?: boolean;
  method?: string;
  limit: string;
  json?: boolean;
}

/** `skills trend SKILL` and `skills anomalies`: trends and anomaly detection over the hourly rollups. */
export function registerTrendAnomaliesCommands(program: Command, context: CommandContext): void {
  program
    .command('trend')
    .description('is a skill getting better or worse? daily trend with a sparkline (robust: Mann–Kendall, Theil–Sen)')
    .argument('<skill>', 'skill name')
    .option('--days <n>', 'length of the window in days (3-366 for a trend)', '7')
    .option('--metric <name>', `one of ${METRICS.join(', ')}`, 'completion_rate')
    .option('--until <time>', 'end of the window (default: now; the current hour is left out)')
    .option('--json', 'print as JSON')
    .action(async (skill: string, flags: TrendFlags, command: Command) => {
      const now = context.now();
      const days = parseInteger(flags.days, '--days', 1, 366);
      const metric = parseMetric(flags.metric);
      const until = optionalTime(flags.until, '--until', now) ?? now;
      const { result, uncounted } = await withStore(command, context, async (store) => {
        const result = await skillTrend(store, skill, { metric, days, until });
        return { result, uncounted: await countFrom(store, skill, result.until, until) };
      });
      if (flags.json) return printJson(context.io, { skill, ...result, notCountedYet: uncounted });
      printTrend(context, skill, result);
      if (uncounted > 0) {
        printLine(
          context.io,
          `${uncounted} invocation${uncounted === 1 ? '' : 's'} since ${formatTime(result.until)} (the current hour) ${uncounted === 1 ? 'is' : 'are'} not counted yet: a trend uses complete hours only.`,
        );
      }
    });

  program
    .command('anomalies')
    .description('anomalies in completion rate, volume and duration (--detect judges the hours first and records what it finds)')
    .option('--since <time>', 'from: a duration ago such as 24h, epoch ms or ISO-8601', '24h')
    .option('--until <time>', 'to (default: now)')
    .option('--skill <name>', 'only this skill')
    .option('--open', 'only anomalies not yet resolved')
    .option('--detect', 'judge every complete hour from --since to --until first, and record new and resolved anomalies')
    .option(
      '--explain',
      'also list the hours from --since to --until that could not be judged, and why (judges without recording unless --detect)',
    )
    .option('--method <name>', `detection method: ${DETECTION_METHODS.join(' (default) or ')} (the original system's)`)
    .option('--limit <n>', 'list at most this many (1-10000)', '100')
    .option('--json', 'print as JSON')
    .action(async (flags: AnomaliesFlags, command: Command) => {
      const now = context.now();
      const since = parseTimeArgument(flags.since, '--since', now);
      const until = optionalTime(flags.until, '--until', now);
      if (until !== undefined && until < since) throw optionError('--until', 'expected a time after --since');
      const limit = parseInteger(flags.limit, '--limit', 1, 10_000);
      const method = flags.method === undefined ? undefined : parseMethod(flags.method);
      const { detection, anomalies } = await withStore(command, context, async (store) => {
        const detection =
          flags.detect || flags.explain
            ? await detectAndRecordAnomalies(store, {
                // The hours judged end at --until (a past range, such as a seeded workload's), never after now.
                now: until === undefined ? now : Math.min(until, now),
                since,
                ...(flags.detect ? {} : { dryRun: true }),
                ...(method === undefined ? {} : { method }),
                ...(flags.skill === undefined ? {} : { skills: [flags.skill] }),
              })
            : undefined;
        const anomalies = await listAnomalies(store, {
          since,
          limit,
          ...(until === undefined ? {} : { until }),
          ...(flags.skill === undefined ? {} : { skill: flags.skill }),
          ...(flags.open ? { open: true } : {}),
          ...(method === undefined ? {} : { method }),
        });
        return { detection, anomalies };
      });
      if (flags.json) {
        return printJson(context.io, {
          ...(detection === undefined || !flags.detect ? {} : { detection: summarizeDetection(detection) }),
          anomalies,
          ...(detection === undefined || !flags.explain ? {} : { notJudged: detection.notJudged }),
        });
      }
      if (detection !== undefined && flags.detect) printLine(context.io, describeDetection(detection));
      printAnomalies(context, anomalies, since);
      if (detection !== undefined && flags.explain) printNotJudged(context, detection);
    });
}

function parseMetric(value: string): Metric {
  if (!METRICS.includes(value as Metric)) throw optionError('--metric', `expected one of ${METRICS.join(', ')} (got "${value}")`);
  return value as Metric;
}

function parseMethod(value: string): DetectionMethod {
  if (!DETECTION_METHODS.includes(value as DetectionMethod)) {
    throw optionError('--method', `expected one of ${DETECTION_METHODS.join(', ')} (got "${value}")`);
  }
  return value as DetectionMethod;
}

const SPARKS = '▁▂▃▄▅▆▇█';

/**
 * One character per value, scaled between the smallest and the largest; a gap (null) is a space.
 * @example sparkline([1, 2, 3, null, 8]) // '▁▂▃ █'
 */
export function sparkline(values: readonly (number | null)[]): string {
  const present = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (present.length === 0) return ' '.repeat(values.length);
  const low = Math.min(...present);
  const high = Math.max(...present);
  return values
    .map((v) => {
      if (v === null || !Number.isFinite(v)) return ' ';
      if (high === low) return SPARKS[3];
      return SPARKS[Math.min(SPARKS.length - 1, Math.floor(((v - low) / (high - low)) * SPARKS.length))];
    })
    .join('');
}

/** A metric's value as people read it: a percentage, invocations, or seconds. */
function formatValue(metric: Metric, value: number | null | undefined, unit: 'day' | 'hour'): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '';
  if (metric === 'completion_rate') return `${(value * 100).toFixed(1)}%`;
  if (metric === 'invocation_count') return `${value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(1)}/${unit}`;
  return `${value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2)} s`;
}

function formatP(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '';
  return value < 0.001 ? value.toExponential(1) : value.toFixed(3);
}

/** Invocations of `skill` in [from, to): the hour the trend leaves out because it is not over. */
async function countFrom(store: Store, skill: string, from: number, to: number): Promise<number> {
  if (!(to > from)) return 0;
  const row = await store.db
    .selectFrom('skill_invocation')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('skill_name', '=', skill)
    .where('invoked_at', '>=', from)
    .where('invoked_at', '<', to)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

function printTrend(context: CommandContext, skill: string, t: Trend): void {
  const metricName = t.metric.replace(/_/g, ' ');
  printLine(context.io, `${skill}: ${metricName} ${t.direction.replace('_', ' ')} (${formatTime(t.since)} to ${formatTime(t.until)})`);
  const days = Math.round((t.until - t.since) / 86_400_000);
  const byDay: (number | null)[] = Array.from({ length: Number.isFinite(days) ? days : 0 }, () => null);
  for (const point of t.points) if (point.day < byDay.length) byDay[point.day] = point.value;
  const present = t.points.map((p) => p.value);
  if (present.length > 0) {
    const low = formatValue(t.metric, Math.min(...present), 'day');
    const high = formatValue(t.metric, Math.max(...present), 'day');
    printLine(context.io, `${sparkline(byDay)}  daily, oldest first: ${low} to ${high}`);
  }
  if (t.direction === 'insufficient_data') return printLine(context.io, t.summary);
  const slope = t.slopePerDay ?? Number.NaN;
  const perDay = t.metric === 'completion_rate' ? `${(slope * 100).toFixed(2)} points` : formatValue(t.metric, slope, 'day');
  printDetails(context.io, [
    ['direction', t.direction],
    ['change per day (Theil–Sen)', perDay],
    [
      '95% interval of the slope',
      t.theilSen ? `${formatValue(t.metric, t.theilSen.lowSlope, 'day')} to ${formatValue(t.metric, t.theilSen.highSlope, 'day')}` : '',
    ],
    ['change over the window', t.change === null ? '' : `${(t.change * 100).toFixed(1)}%`],
    ['Mann–Kendall p-value', formatP(t.mannKendall?.pValue)],
    ['least-squares slope, p-value', t.linear ? `${formatValue(t.metric, t.linear.slope, 'day')}, ${formatP(t.linear.pValue)}` : ''],
    ...(t.weekendFactor === null
      ? []
      : ([['weekend traffic (adjusted)', `${(t.weekendFactor * 100).toFixed(0)}% of weekdays`]] as [string, string][])),
    ['days with data', t.points.length],
  ]);
}

function summarizeDetection(d: DetectAndRecordResult) {
  return { since: d.since, until: d.until, skills: d.skills, detected: d.detected.length, resolved: d.resolved.length, open: d.open };
}

function describeDetection(d: DetectAndRecordResult): string {
  const hours = Math.round((d.until - d.since) / 3_600_000);
  return `Judged ${d.skills} skills over ${hours} hour${hours === 1 ? '' : 's'} (${formatTime(d.since)} to ${formatTime(d.until)}): ${d.detected.length} new, ${d.resolved.length} resolved, ${d.open} open.`;
}

/**
 * The hours that could not be judged, one row per skill, metric and reason: how many hours, the
 * first and last, and the latest reason in words.
 */
function printNotJudged(context: CommandContext, d: DetectAndRecordResult): void {
  const hours = Math.round((d.until - d.since) / 3_600_000);
  if (d.notJudged.length === 0) {
    return printLine(
      context.io,
      `Every hour of every metric was judged (${d.skills} skill${d.skills === 1 ? '' : 's'}, ${hours} hour${hours === 1 ? '' : 's'}).`,
    );
  }
  const groups = new Map<string, { first: NotJudgedHour; last: NotJudgedHour; count: number }>();
  for (const entry of d.notJudged) {
    const key = `${entry.skill}\u0000${entry.metric}\u0000${entry.code}`;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, { first: entry, last: entry, count: 1 });
    else {
      group.count += 1;
      if (entry.bucket < group.first.bucket) group.first = entry;
      if (entry.bucket >= group.last.bucket) group.last = entry;
    }
  }
  printLine(
    context.io,
    `Not judged (${d.notJudged.length} of ${d.skills * hours * 3} skill-hour-metrics, ${formatTime(d.since)} to ${formatTime(d.until)}):`,
  );
  printTable(
    context.io,
    ['skill', 'metric', 'hours', 'first (UTC)', 'last (UTC)', 'why'],
    [...groups.values()]
      .sort(
        (a, b) =>
          a.first.skill.localeCompare(b.first.skill) || a.first.metric.localeCompare(b.first.metric) || a.first.bucket - b.first.bucket,
      )
      .map((g) => [
        g.first.skill,
        g.first.metric,
        g.count,
        formatTime(g.first.bucket).slice(0, 16),
        formatTime(g.last.bucket).slice(0, 16),
        g.last.reason,
      ]),
    { align: ['left', 'left', 'right', 'left', 'left', 'left'] },
  );
}

function printAnomalies(context: CommandContext, anomalies: RecordedAnomaly[], since: number): void {
  if (anomalies.length === 0) return printLine(context.io, `No anomalies since ${formatTime(since)}.`);
  printTable(
    context.io,
    ['hour (UTC)', 'skill', 'metric', 'type', 'seen', 'usual', 'score', 'resolved', 'reason'],
    anomalies.map((a) => [
      formatTime(a.bucket).slice(0, 16),
      a.skill,
      a.metric,
      a.type,
      formatValue(a.metric, a.observed, 'hour'),
      formatValue(a.metric, a.baseline, 'hour'),
      a.score.toFixed(1),
      a.resolvedAt === null ? 'open' : formatTime(a.resolvedAt).slice(0, 16),
      truncate(a.reason, 60),
    ]),
    { align: ['left', 'left', 'left', 'left', 'right', 'right', 'right', 'left', 'left'] },
  );
}
