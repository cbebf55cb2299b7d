import {
  loadPredictor,
  predictSuccess,
  savePredictor,
  trainPredictor,
  type EvaluationReport,
  type Prediction,
  type PredictorModel,
  type TrainProgress,
} from '@skills/predictor';
import type { Command } from 'commander';
import type { CommandContext } from '../cli-io.js';
import { CliError } from '../errors.js';
import { formatCount, formatPercent, formatTime, printJson, printLine, printTable } from '../output.js';
import { createProgress, type Progress } from '../progress.js';
import { withStore } from '../store-access.js';
import { optionalInteger, optionalTime } from '../time-arguments.js';

interface TrainFlags {
  since?: string;
  until?: string;
  json?: boolean;
}

interface EvaluateFlags {
  model?: string;
  json?: boolean;
}

interface PredictFlags {
  query?: string;
  phase?: string;
  user?: string;
  at?: string;
  model?: string;
  json?: boolean;
}

/**
 * `skills predict`: train, evaluate and query the success predictor.
 * `skills predict train`, `skills predict evaluate`, `skills predict SKILL --query … --phase …`.
 */
export function registerPredictCommand(program: Command, context: CommandContext): void {
  const predict = program
    .command('predict')
    .description('success probability of a skill before it runs (train the model first: skills predict train)')
    .argument('[skill]', 'skill to predict for (subcommands: train, evaluate)')
    .option('--query <text>', 'the user query the skill would answer')
    .option('--phase <phase>', 'workflow phase: setup, execution, verification, cleanup, rollback')
    .option('--user <id>', 'user id (default: none, the global prior for the user rate)')
    .option('--at <time>', 'when the skill would run: ISO-8601 or epoch ms (default: now)')
    .option('--model <version>', 'saved model version (default: the latest)')
    .option('--json', 'print as JSON')
    .action(async (skill: string | undefined, _flags: PredictFlags, command: Command) => {
      if (skill === undefined) throw new CliError('missing SKILL (or a subcommand: train, evaluate); see skills predict --help', 2);
      const flags = command.optsWithGlobals<PredictFlags>();
      const now = context.now();
      const at = optionalTime(flags.at, '--at', now) ?? now;
      const version = optionalInteger(flags.model, '--model', 1, Number.MAX_SAFE_INTEGER);
      const model = await withStore(command, context, (store) => loadPredictor(store, version === undefined ? {} : { version }));
      const prediction = predictSuccess(model, {
        skill,
        at,
        query: flags.query ?? null,
        phase: flags.phase ?? null,
        user: flags.user ?? null,
      });
      if (flags.json) return printJson(context.io, { skill, model: model.version, ...prediction });
      printPrediction(context, skill, model, prediction);
    });

  predict
    .command('train')
    .description('train a model on the stored invocations, evaluate it on the most recent 20% and save it')
    .option('--since <time>', 'train on invocations from: a duration ago such as 30d, epoch ms or ISO-8601 (default: all)')
    .option('--until <time>', 'to (default: no limit)')
    .option('--json', 'print the saved model summary and evaluation as JSON')
    .action(async (_flags: TrainFlags, command: Command) => {
      const flags = command.optsWithGlobals<TrainFlags>();
      const now = context.now();
      const since = optionalTime(flags.since, '--since', now);
      const until = optionalTime(flags.until, '--until', now);
      const progress = trainingProgress(context);
      let model: PredictorModel;
      try {
        model = await withStore(command, context, async (store) => {
          const trained = await trainPredictor(store, {
            now,
            onProgress: progress.update,
            ...(since === undefined ? {} : { since }),
            ...(until === undefined ? {} : { until }),
          });
          return savePredictor(store, trained, { now });
        });
      } finally {
        progress.stop();
      }
      if (flags.json) return printJson(context.io, summary(model));
      printLine(
        context.io,
        `Trained model v${model.version} on ${formatCount(model.trainingRows)} invocations in ${(model.metrics.trainingMs / 1000).toFixed(1)} s.`,
      );
      printReport(context, model.metrics);
    });

  predict
    .command('evaluate')
    .description("the latest saved model's evaluation: model vs baseline on the held-out most recent 20%")
    .option('--model <version>', 'saved model version (default: the latest)')
    .option('--json', 'print as JSON')
    .action(async (_flags: EvaluateFlags, command: Command) => {
      const flags = command.optsWithGlobals<EvaluateFlags>();
      const version = optionalInteger(flags.model, '--model', 1, Number.MAX_SAFE_INTEGER);
      const model = await withStore(command, context, (store) => loadPredictor(store, version === undefined ? {} : { version }));
      if (flags.json) return printJson(context.io, summary(model));
      printLine(
        context.io,
        `Model v${model.version}, trained ${formatTime(model.trainedAt)} on ${formatCount(model.trainingRows)} invocations (feature version ${model.featureVersion}).`,
      );
      printReport(context, model.metrics);
    });
}

/** What `train --json` and `evaluate --json` print: everything but the forest and the aggregates. */
function summary(model: PredictorModel) {
  return {
    version: model.version,
    featureVersion: model.featureVersion,
    trainedAt: model.trainedAt,
    trainingRows: model.trainingRows,
    features: model.features,
    metrics: model.metrics,
  };
}

/** One bar per stage (reading invocations, then training trees); silent unless stderr is a terminal. */
function trainingProgress(context: CommandContext): { update: (progress: TrainProgress) => void; stop: () => void } {
  let stage: TrainProgress['stage'] | undefined;
  let bar: Progress | undefined;
  return {
    update(progress) {
      if (progress.stage !== stage) {
        bar?.stop();
        stage = progress.stage;
        const label = stage === 'reading' ? 'Reading' : stage === 'training' ? 'Training' : 'Evaluating';
        const itemName = stage === 'reading' ? 'invocations' : stage === 'training' ? 'trees' : 'steps';
        bar = createProgress(context.io, { label, unit: 'items', total: progress.total, itemName });
      }
      bar?.update(progress.done);
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}

const fixed = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const signed = (value: number, digits: number) => (Number.isFinite(value) ? `${value >= 0 ? '+' : ''}${value.toFixed(digits)}` : 'n/a');

export function printReport(context: CommandContext, report: EvaluationReport): void {
  const { rows, model, baseline, improvement } = report;
  printLine(
    context.io,
    `Held-out test: the most recent ${formatCount(rows.test)} invocations (${formatTime(report.testPeriod.from)} to ${formatTime(report.testPeriod.to)}), ` +
      `${formatPercent(report.testCompletionRate)}% completed; fitted on ${formatCount(rows.fit)}, calibrated on ${formatCount(rows.calibration)}.`,
  );
  printTable(
    context.io,
    ['metric', 'model', 'baseline', 'model better by'],
    [
      ['ROC AUC (higher is better)', fixed(model.auc, 3), fixed(baseline.auc, 3), signed(improvement.auc, 3)],
      ['Brier (lower is better)', fixed(model.brier, 4), fixed(baseline.brier, 4), signed(improvement.brier, 4)],
      ['log loss (lower is better)', fixed(model.logLoss, 4), fixed(baseline.logLoss, 4), signed(improvement.logLoss, 4)],
      ['ECE, 10 bins (lower is better)', fixed(model.ece, 4), fixed(baseline.ece, 4), signed(improvement.ece, 4)],
    ],
    { align: ['left', 'right', 'right', 'right'] },
  );
  printLine(
    context.io,
    `As deployed: tallies frozen at the start of the test slice. With tallies updated after every test row: model AUC ${fixed(report.running.model.auc, 3)}, baseline ${fixed(report.running.baseline.auc, 3)}.`,
  );
  printLine(context.io, "Baseline: the skill's historical completion rate. Calibration of the model on the test slice:");
  printTable(
    context.io,
    ['predicted', 'invocations', 'mean predicted %', 'observed %'],
    model.calibration.map((bin) => [
      `${Math.round(bin.lower * 100)}–${Math.round(bin.upper * 100)}%`,
      bin.count,
      formatPercent(bin.meanPredicted),
      formatPercent(bin.observedRate),
    ]),
    { align: ['left', 'right', 'right', 'right'] },
  );
}

function printPrediction(context: CommandContext, skill: string, model: PredictorModel, prediction: Prediction): void {
  printLine(
    context.io,
    `${skill}: ${formatPercent(prediction.probability)}% chance of completing (baseline, the skill's historical rate: ${formatPercent(prediction.baseline)}%; model v${model.version}).`,
  );
  if (prediction.factors.length > 0) {
    printTable(
      context.io,
      ['factor', 'as given', 'effect (points)'],
      prediction.factors.map((factor) => [factor.factor, factor.value, signed(factor.effect * 100, 1)]),
      { align: ['left', 'left', 'right'] },
    );
    printLine(
      context.io,
      'Effect: the probability with this input minus without it (no phase, an average hour, no user, a new session, no query).',
    );
  }
  for (const note of prediction.notes) printLine(context.io, `note: ${note}`);
}
