import { ValidationError, type FieldIssue } from '@skills/storage';
import { z } from 'zod';

/**
 * The IDE plugin protocol's wire types (zod schemas, TypeScript types inferred from them): the
 * context a plugin sends for recommendations, the answer, and the feedback on what the developer
 * picked. Field names are snake_case like the rest of the HTTP API; times are epoch ms, durations
 * seconds, confidences and rates 0–1.
 */

export const IDE_LANGUAGES = ['python', 'javascript', 'typescript'] as const;
export type IdeLanguage = (typeof IDE_LANGUAGES)[number];

/** What the developer is doing, and the workflow phase it is recorded under. */
export const IDE_ACTIVITY_PHASES = {
  setup: 'setup',
  editing: 'execution',
  testing: 'execution',
  debugging: 'execution',
  refactoring: 'verification',
  reviewing: 'verification',
  committing: 'verification',
} as const;
export type IdeActivity = keyof typeof IDE_ACTIVITY_PHASES;
const ACTIVITIES = Object.keys(IDE_ACTIVITY_PHASES) as [IdeActivity, ...IdeActivity[]];

/** File extensions (and common names) to languages, for plugins that send `file_type` only. */
const FILE_TYPES: Readonly<Record<string, IdeLanguage>> = {
  py: 'python',
  pyi: 'python',
  python: 'python',
  js: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  jsx: 'javascript',
  javascript: 'javascript',
  ts: 'typescript',
  mts: 'typescript',
  cts: 'typescript',
  tsx: 'typescript',
  typescript: 'typescript',
};

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);
const id = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[\w.:-]+$/, 'expected letters, digits, "_", "-", ".", ":" only');

/** What a plugin sends to get recommendations. `language` or `file_type` is required. */
export const ideContextSchema = z
  .strictObject({
    language: z.enum(IDE_LANGUAGES, { error: `expected one of ${IDE_LANGUAGES.join(', ')}` }).optional(),
    /** A file extension (`py`, `.ts`, `tsx`) or a file name (`test_app.py`); its extension gives the language when `language` is absent. */
    file_type: text(200).optional(),
    project: text(200).optional(),
    activity: z.enum(ACTIVITIES, { error: `expected one of ${ACTIVITIES.join(', ')}` }).optional(),
    query: text(2000).optional(),
    /** The code around the cursor (the enclosing function, or the visible lines). */
    code: z.string().max(100_000).optional(),
    /** 1-based line of the cursor within `code`. */
    line: z.number().int('expected an integer').min(1, 'expected a 1-based line number (≥ 1)').optional(),
    /** 0-based column of the cursor on `line`. */
    cursor: z.number().int('expected an integer').min(0, 'expected a 0-based column (≥ 0)').optional(),
    user_id: text(200).optional(),
    session_id: id.optional(),
    /** Most recommendations (1–20, default 5). */
    limit: z.number().int().min(1, 'expected 1–20').max(20, 'expected 1–20').default(5),
  })
  .check((ctx) => {
    const v = ctx.value;
    const issue = (path: string, message: string) => ctx.issues.push({ code: 'custom', message, input: v, path: [path] });
    if (v.language === undefined) {
      if (v.file_type === undefined) issue('language', `required (one of ${IDE_LANGUAGES.join(', ')}) unless file_type is given`);
      else if (languageOfFileType(v.file_type) === undefined)
        issue(
          'file_type',
          `unknown language for "${v.file_type}": expected a Python, JavaScript or TypeScript file (py, js, mjs, cjs, jsx, ts, mts, cts, tsx) or give language`,
        );
    }
    if ((v.line !== undefined || v.cursor !== undefined) && v.code === undefined)
      issue(v.line !== undefined ? 'line' : 'cursor', 'needs code: a cursor position is within the code sent');
    if (v.cursor !== undefined && v.line === undefined) issue('line', 'required with cursor');
    // Positions already refused (line 0, a negative cursor) are not measured against the code again.
    if (v.code !== undefined && v.line !== undefined && Number.isInteger(v.line) && v.line >= 1) {
      const lines = v.code.split('\n');
      const at = lines[v.line - 1];
      if (at === undefined) issue('line', `expected at most ${lines.length} (the lines of code)`);
      else if (v.cursor !== undefined && v.cursor >= 0 && v.cursor > at.length)
        issue('cursor', `expected at most ${at.length} (the length of line ${v.line})`);
    }
  });

export type IdeContextInput = z.input<typeof ideContextSchema>;
export type IdeContext = z.output<typeof ideContextSchema>;

/** One recommended skill. */
export interface IdeRecommendation {
  skill_name: string;
  /** 1-based position in the answer: what feedback's `selection_rank` refers to. */
  rank: number;
  /** 0–1: 0.5 · code confidence + 0.2 · query match + 0.15 · history success + 0.1 · phase share + 0.05 · popularity. */
  score: number;
  /** How sure the code at the cursor makes us (0–1); 0 when the code does not suggest it. */
  confidence: number;
  /** `code`: suggested by the code at the cursor only; `history`: by the store only; `both`. */
  source: 'code' | 'history' | 'both';
  reasons: string[];
  description: string | null;
  /** Mean duration of its completed runs in history; null when none known. */
  estimated_duration_seconds: number | null;
  /** Past runs and the share completed; 0 and null when never run. */
  runs: number;
  completion_rate: number | null;
  keyboard_shortcut: string | null;
}

/** The answer to a context. */
export interface IdeRecommendations {
  language: IdeLanguage;
  /** The phase `activity` maps to; null without an activity. */
  workflow_phase: string | null;
  recommendations: IdeRecommendation[];
}

/** What the plugin reports once the developer picked a skill and it ran. */
export const ideFeedbackSchema = z.strictObject({
  /** Makes the report idempotent: the invocation's id is `ide:<feedback_id>` (default: generated). */
  feedback_id: id.optional(),
  session_id: id,
  user_id: text(200).optional(),
  project: text(200).optional(),
  activity: z.enum(ACTIVITIES, { error: `expected one of ${ACTIVITIES.join(', ')}` }).optional(),
  query: text(2000).optional(),
  /** The skill names the developer was shown, in their order (the answer's `recommendations[].skill_name`). */
  recommended: z.array(text(200)).max(100, 'expected at most 100 skills'),
  /** The skill the developer picked (may be one not recommended). */
  selected: text(200),
  completed: z.boolean({ error: 'expected a boolean' }),
  duration_seconds: z.number().finite().nonnegative().max(1e9).optional(),
  /** When the picked skill started, epoch ms (default: now). */
  invoked_at: z.number().int().nonnegative().optional(),
  /** Why it failed, when `completed` is false. */
  error: text(1000).optional(),
});

export type IdeFeedbackInput = z.input<typeof ideFeedbackSchema>;
export type IdeFeedback = z.output<typeof ideFeedbackSchema>;

/** What recording feedback did. */
export interface IdeFeedbackReport {
  invocation_id: string;
  skill_name: string;
  /** 1-based position of `selected` in `recommended`; null when the developer picked something else. */
  selection_rank: number | null;
  alternatives_considered: string[];
  /** False when this feedback id was recorded before (nothing written twice). */
  recorded: boolean;
}

/** The language of a file type or name (`py`, `.tsx`, `test_app.py`), or undefined. */
export function languageOfFileType(fileType: string): IdeLanguage | undefined {
  const lower = fileType.trim().toLowerCase();
  const extension = lower.includes('.') ? lower.slice(lower.lastIndexOf('.') + 1) : lower;
  return FILE_TYPES[extension];
}

/** Parse with a schema or throw storage's `ValidationError`, one issue per field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues: FieldIssue[] = result.error.issues.map((issue) => ({
    index: -1,
    field: issue.path.join('.') || what,
    message: issue.code === 'unrecognized_keys' ? `unknown field(s): ${(issue as { keys: string[] }).keys.join(', ')}` : issue.message,
  }));
  throw new ValidationError(issues);
}
