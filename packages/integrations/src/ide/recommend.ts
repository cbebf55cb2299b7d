import type { Store } from '@skills/storage';
import { IDE_SKILLS, suggestFromCode, type CodeHint } from './code-hints.js';
import {
  IDE_ACTIVITY_PHASES,
  ideContextSchema,
  languageOfFileType,
  parseOrThrow,
  type IdeContextInput,
  type IdeRecommendation,
  type IdeRecommendations,
} from './protocol.js';

/** One skill's history as the ranking reads it (a row of `skill_metrics`). */
export interface SkillHistory {
  skill_name: string;
  total_invocations: number;
  completed_invocations: number;
  avg_duration_seconds: number | null;
  /** Invocations per workflow phase. */
  workflow_phases: Record<string, number>;
}

export interface RankInput {
  hints: readonly CodeHint[];
  history: readonly SkillHistory[];
  query?: string | undefined;
  phase?: string | null | undefined;
  limit: number;
}

const WEIGHTS = { code: 0.5, query: 0.2, success: 0.15, phase: 0.1, popularity: 0.05 } as const;

/**
 * Merge the code's hints with history: every skill the code suggests or the store knows is scored
 * 0.5 · code confidence + 0.2 · query match (share of the skill name's words in the query) +
 * 0.15 · success ((completed + 1) / (runs + 2)) + 0.1 · share of its runs in the phase +
 * 0.05 · popularity (log runs relative to the busiest); ties by name. Pure.
 * @example rankForIde({ hints: suggestFromCode(code, 'python'), history, query: 'run tests', phase: 'execution', limit: 5 })
 */
export function rankForIde(input: RankInput): IdeRecommendation[] {
  const words = queryWords(input.query);
  const byName = new Map(input.history.map((h) => [h.skill_name, h]));
  const hints = new Map(input.hints.map((h) => [h.skill_name, h]));
  const busiest = Math.max(0, ...input.history.map((h) => h.total_invocations));
  const phase = input.phase ?? null;
  // Every candidate is scored; only the kept few are described (reasons cost more than scores).
  const scored: Scored[] = [];
  for (const name of new Set([...hints.keys(), ...byName.keys()])) {
    const hint = hints.get(name);
    const h = byName.get(name);
    const runs = h?.total_invocations ?? 0;
    const completed = h?.completed_invocations ?? 0;
    const matched = words.length === 0 ? [] : matchedWords(name, words);
    const relevance = matched.length === 0 ? 0 : matched.length / nameWords(name).length;
    const success = (completed + 1) / (runs + 2);
    const phaseShare = phase !== null && runs > 0 ? (h!.workflow_phases[phase] ?? 0) / runs : 0;
    const popularity = busiest > 0 ? Math.log1p(runs) / Math.log1p(busiest) : 0;
    const confidence = hint?.confidence ?? 0;
    const score =
      WEIGHTS.code * confidence +
      WEIGHTS.query * relevance +
      WEIGHTS.success * success +
      WEIGHTS.phase * phaseShare +
      WEIGHTS.popularity * popularity;
    scored.push({ name, hint, h, runs, completed, matched, phaseShare, confidence, score: round(score) });
  }
  scored.sort((a, b) => b.score - a.score || (a.name < b.name ? -1 : 1));
  return scored.slice(0, input.limit).map((s, i) => {
    const reasons = [...(s.hint?.reasons ?? [])];
    if (s.matched.length > 0) reasons.push(`matches ${s.matched.map((w) => `"${w}"`).join(', ')} in the query`);
    if (s.runs > 0) reasons.push(`completes ${percent(s.completed / s.runs)} of ${s.runs.toLocaleString('en-US')} past runs`);
    if (phase !== null && s.phaseShare > 0) reasons.push(`${percent(s.phaseShare)} of its runs in ${phase}`);
    if (reasons.length === 0) reasons.push('never run yet');
    return {
      skill_name: s.name,
      rank: i + 1,
      score: s.score,
      confidence: s.confidence,
      source: s.hint ? (s.runs > 0 ? 'both' : 'code') : 'history',
      reasons,
      description: IDE_SKILLS[s.name]?.description ?? null,
      estimated_duration_seconds: s.h?.avg_duration_seconds ?? null,
      runs: s.runs,
      completion_rate: s.runs > 0 ? s.completed / s.runs : null,
      keyboard_shortcut: IDE_SKILLS[s.name]?.shortcut ?? null,
    };
  });
}

interface Scored {
  name: string;
  hint: CodeHint | undefined;
  h: SkillHistory | undefined;
  runs: number;
  completed: number;
  matched: string[];
  phaseShare: number;
  confidence: number;
  score: number;
}

const nameWordsCache = new Map<string, string[]>();

function nameWords(name: string): string[] {
  let words = nameWordsCache.get(name);
  if (words === undefined) {
    words = name
      .toLowerCase()
      .split(/[^\p{L}\p{N}]+/u)
      .filter((w) => w.length > 0);
    // Bounded: skill names are few, but a long-lived process should not grow without end.
    if (nameWordsCache.size >= 10_000) nameWordsCache.clear();
    nameWordsCache.set(name, words);
  }
  return words;
}

/** The skill name's words the query has (the same word, or one starting the other, from 4 letters). */
function matchedWords(name: string, words: readonly string[]): string[] {
  return nameWords(name).filter((w) =>
    words.some((q) => q === w || (q.length >= 4 && w.length >= 4 && (q.startsWith(w) || w.startsWith(q)))),
  );
}

/**
 * The IDE protocol's recommendation call, in process: validate the plugin's context (a
 * `ValidationError` naming the field otherwise: `line` 0, a negative `cursor`, an unknown language
 * or file type…), read every known skill's history from `skill_metrics` (one query, shared by the
 * calls on the store within `historyMaxAgeMs`), and rank. Reads only.
 * @example await recommendForIde(store, { language: 'python', activity: 'testing', code: 'def test_add():\n    assert 1', line: 1, cursor: 4 })
 */
export async function recommendForIde(
  store: Store,
  context: IdeContextInput,
  options: RecommendForIdeOptions = {},
): Promise<IdeRecommendations> {
  const c = parseOrThrow(ideContextSchema, context, 'context');
  const language = c.language ?? languageOfFileType(c.file_type!)!;
  const phase = c.activity === undefined ? null : IDE_ACTIVITY_PHASES[c.activity];
  const hints = c.code === undefined ? [] : suggestFromCode(c.code, language, { line: c.line, cursor: c.cursor });
  const history = await readHistory(store, options.historyMaxAgeMs ?? 1000);
  return { language, workflow_phase: phase, recommendations: rankForIde({ hints, history, query: c.query, phase, limit: c.limit }) };
}

export interface RecommendForIdeOptions {
  /**
   * How old the skills' history read from the store may be, in ms (default 1,000; 0: read on
   * every call). Feedback recorded through `recordIdeFeedback` on the same store is seen at once.
   */
  historyMaxAgeMs?: number | undefined;
}

const histories = new WeakMap<Store, { at: number; history: Promise<SkillHistory[]> }>();

/** Every known skill's history, shared by the calls within `maxAgeMs` on one store. */
function readHistory(store: Store, maxAgeMs: number): Promise<SkillHistory[]> {
  const now = Date.now();
  const cached = histories.get(store);
  if (cached !== undefined && maxAgeMs > 0 && now - cached.at < maxAgeMs) return cached.history;
  const history = store.db
    .selectFrom('skill_metrics')
    .select(['skill_name', 'total_invocations', 'completed_invocations', 'avg_duration_seconds', 'workflow_phases'])
    .where('total_invocations', '>', 0)
    .execute()
    .then((rows) =>
      rows.map((row) => ({
        skill_name: row.skill_name,
        total_invocations: Number(row.total_invocations),
        completed_invocations: Number(row.completed_invocations),
        avg_duration_seconds: row.avg_duration_seconds === null ? null : Number(row.avg_duration_seconds),
        workflow_phases: tally(row.workflow_phases),
      })),
    );
  histories.set(store, { at: now, history });
  // A failed read is not kept for the next call.
  history.catch(() => {
    if (histories.get(store)?.history === history) histories.delete(store);
  });
  return history;
}

/** Forget the cached history of `store` (after writing to it). */
export function forgetIdeHistory(store: Store): void {
  histories.delete(store);
}

function queryWords(query: string | undefined): string[] {
  return [...new Set((query ?? '').toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) ?? [])];
}

function tally(json: string): Record<string, number> {
  const out = Object.create(null) as Record<string, number>;
  try {
    for (const [key, count] of Object.entries(JSON.parse(json) as Record<string, unknown>)) if (typeof count === 'number') out[key] = count;
  } catch {
    // A tally the recorder did not write is read as empty rather than failing the request.
  }
  return out;
}

const percent = (x: number) => `${Math.round(x * 100)}%`;
const round = (x: number) => Math.round(x * 10_000) / 10_000;
