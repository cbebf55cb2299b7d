import {
  analyzeExperiment,
  assign,
  createExperiment,
  listExperiments,
  recordOutcome,
  stopExperiment,
  type Experiment,
  type ExperimentAnalysis,
  type ExperimentInput,
  type ExperimentStatus,
  type MetricName,
} from '@skills/abtest';
import { EXPERIMENT_STATUSES } from '@skills/storage';
import type { Command } from 'commander';
import type { CommandContext } from '../cli-io.js';
import { CliError, optionError } from '../errors.js';
import { formatPercent, formatTime, printJson, printLine, printTable } from '../output.js';
import { withStore } from '../store-access.js';
import { parseNonNegative } from '../time-arguments.js';

interface CreateFlags {
  control?: string;
  treatment?: string;
  variant?: string[];
  ratio?: string;
  metrics?: string;
  minSample?: string;
  mode?: string;
  correction?: string;
  mde?: string;
  plannedUsers?: string;
  description?: string;
  json?: boolean;
}

interface RecordFlags {
  completed?: boolean;
  abandoned?: boolean;
  duration?: string;
  rating?: string;
  skill?: string;
  json?: boolean;
}

const STATUSES: readonly ExperimentStatus[] = EXPERIMENT_STATUSES;
const CORRECTIONS: Readonly<Record<string, 'holm' | 'benjamini-hochberg' | 'none'>> = {
  holm: 'holm',
  bh: 'benjamini-hochberg',
  'benjamini-hochberg': 'benjamini-hochberg',
  none: 'none',
};

/**
 * `skills abtest create|list|assign|record|analyze|stop`: experiments on recommendation strategies.
 * @example skills abtest create search-v2 --control semantic --treatment workflow-aware
 */
export function registerAbtestCommand(program: Command, context: CommandContext): void {
  const abtest = program
    .command('abtest')
    .description('A/B experiments on skill-recommendation strategies (sequential tests, CUPED, SRM check)');

  abtest
    .command('create')
    .description('create a running experiment')
    .argument('<name>', 'experiment name (unique)')
    .option('--control <strategy>', "control's strategy")
    .option('--treatment <strategy>', "treatment's strategy")
    .option(
      '--variant <name=strategy:weight>',
      'a variant (repeat; control first; weights sum to 1) instead of --control/--treatment',
      collect,
      [],
    )
    .option('--ratio <share>', "control's share of users (two variants; default 0.5)")
    .option(
      '--metrics <list>',
      'comma-separated: completion_rate, duration, rating; the first is primary (default completion_rate,duration)',
    )
    .option('--min-sample <n>', 'users with outcomes per variant before any verdict (default 100)')
    .option('--mode <mode>', 'sequential (always-valid, default) or fixed')
    .option('--correction <method>', 'multiple comparisons: holm (default), bh, none')
    .option('--mde <effect>', 'minimum detectable absolute difference in completion rate (default 0.05)')
    .option('--planned-users <n>', 'users per variant the sequential test is tuned to (default: the fixed-horizon size for the MDE)')
    .option('--description <text>', 'what the experiment is about')
    .option('--json', 'print as JSON')
    .action(async (name: string, _flags: CreateFlags, command: Command) => {
      const flags = command.optsWithGlobals<CreateFlags>();
      const input = createInput(name, flags);
      const experiment = await withStore(command, context, (store) => createExperiment(store, input, { now: context.now() }), {
        create: true,
      });
      if (flags.json) return printJson(context.io, experiment);
      printLine(context.io, `Created experiment ${experiment.name} (${experiment.id}): ${describeVariants(experiment)}.`);
    });

  abtest
    .command('list')
    .description('experiments, newest first')
    .option('--status <status>', `only ${STATUSES.join(', ')}`)
    .option('--json', 'print as JSON')
    .action(async (_flags: { status?: string; json?: boolean }, command: Command) => {
      const flags = command.optsWithGlobals<{ status?: string; json?: boolean }>();
      const status = flags.status as ExperimentStatus | undefined;
      if (status !== undefined && !STATUSES.includes(status))
        throw optionError('--status', `expected one of ${STATUSES.join(', ')} (got "${flags.status}")`);
      const experiments = await withStore(command, context, (store) => listExperiments(store, status ? { status } : {}));
      if (flags.json) return printJson(context.io, experiments);
      if (experiments.length === 0) return printLine(context.io, 'No experiments.');
      printTable(
        context.io,
        ['name', 'status', 'variants', 'metrics', 'mode', 'started'],
        experiments.map((e) => [e.name, e.status, describeVariants(e), e.metrics.join(', '), e.options.mode, formatTime(e.startDate)]),
      );
    });

  abtest
    .command('assign')
    .description("a user's variant (sticky: the same every time)")
    .argument('<experiment>', 'experiment name or id')
    .argument('<user>', 'user id')
    .option('--json', 'print as JSON')
    .action(async (experiment: string, user: string, _flags: { json?: boolean }, command: Command) => {
      const flags = command.optsWithGlobals<{ json?: boolean }>();
      const assignment = await withStore(command, context, (store) => assign(store, experiment, user, { now: context.now() }));
      if (flags.json) return printJson(context.io, assignment);
      printLine(context.io, assignment.variant);
    });

  abtest
    .command('record')
    .description('record one outcome of an assigned user')
    .argument('<experiment>', 'experiment name or id')
    .argument('<user>', 'user id')
    .option('--completed', 'the work was completed')
    .option('--abandoned', 'the work was abandoned')
    .option('--duration <seconds>', 'how long it took')
    .option('--rating <1-5>', "the user's rating")
    .option('--skill <name>', 'the skill involved')
    .option('--json', 'print as JSON')
    .action(async (experiment: string, user: string, _flags: RecordFlags, command: Command) => {
      const flags = command.optsWithGlobals<RecordFlags>();
      if (flags.completed === flags.abandoned) throw new CliError('give exactly one of --completed or --abandoned', 2);
      const outcome = {
        completed: flags.completed === true,
        ...(flags.duration === undefined ? {} : { durationSeconds: parseNonNegative(flags.duration, '--duration') }),
        ...(flags.rating === undefined ? {} : { rating: parseRating(flags.rating) }),
        ...(flags.skill === undefined ? {} : { skillName: flags.skill }),
      };
      await withStore(command, context, (store) => recordOutcome(store, experiment, user, outcome, { now: context.now() }));
      if (flags.json) return printJson(context.io, { experiment, user, recorded: true });
      printLine(context.io, `Recorded an outcome for ${user}.`);
    });

  abtest
    .command('analyze')
    .description('per variant against control: effect, intervals, p-values, Bayesian chance, SRM check, power and verdict')
    .argument('<experiment>', 'experiment name or id')
    .option('--json', 'print the whole analysis as JSON')
    .action(async (experiment: string, _flags: { json?: boolean }, command: Command) => {
      const flags = command.optsWithGlobals<{ json?: boolean }>();
      const analysis = await withStore(command, context, (store) => analyzeExperiment(store, experiment, { now: context.now() }));
      if (flags.json) return printJson(context.io, analysis);
      printAnalysis(context, analysis);
    });

  abtest
    .command('stop')
    .description('stop an experiment: nobody new is assigned')
    .argument('<experiment>', 'experiment name or id')
    .option('--json', 'print as JSON')
    .action(async (experiment: string, _flags: { json?: boolean }, command: Command) => {
      const flags = command.optsWithGlobals<{ json?: boolean }>();
      const stopped = await withStore(command, context, (store) => stopExperiment(store, experiment, { now: context.now() }));
      if (flags.json) return printJson(context.io, stopped);
      printLine(context.io, `Stopped experiment ${stopped.name}.`);
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function createInput(name: string, flags: CreateFlags): ExperimentInput {
  const options: NonNullable<ExperimentInput['options']> = {};
  if (flags.mode !== undefined) {
    if (flags.mode !== 'sequential' && flags.mode !== 'fixed')
      throw optionError('--mode', `expected sequential or fixed (got "${flags.mode}")`);
    options.mode = flags.mode;
  }
  if (flags.correction !== undefined) {
    const correction = CORRECTIONS[flags.correction];
    if (!correction) throw optionError('--correction', `expected holm, bh or none (got "${flags.correction}")`);
    options.correction = correction;
  }
  if (flags.mde !== undefined) options.minDetectableEffect = { completion_rate: parseNonNegative(flags.mde, '--mde') };
  if (flags.plannedUsers !== undefined) {
    const planned = Number(flags.plannedUsers);
    if (!Number.isInteger(planned) || planned < 2)
      throw optionError('--planned-users', `expected a whole number of users ≥ 2 (got "${flags.plannedUsers}")`);
    options.plannedUsersPerVariant = planned;
  }
  const input: ExperimentInput = { name, options };
  if (flags.description !== undefined) input.description = flags.description;
  if (flags.control !== undefined) input.controlStrategy = flags.control;
  if (flags.treatment !== undefined) input.treatmentStrategy = flags.treatment;
  if (flags.variant && flags.variant.length > 0) input.variants = flags.variant.map(parseVariant);
  if (flags.ratio !== undefined) input.assignmentRatio = parseNonNegative(flags.ratio, '--ratio');
  if (flags.metrics !== undefined) input.metrics = flags.metrics.split(',').map((m) => m.trim()) as MetricName[];
  if (flags.minSample !== undefined) input.minSampleSize = parseNonNegative(flags.minSample, '--min-sample');
  return input;
}

function parseVariant(text: string): { name: string; strategy: string; weight: number } {
  const match = /^([^=]+)=([^:]+):(.+)$/.exec(text);
  if (!match) throw optionError('--variant', `expected name=strategy:weight (got "${text}")`);
  return { name: match[1]!.trim(), strategy: match[2]!.trim(), weight: Number(match[3]) };
}

function parseRating(text: string): number {
  const rating = Number(text);
  if (!Number.isFinite(rating) || rating < 1 || rating > 5) throw optionError('--rating', `expected a number from 1 to 5 (got "${text}")`);
  return rating;
}

function describeVariants(e: Experiment): string {
  return e.variants.map((v) => `${v.name}=${v.strategy} ${formatPercent(v.weight)}%`).join(', ');
}

function printAnalysis(context: CommandContext, a: ExperimentAnalysis): void {
  printLine(
    context.io,
    `Experiment ${a.name} (${a.status}); ${a.mode} analysis, α = ${a.alpha}, ${a.correction} over ${a.familySize} comparisons.`,
  );
  printTable(
    context.io,
    ['variant', 'assigned', 'users', 'completion %', '95% CI', 'geo-mean s', 'rating'],
    a.variants.map((v) => [
      v.name,
      v.assigned,
      v.usersWithOutcomes,
      formatPercent(v.completionRate),
      `${formatPercent(v.completionRateInterval.lower)}–${formatPercent(v.completionRateInterval.upper)}`,
      v.geometricMeanDurationSeconds === null ? '' : v.geometricMeanDurationSeconds.toFixed(2),
      v.meanRating === null ? '' : v.meanRating.toFixed(2),
    ]),
    { align: ['left', 'right', 'right', 'right', 'right', 'right', 'right'] },
  );
  printTable(
    context.io,
    [
      'variant',
      'metric',
      'difference',
      'lift %',
      'p (fixed)',
      'p (always-valid)',
      'p adjusted',
      'of plan',
      'P(beat control)',
      'CUPED var ↓',
      'power',
    ],
    a.comparisons.map((c) => [
      c.variant,
      c.metric,
      c.difference.toPrecision(3),
      formatPercent(c.relativeLift),
      c.pValue.toPrecision(3),
      c.sequentialPValue.toPrecision(3),
      c.inFamily ? c.adjustedPValue.toPrecision(3) : 'no data',
      `${Math.round(100 * c.informationFraction)}% of ${c.plannedUsersPerVariant}`,
      c.bayesian ? formatPercent(c.bayesian.chanceToBeatControl) : '',
      c.cuped?.applied ? `${formatPercent(c.cuped.varianceReduction)}%` : '',
      c.power.toFixed(2),
    ]),
    { align: ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'] },
  );
  printLine(context.io, `SRM check: chi-square p = ${a.srm.pValue.toPrecision(3)}${a.srm.mismatch ? ' — MISMATCH' : ''}.`);
  printLine(context.io, `Verdict: ${a.verdict}${a.winner ? ` (${a.winner})` : ''} — ${a.reason}`);
}
