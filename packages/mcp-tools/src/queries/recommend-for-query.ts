import { predictSuccess, type PredictorModel } from '@skills/predictor';
import { searchInvocationOutcomes, type InvocationOutcome, type Store } from '@skills/storage';

export interface QueryRecommendation {
  skill_name: string;
  score: number;
  relevance: number;
  matched_queries: number;
  completion_rate: number;
  phase_share: number | null;
  predicted_success: number | null;
  reason: string;
}

export interface RecommendForQueryOptions {
  query: string;
  phase: string | null;
  user: string | null;
  limit: number;
  model: PredictorModel | undefined;
  now: number;
}

/** Past requests read per search; enough to see which skills a kind of request goes to. */
const SEARCH_LIMIT = 100;
/** Fewer matches of the whole request than this, and its longest words are searched on their own. */
const FEW_MATCHES = 10;
const MAX_SINGLE_WORDS = 4;
/** The busiest skills are always candidates, so a request unlike any before still gets an answer. */
const POPULAR_CANDIDATES = 20;

/**
 * Rank the known skills for a request. Relevance: which skills past requests like this one went
 * to (full-text search; a past request matching every word weighs 1, one matching a single word
 * of a long request 0.5), relative to the best. Success: the predictor's probability when a model
 * is trained, else the skill's completion rate smoothed towards ½ ((completed + 1) / (runs + 2)).
 * With a phase, the share of the skill's runs in that phase.
 * score = 0.5 · relevance + 0.4 · success + 0.1 · phase share (without a phase: 0.55 / 0.45).
 */
export async function recommendForQuery(store: Store, options: RecommendForQueryOptions): Promise<QueryRecommendation[]> {
  const weights = new Map<string, { weight: number; matched: number; completed: number }>();
  const seen = new Set<string>();
  // Only which skill each match went to and whether it completed: the narrow form of the search.
  const tally = (invocations: InvocationOutcome[], weight: number) => {
    for (const invocation of invocations) {
      if (seen.has(invocation.id)) continue;
      seen.add(invocation.id);
      const entry = weights.get(invocation.skill_name) ?? { weight: 0, matched: 0, completed: 0 };
      entry.weight += weight;
      entry.matched += 1;
      if (invocation.completed) entry.completed += 1;
      weights.set(invocation.skill_name, entry);
    }
  };
  tally(await searchInvocationOutcomes(store, options.query, { limit: SEARCH_LIMIT }), 1);
  const words = [...new Set(options.query.toLowerCase().match(/[\p{L}\p{N}_]{3,}/gu) ?? [])];
  if (seen.size < FEW_MATCHES && words.length > 1) {
    const longest = words.sort((a, b) => b.length - a.length || (a < b ? -1 : 1)).slice(0, MAX_SINGLE_WORDS);
    for (const word of longest) tally(await searchInvocationOutcomes(store, word, { limit: SEARCH_LIMIT / 2 }), 0.5);
  }

  const popular = await store.db
    .selectFrom('skill_metrics')
    .select('skill_name')
    .where('total_invocations', '>', 0)
    .orderBy('total_invocations', 'desc')
    .orderBy('skill_name')
    .limit(POPULAR_CANDIDATES)
    .execute();
  const candidates = [...new Set([...weights.keys(), ...popular.map((row) => row.skill_name)])];
  if (candidates.length === 0) return [];
  const metrics = await store.db
    .selectFrom('skill_metrics')
    .select(['skill_name', 'total_invocations', 'completed_invocations', 'completion_rate', 'workflow_phases'])
    .where('skill_name', 'in', candidates)
    .execute();
  const best = Math.max(0, ...[...weights.values()].map((entry) => entry.weight));

  // Each candidate's score with success = 1 bounds its real score from above; candidates are
  // scored (the predictor is the costly part) best bound first, stopping once `limit` real scores
  // beat every bound left. The answer is the same as scoring them all.
  const weigh = (relevance: number, success: number, phaseShare: number | null) =>
    phaseShare === null ? 0.55 * relevance + 0.45 * success : 0.5 * relevance + 0.4 * success + 0.1 * phaseShare;
  const candidatesByBound = metrics
    .map((m) => {
      const total = Number(m.total_invocations);
      const match = weights.get(m.skill_name);
      const relevance = match && best > 0 ? match.weight / best : 0;
      const phaseShare = options.phase === null ? null : phaseShareOf(m.workflow_phases, options.phase, total);
      return { m, total, match, relevance, phaseShare, bound: weigh(relevance, 1, phaseShare) };
    })
    .sort((a, b) => b.bound - a.bound || (a.m.skill_name < b.m.skill_name ? -1 : 1));
  const ranked: QueryRecommendation[] = [];
  const byRank = (a: QueryRecommendation, b: QueryRecommendation) => b.score - a.score || (a.skill_name < b.skill_name ? -1 : 1);
  for (const { m, total, match, relevance, phaseShare, bound } of candidatesByBound) {
    if (ranked.length >= options.limit && ranked[options.limit - 1]!.score > bound) break;
    const predicted = options.model
      ? predictSuccess(options.model, {
          skill: m.skill_name,
          query: options.query,
          phase: options.phase,
          user: options.user,
          at: options.now,
        }).probability
      : null;
    const success = predicted ?? (Number(m.completed_invocations) + 1) / (total + 2);
    ranked.push({
      skill_name: m.skill_name,
      score: weigh(relevance, success, phaseShare),
      relevance,
      matched_queries: match?.matched ?? 0,
      completion_rate: m.completion_rate,
      phase_share: phaseShare,
      predicted_success: predicted,
      reason: reasonOf(match, predicted, m.completion_rate, total, options.phase, phaseShare),
    });
    ranked.sort(byRank);
  }
  return ranked.slice(0, options.limit);
}

function phaseShareOf(json: string, phase: string, total: number): number {
  if (total === 0) return 0;
  try {
    const counts = JSON.parse(json) as Record<string, unknown>;
    const count = counts[phase];
    return typeof count === 'number' ? count / total : 0;
  } catch {
    return 0;
  }
}

const percent = (x: number) => `${Math.round(x * 100)}%`;
/** A run count with thousands separators, as `toLocaleString('en-US')` writes it (a tenth of a ms less per answer). */
const count = (n: number) =>
  Number.isSafeInteger(n) && n >= 0 ? String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',') : n.toLocaleString('en-US');

function reasonOf(
  match: { matched: number; completed: number } | undefined,
  predicted: number | null,
  rate: number,
  total: number,
  phase: string | null,
  phaseShare: number | null,
): string {
  const parts: string[] = [];
  parts.push(
    match ? `used for ${match.matched} similar past requests (${match.completed} completed)` : 'not used for a similar past request',
  );
  parts.push(
    predicted === null
      ? `completes ${percent(rate)} of ${count(total)} runs`
      : `predicted success ${percent(predicted)} (history ${percent(rate)} of ${count(total)} runs)`,
  );
  if (phase !== null && phaseShare !== null)
    parts.push(phaseShare > 0 ? `${percent(phaseShare)} of its runs in ${phase}` : `never run in ${phase}`);
  return parts.join('; ');
}
