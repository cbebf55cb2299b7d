import { z } from 'zod';
import type { Correction } from './stats/multiple-comparisons.js';
import { ValidationError } from './errors.js';

/** What an experiment measures per user. `duration` is compared on the log scale (lower is better). */
export const METRICS = ['completion_rate', 'duration', 'rating'] as const;
export type MetricName = (typeof METRICS)[number];

export type ExperimentStatus = 'running' | 'stopped' | 'completed';

export interface Variant {
  name: string;
  strategy: string;
  /** Share of users, all weights summing to 1. */
  weight: number;
}

export interface AnalysisOptions {
  /** `sequential` (default): always-valid mSPRT, safe to look at every day. `fixed`: one look at the planned sample size. */
  mode: 'sequential' | 'fixed';
  alpha: number;
  /** Power the sample-size figure is planned for. */
  power: number;
  /**
   * Smallest effect worth detecting, per metric: absolute difference in completion rate,
   * difference in mean ln(duration) (0.1 ≈ 10 % faster), difference in mean rating.
   * Also the scale τ of the mSPRT mixture.
   */
  minDetectableEffect: Record<MetricName, number>;
  correction: Correction;
  /** Adjust with each user's pre-exposure history (default true). */
  cuped: boolean;
  /**
   * Users per variant the sequential test is tuned to (its boundary spends α up to this size).
   * null (default): the fixed-horizon size for the MDE at the planned power, from the data.
   */
  plannedUsersPerVariant: number | null;
}

export interface Experiment {
  id: string;
  name: string;
  description: string | null;
  controlStrategy: string;
  treatmentStrategy: string;
  /** Control first. */
  variants: Variant[];
  /** Control's share of users. */
  assignmentRatio: number;
  /** The first is the primary metric; the verdict is drawn on it. */
  metrics: MetricName[];
  /** Users with outcomes needed in every variant before any verdict. */
  minSampleSize: number;
  startDate: number;
  endDate: number | null;
  status: ExperimentStatus;
  salt: string;
  options: AnalysisOptions;
  createdAt: number;
}

export const DEFAULT_OPTIONS: AnalysisOptions = {
  mode: 'sequential',
  alpha: 0.05,
  power: 0.8,
  minDetectableEffect: { completion_rate: 0.05, duration: 0.1, rating: 0.25 },
  correction: 'holm',
  cuped: true,
  plannedUsersPerVariant: null,
};

const name = z.string().trim().min(1, 'must not be empty').max(200, 'at most 200 characters');
const probability = z.number().gt(0, 'must be > 0').lt(1, 'must be < 1');

const optionsSchema = z
  .object({
    mode: z.enum(['sequential', 'fixed']),
    alpha: probability,
    power: probability,
    minDetectableEffect: z
      .object({
        completion_rate: z.number().positive().max(1),
        duration: z.number().positive(),
        rating: z.number().positive().max(4),
      })
      .strict()
      .partial(),
    correction: z.enum(['holm', 'benjamini-hochberg', 'none']),
    cuped: z.boolean(),
    plannedUsersPerVariant: z.number().int('must be a whole number of users').min(2, 'must be ≥ 2').max(1_000_000_000).nullable(),
  })
  .strict()
  .partial();

/** Input of `createExperiment`; everything but the name and the strategies has a default. */
export const experimentInputSchema = z
  .object({
    name,
    description: z.string().max(2000).optional(),
    controlStrategy: name.optional(),
    treatmentStrategy: name.optional(),
    /** More than two variants (or named ones): control first; weights must sum to 1. */
    variants: z
      .array(z.object({ name, strategy: name, weight: z.number().min(0, 'must not be negative') }).strict())
      .min(2, 'at least two variants (control first)')
      .max(26)
      .optional(),
    /** Control's share for a two-variant experiment (default 0.5). */
    assignmentRatio: probability.optional(),
    metrics: z.array(z.enum(METRICS)).min(1).max(3).optional(),
    minSampleSize: z.number().int().min(1).max(100_000_000).optional(),
    startDate: z.number().int().nonnegative().optional(),
    endDate: z.number().int().nonnegative().optional(),
    salt: z.string().min(1).max(200).optional(),
    options: optionsSchema.optional(),
  })
  .strict();

export type ExperimentInput = z.input<typeof experimentInputSchema>;

/** Validates the input and fills the defaults: the experiment as it will be stored, minus id and dates. */
export function normalizeExperimentInput(input: unknown): Omit<Experiment, 'id' | 'salt' | 'startDate' | 'createdAt' | 'status'> & {
  salt: string | undefined;
  startDate: number | undefined;
} {
  const parsed = experimentInputSchema.safeParse(input);
  if (!parsed.success) {
    throw new ValidationError(parsed.error.issues.map((issue) => ({ index: -1, field: issue.path.join('.'), message: issue.message })));
  }
  const value = parsed.data;
  let variants: Variant[];
  if (value.variants) {
    if (value.assignmentRatio !== undefined)
      throw fieldError('assignmentRatio', 'give either variants (with weights) or assignmentRatio, not both');
    variants = value.variants.map((v) => ({ ...v }));
    const total = variants.reduce((sum, v) => sum + v.weight, 0);
    if (Math.abs(total - 1) > 1e-9) throw fieldError('variants', `weights must sum to 1 (they sum to ${total})`);
    variants.forEach((v, i) => {
      if (!(v.weight > 0)) throw fieldError(`variants.${i}.weight`, 'must be > 0');
    });
    const names = new Set(variants.map((v) => v.name));
    if (names.size !== variants.length) throw fieldError('variants', 'variant names must be distinct');
  } else {
    if (!value.controlStrategy) throw fieldError('controlStrategy', 'required (or give variants)');
    if (!value.treatmentStrategy) throw fieldError('treatmentStrategy', 'required (or give variants)');
    const ratio = value.assignmentRatio ?? 0.5;
    variants = [
      { name: 'control', strategy: value.controlStrategy, weight: ratio },
      { name: 'treatment', strategy: value.treatmentStrategy, weight: 1 - ratio },
    ];
  }
  if (value.endDate !== undefined && value.startDate !== undefined && value.endDate <= value.startDate) {
    throw fieldError('endDate', 'must be after startDate');
  }
  const metrics = value.metrics ?? ['completion_rate', 'duration'];
  if (new Set(metrics).size !== metrics.length) throw fieldError('metrics', 'must not repeat a metric');
  const options = mergeOptions(value.options ?? {});
  return {
    name: value.name,
    description: value.description ?? null,
    controlStrategy: variants[0]!.strategy,
    treatmentStrategy: variants[1]!.strategy,
    variants,
    assignmentRatio: variants[0]!.weight,
    metrics,
    minSampleSize: value.minSampleSize ?? 100,
    startDate: value.startDate,
    endDate: value.endDate ?? null,
    salt: value.salt,
    options,
  };
}

function mergeOptions(given: z.infer<typeof optionsSchema>): AnalysisOptions {
  const mde = { ...DEFAULT_OPTIONS.minDetectableEffect };
  for (const [metric, value] of Object.entries(given.minDetectableEffect ?? {})) {
    if (value !== undefined) mde[metric as MetricName] = value;
  }
  return {
    mode: given.mode ?? DEFAULT_OPTIONS.mode,
    alpha: given.alpha ?? DEFAULT_OPTIONS.alpha,
    power: given.power ?? DEFAULT_OPTIONS.power,
    minDetectableEffect: mde,
    correction: given.correction ?? DEFAULT_OPTIONS.correction,
    cuped: given.cuped ?? DEFAULT_OPTIONS.cuped,
    plannedUsersPerVariant: given.plannedUsersPerVariant ?? DEFAULT_OPTIONS.plannedUsersPerVariant,
  };
}

/** Stored options may predate a field: fill from the defaults. */
export function parseStoredOptions(json: string): AnalysisOptions {
  const parsed = optionsSchema.safeParse(JSON.parse(json));
  return mergeOptions(parsed.success ? parsed.data : {});
}

function fieldError(field: string, message: string): ValidationError {
  return new ValidationError([{ index: -1, field, message }]);
}
