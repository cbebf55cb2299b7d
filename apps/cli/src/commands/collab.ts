import {
  communityBaselines,
  compareWithCommunity,
  recommendSkills,
  similarUsers,
  skillDependencies,
  type CommunityBaseline,
  type CommunityComparison,
  type Recommendation,
  type RecommendationModel,
  type SimilarityMethod,
  type SimilarUserMatch,
  type SkillDependencyRow,
} from '@skills/collab';
import type { Command } from 'commander';
import type { CommandContext } from '../cli-io.js';
import { CliError, optionError } from '../errors.js';
import { formatCount, formatPercent, formatSeconds, printJson, printLine, printTable } from '../output.js';
import { withStore } from '../store-access.js';
import { registerForgetCommand } from './forget.js';
import { parseInteger, parseNonNegative } from '../time-arguments.js';

const METHODS: readonly SimilarityMethod[] = ['exact', 'lsh', 'auto'];
const MODELS: readonly RecommendationModel[] = ['ease', 'user-knn'];
const MAX = Number.MAX_SAFE_INTEGER;
const PSEUDONYMS = `
Users are compared by the skills they completed, read from
skill_user_interactions, where user ids are kept only as keyed pseudonyms
(HMAC under the store's secret: SKILLS_PSEUDONYM_SECRET, or the key file
<db file>.secret next to a SQLite store).`;

interface RecommendFlags {
  limit: string;
  model: string;
  neighbours: string;
  minSuccesses: string;
  json?: boolean;
}

interface SimilarFlags {
  k: string;
  method: string;
  minSuccesses: string;
  json?: boolean;
}

interface DepsFlags {
  minLift: string;
  minSessions: string;
  limit: string;
  json?: boolean;
}

/**
 * `skills recommend|similar|baselines|compare|deps|forget`: collaborative analytics
 * (`@skills/collab`) over the store's pseudonymised user interactions.
 * @example skills recommend user-001 --limit 5
 */
export function registerCollabCommands(program: Command, context: CommandContext): void {
  const { io } = context;

  program
    .command('recommend')
    .description("skills USER has not tried yet, ranked by the skills USER uses (or by USER's most similar users' success)")
    .argument('<user>', 'user id')
    .option('--limit <n>', 'how many skills (1-1000)', '10')
    .option(
      '--model <model>',
      `${MODELS.join(' or ')}: skills used together with USER's (EASE), or the success of USER's most similar users`,
      'ease',
    )
    .option('--neighbours <n>', 'user-knn: similar users whose success is weighed (1-1000)', '20')
    .option('--min-successes <n>', 'completed invocations before a user counts as using a skill', '1')
    .option('--json', 'print as JSON')
    .addHelpText(
      'after',
      `${PSEUDONYMS}\nWhen the model gives too few (a new user has no skills yet), the list is\nfilled with the skills most users complete (basis: popularity). Reasons never\nname another user.`,
    )
    .action(async (user: string, flags: RecommendFlags, command: Command) => {
      const userId = checkUser(user);
      const model = flags.model as RecommendationModel;
      if (!MODELS.includes(model)) throw optionError('--model', `expected one of ${MODELS.join(', ')} (got "${flags.model}")`);
      const options = {
        model,
        limit: parseInteger(flags.limit, '--limit', 1, 1000),
        neighbours: parseInteger(flags.neighbours, '--neighbours', 1, 1000),
        minSuccesses: parseInteger(flags.minSuccesses, '--min-successes', 1, MAX),
      };
      const recommendations = await withStore(command, context, (store) => recommendSkills(store, userId, options));
      if (flags.json) return printJson(io, recommendations);
      printRecommendations(context, userId, recommendations);
    });

  program
    .command('similar')
    .description("users whose completed skills are most like USER's (Jaccard); others appear only as pseudonyms")
    .argument('<user>', 'user id')
    .option('--k <n>', 'how many users (1-1000)', '10')
    .option('--method <method>', `${METHODS.join(', ')}: exact search, MinHash/LSH, or LSH above 250,000 users and exact below`, 'auto')
    .option('--min-successes <n>', 'completed invocations before a user counts as using a skill', '1')
    .option('--json', 'print as JSON')
    .addHelpText(
      'after',
      `${PSEUDONYMS}\nOther users appear only as pseudonyms: the same on every run against the\nsame store, but not reversible to a user id.`,
    )
    .action(async (user: string, flags: SimilarFlags, command: Command) => {
      const userId = checkUser(user);
      const method = flags.method as SimilarityMethod;
      const k = parseInteger(flags.k, '--k', 1, 1000);
      if (!METHODS.includes(method)) throw optionError('--method', `expected one of ${METHODS.join(', ')} (got "${flags.method}")`);
      const minSuccesses = parseInteger(flags.minSuccesses, '--min-successes', 1, MAX);
      const similar = await withStore(command, context, (store) => similarUsers(store, userId, { k, method, minSuccesses }));
      if (flags.json) return printJson(io, similar);
      printSimilar(context, userId, similar, minSuccesses);
    });

  program
    .command('baselines')
    .description("compute and store every skill's community baseline (users, completion rate, percentile)")
    .option('--json', 'print as JSON')
    .action(async (flags: { json?: boolean }, command: Command) => {
      const baselines = await withStore(command, context, (store) => communityBaselines(store, { now: context.now() }));
      if (flags.json) return printJson(io, baselines);
      printBaselines(context, baselines);
    });

  program
    .command('compare')
    .description("USER's completion rate per skill against everyone else's: above, below or indistinguishable")
    .argument('<user>', 'user id')
    .option('--alpha <a>', 'significance level of the exact binomial test, between 0 and 1', '0.05')
    .option('--json', 'print as JSON')
    .action(async (user: string, flags: { alpha: string; json?: boolean }, command: Command) => {
      const userId = checkUser(user);
      const alpha = parseOpenFraction(flags.alpha, '--alpha');
      const comparisons = await withStore(command, context, (store) => compareWithCommunity(store, userId, { alpha }));
      if (flags.json) return printJson(io, comparisons);
      printComparisons(context, userId, comparisons, alpha);
    });

  program
    .command('deps')
    .description('skills that go with SKILL: seen together in sessions (lift) or declared by the taxonomy')
    .argument('<skill>', 'skill name')
    .option('--min-lift <x>', 'lowest lift shown (1 is chance)', '1.5')
    .option('--min-sessions <n>', 'observed pairs need at least this many sessions together', '5')
    .option('--limit <n>', 'how many skills (1-1000)', '10')
    .option('--json', 'print as JSON')
    .action(async (skill: string, flags: DepsFlags, command: Command) => {
      if (skill.trim() === '') throw new CliError('SKILL: expected a skill name');
      const options = {
        minLift: parseNonNegative(flags.minLift, '--min-lift'),
        minSessions: parseInteger(flags.minSessions, '--min-sessions', 1, MAX),
        limit: parseInteger(flags.limit, '--limit', 1, 1000),
        now: context.now(),
      };
      const dependencies = await withStore(command, context, (store) => skillDependencies(store, skill, options));
      if (flags.json) return printJson(io, dependencies);
      printDependencies(context, skill, dependencies, options.minLift);
    });

  registerForgetCommand(program, context);
}

/** The user id as stored: trimmed, as the recorder trims it. */
function checkUser(user: string): string {
  if (user.trim() === '') throw new CliError('USER: expected a user id');
  return user.trim();
}

/** A number strictly between 0 and 1, e.g. a significance level. */
function parseOpenFraction(value: string, option: string): number {
  const text = value.trim();
  const number = text === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(number) || number <= 0 || number >= 1) {
    throw optionError(option, `expected a number between 0 and 1 (got "${value}")`);
  }
  return number;
}

function printRecommendations(context: CommandContext, user: string, recommendations: Recommendation[]): void {
  if (recommendations.length === 0) {
    return printLine(context.io, `No recommendations for ${user}: no skill they have not invoked is completed by anyone.`);
  }
  printLine(context.io, `Skills to try for ${user}:`);
  printTable(
    context.io,
    ['skill', 'score', 'basis', 'reason'],
    recommendations.map((r) => [r.skill, r.score.toFixed(3), r.basis, r.reason]),
    { align: ['left', 'right', 'left', 'left'] },
  );
}

function printSimilar(context: CommandContext, user: string, similar: SimilarUserMatch[], minSuccesses: number): void {
  if (similar.length === 0) {
    const times = minSuccesses === 1 ? '' : ` ${minSuccesses} times`;
    return printLine(context.io, `No similar users for ${user}: they have completed no skill${times}, or nobody else uses theirs.`);
  }
  printLine(context.io, `Users most similar to ${user} (shown as pseudonyms):`);
  printTable(
    context.io,
    ['user (pseudonym)', 'similarity'],
    similar.map((s) => [s.user, s.similarity.toFixed(3)]),
    { align: ['left', 'right'] },
  );
}

function printBaselines(context: CommandContext, baselines: CommunityBaseline[]): void {
  if (baselines.length === 0) return printLine(context.io, 'No invocations yet: no baselines written.');
  printLine(context.io, `Community baselines of ${formatCount(baselines.length)} skills (written to skill_community_baselines):`);
  printTable(
    context.io,
    ['skill', 'users', 'invocations', 'completion %', 'avg s', 'common phase', 'percentile'],
    baselines.map((b) => [
      b.skill,
      b.totalUsers,
      b.totalInvocations,
      formatPercent(b.completionRate),
      formatSeconds(b.avgDurationSeconds),
      b.mostCommonPhase,
      b.effectivenessPercentile.toFixed(1),
    ]),
    { align: ['left', 'right', 'right', 'right', 'right', 'left', 'right'] },
  );
}

function printComparisons(context: CommandContext, user: string, comparisons: CommunityComparison[], alpha: number): void {
  if (comparisons.length === 0) return printLine(context.io, `${user} has no recorded interactions to compare.`);
  printLine(context.io, `${user} against everyone else (exact binomial test, α = ${alpha}):`);
  printTable(
    context.io,
    ['skill', 'invocations', 'completed', 'completion %', 'others %', 'difference pp', 'p-value', 'verdict'],
    comparisons.map((c) => [
      c.skill,
      c.userInvocations,
      c.userCompleted,
      formatPercent(c.userRate),
      formatPercent(c.globalRate),
      c.difference === null ? '' : (c.difference * 100).toFixed(1),
      c.pValue.toPrecision(3),
      c.verdict,
    ]),
    { align: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'left'] },
  );
  const count = (verdict: CommunityComparison['verdict']) => comparisons.filter((c) => c.verdict === verdict).length;
  printLine(
    context.io,
    `${count('above')} above, ${count('below')} below, ${count('indistinguishable')} indistinguishable from the community.`,
  );
}

function printDependencies(context: CommandContext, skill: string, rows: SkillDependencyRow[], minLift: number): void {
  if (rows.length === 0) return printLine(context.io, `No skills go with ${skill} at lift ≥ ${minLift}.`);
  printLine(context.io, `Skills that go with ${skill}:`);
  printTable(
    context.io,
    ['skill', 'source', 'sessions', 'support %', 'confidence %', 'lift'],
    rows.map((d) =>
      d.source === 'declared'
        ? [d.partner, 'declared*', '-', '-', '-', d.lift.toFixed(2)]
        : [d.partner, d.source, d.sessions, formatPercent(d.support), formatPercent(d.confidence), d.lift.toFixed(2)],
    ),
    { align: ['left', 'left', 'right', 'right', 'right', 'right'] },
  );
  if (rows.some((d) => d.source === 'declared')) {
    printLine(
      context.io,
      "* declared by the taxonomy (skills init loads it), not seen in sessions: its lift is the taxonomy's expected strength, and it has no sessions, support or confidence.",
    );
  }
}
