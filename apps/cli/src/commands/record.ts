import { recordInvocation, ValidationError, type FieldIssue, type InvocationInput } from '@skills/storage';
import type { Command } from 'commander';
import type { CommandContext } from '../cli-io.js';
import { CliError, describeIssue, optionError } from '../errors.js';
import { printJson, printLine } from '../output.js';
import { withStore } from '../store-access.js';
import { optionalInteger, optionalTime, parseNonNegative, parseTimeArgument } from '../time-arguments.js';

interface RecordFlags {
  skill: string;
  session: string;
  id?: string;
  user?: string;
  invokedAt?: string;
  completed?: boolean;
  failed?: boolean;
  duration?: string;
  query?: string;
  workflowPath?: string;
  phase?: string;
  stepId?: string;
  errorType?: string;
  followUp: string[];
  alternative: string[];
  selectionRank?: string;
  createdAt?: string;
  embedding?: string;
  json?: boolean;
}

/** The flag that sets each column, so validation errors name what the user typed. */
const FLAG_FOR_COLUMN: Readonly<Record<string, string>> = {
  id: '--id',
  skill_name: '--skill',
  session_id: '--session',
  user_id: '--user',
  invoked_at: '--invoked-at',
  completed: '--completed',
  duration_seconds: '--duration',
  user_query: '--query',
  workflow_path: '--workflow-path',
  workflow_phase: '--phase',
  workflow_step_id: '--step-id',
  error_type: '--error-type',
  follow_up_actions: '--follow-up',
  alternatives_considered: '--alternative',
  selection_rank: '--selection-rank',
  created_at: '--created-at',
  embedding: '--embedding',
};

const collect = (value: string, previous: string[]) => [...previous, value];

/** `skills record`: one invocation from flags. */
export function registerRecordCommand(program: Command, context: CommandContext): void {
  program
    .command('record')
    .description('record one invocation; prints its id')
    .requiredOption('--skill <name>', 'skill name')
    .requiredOption('--session <id>', 'session id')
    .option('--id <id>', 'invocation id (default: a new ULID); recording the same id again changes nothing')
    .option('--user <id>', 'user id')
    .option('--invoked-at <time>', 'when: epoch ms, ISO-8601 or a duration ago such as 5m (default: now)')
    .option('--completed', 'the invocation completed')
    .option('--failed', 'the invocation did not complete (the default)')
    .option('--duration <seconds>', 'how long it took, in seconds')
    .option('--query <text>', 'the user query that led to it')
    .option('--workflow-path <path>', 'workflow path, e.g. quick, comprehensive, ci')
    .option('--phase <phase>', 'workflow phase, e.g. setup, execution, verification')
    .option('--step-id <id>', 'workflow step id')
    .option('--error-type <type>', 'what went wrong')
    .option('--follow-up <action>', 'a follow-up action (repeatable)', collect, [])
    .option('--alternative <skill>', 'a skill considered instead (repeatable)', collect, [])
    .option('--selection-rank <n>', 'rank of this skill among the alternatives (1 = first choice)')
    .option('--created-at <time>', 'when it was recorded (default: now)')
    .option('--embedding <numbers>', 'query embedding, comma-separated numbers')
    .option('--json', 'print {"id", "inserted"} as JSON')
    .action(async (flags: RecordFlags, command: Command) => {
      const item = invocationFromFlags(flags, context.now());
      const result = await withStore(
        command,
        context,
        async (store) => {
          try {
            return await recordInvocation(store, item);
          } catch (error) {
            if (error instanceof ValidationError) {
              throw new CliError(error.issues.map(describeFlagIssue).join('; '));
            }
            throw error;
          }
        },
        { create: true },
      );
      if (flags.json) return printJson(context.io, result);
      printLine(context.io, result.id);
      if (!result.inserted) context.io.stderr.write(`skills: ${result.id} was already recorded: nothing changed\n`);
    });
}

function invocationFromFlags(flags: RecordFlags, now: number): InvocationInput {
  if (flags.completed && flags.failed) throw new CliError('--completed and --failed cannot be used together');
  const item: InvocationInput = {
    skill_name: flags.skill,
    session_id: flags.session,
    invoked_at: flags.invokedAt === undefined ? now : parseTimeArgument(flags.invokedAt, '--invoked-at', now),
    completed: flags.completed === true,
  };
  if (flags.id !== undefined) item.id = flags.id;
  if (flags.user !== undefined) item.user_id = flags.user;
  if (flags.duration !== undefined) item.duration_seconds = parseNonNegative(flags.duration, '--duration');
  if (flags.query !== undefined) item.user_query = flags.query;
  if (flags.workflowPath !== undefined) item.workflow_path = flags.workflowPath;
  if (flags.phase !== undefined) item.workflow_phase = flags.phase;
  if (flags.stepId !== undefined) item.workflow_step_id = flags.stepId;
  if (flags.errorType !== undefined) item.error_type = flags.errorType;
  if (flags.followUp.length > 0) item.follow_up_actions = flags.followUp;
  if (flags.alternative.length > 0) item.alternatives_considered = flags.alternative;
  const rank = optionalInteger(flags.selectionRank, '--selection-rank', 1, Number.MAX_SAFE_INTEGER);
  if (rank !== undefined) item.selection_rank = rank;
  const createdAt = optionalTime(flags.createdAt, '--created-at', now);
  if (createdAt !== undefined) item.created_at = createdAt;
  if (flags.embedding !== undefined) item.embedding = parseEmbedding(flags.embedding);
  return item;
}

/** `follow_up_actions.1` is the second `--follow-up`. */
function describeFlagIssue(issue: FieldIssue): string {
  const [column = '', position] = issue.field.split('.');
  const flag = FLAG_FOR_COLUMN[column] ?? column;
  const which = position === undefined ? '' : ` (value ${Number(position) + 1})`;
  return describeIssue({ ...issue, field: `${flag}${which}` });
}

function parseEmbedding(text: string): number[] {
  const values = text.split(',').map((part) => (part.trim() === '' ? Number.NaN : Number(part)));
  if (values.some((value) => !Number.isFinite(value))) {
    throw optionError('--embedding', `expected comma-separated numbers (got "${text}")`);
  }
  return values;
}
