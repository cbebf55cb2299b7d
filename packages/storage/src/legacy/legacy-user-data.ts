import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { InvocationInput } from '../invocation.js';
import { EXPERIMENT_STATUSES, type AbTestUserSums, type SkillsDatabase } from '../schema.js';
import { internals, type Store } from '../store.js';
import type { LegacyDatabase } from './legacy-database.js';
import { recordBatch, type TimeNotes } from './legacy-invocations.js';
import { TableTally } from './legacy-report.js';
import { isNaiveTime, legacyBoolean, legacyId, legacyStringList, legacyTime } from './legacy-values.js';

type Row = Record<string, unknown>;
type Tables = keyof SkillsDatabase;

const all = (legacy: LegacyDatabase, query: string): Row[] => legacy.handle.prepare(query).all() as Row[];
const str = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));
const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/** Reads a time of a V4 row, counting naive ones; undefined (and a skip) when it is not a time. */
function timeOf(value: unknown, column: string, tally: TableTally, notes: TimeNotes): number | undefined {
  const at = legacyTime(value);
  if (at === undefined) tally.skip(`${column}: not an ISO-8601 timestamp`);
  else if (isNaiveTime(value)) notes.naive += 1;
  return at;
}

async function insertIgnore<T extends Tables>(db: Kysely<SkillsDatabase>, table: T, row: Record<string, unknown>): Promise<boolean> {
  const result = await db
    .insertInto(table)
    .values(row as never)
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/**
 * The original's `skill_user_interactions` rows say which user a session belonged to (its
 * invocations have no user). Returns session → user; a session claimed by several users is left
 * without one.
 */
export function usersOfSessions(legacy: LegacyDatabase, tally: TableTally): Map<string, string> {
  const users = new Map<string, string | null>();
  for (const row of all(legacy, 'SELECT session_id, user_id FROM skill_user_interactions')) {
    const session = str(row.session_id);
    const user = str(row.user_id)?.trim();
    if (!session || !user) continue;
    const known = users.get(session);
    if (known === undefined) users.set(session, user);
    else if (known !== null && known !== user) users.set(session, null);
  }
  const out = new Map<string, string>();
  for (const [session, user] of users) {
    if (user === null) tally.adjust('session claimed by several users: its invocations keep no user');
    else out.set(session, user);
  }
  return out;
}

/**
 * Interactions that match an invocation (session, skill, time) gave that session its user; the
 * others are uses of a skill the invocation log lacks, and are recorded as invocations of their own.
 */
export async function importInteractions(
  store: Store,
  legacy: LegacyDatabase,
  tally: TableTally,
  notes: TimeNotes,
  now: number,
  batchSize: number,
): Promise<void> {
  const rows = all(
    legacy,
    'SELECT id, user_id, session_id, skill_name, invoked_at, completed, rating, alternatives_considered FROM skill_user_interactions ORDER BY id',
  );
  tally.found = rows.length;
  const bySession = legacy.handle.prepare('SELECT skill_name, invoked_at FROM skill_invocation WHERE session_id = ?');
  const logged = new Map<string, Set<string>>();
  const keysOf = (session: string) => {
    let keys = logged.get(session);
    if (!keys) {
      keys = new Set(
        (bySession.all(session) as Row[]).map((r) => `${String(r.skill_name)}\u0000${legacyTime(r.invoked_at) ?? String(r.invoked_at)}`),
      );
      logged.set(session, keys);
    }
    return keys;
  };
  let items: InvocationInput[] = [];
  for (const row of rows) {
    const at = timeOf(row.invoked_at, 'invoked_at', tally, notes);
    if (at === undefined) continue;
    const session = str(row.session_id) ?? '';
    if (row.rating !== null && row.rating !== undefined) tally.adjust('rating not kept (an invocation has no rating)');
    if (keysOf(session).has(`${String(row.skill_name)}\u0000${at}`)) {
      tally.adjust('matched a logged invocation: gave its session a user');
      continue;
    }
    const item: InvocationInput = {
      id: legacyId(legacy.identity, 'u', row.id),
      skill_name: str(row.skill_name) ?? '',
      invoked_at: at,
      session_id: session,
      user_id: str(row.user_id),
      completed: legacyBoolean(row.completed),
    };
    const alternatives = legacyStringList(row.alternatives_considered);
    if (alternatives) item.alternatives_considered = alternatives;
    items.push(item);
    if (items.length >= batchSize) {
      await recordBatch({ store, now, tally }, items);
      items = [];
    }
  }
  await recordBatch({ store, now, tally }, items);
}

/** Categories, category mappings, modalities and declared dependencies, in one transaction. */
export async function importTaxonomy(store: Store, legacy: LegacyDatabase, notes: TimeNotes, now: number): Promise<TableTally[]> {
  const categories = new TableTally('skill_categories', 'skill_categories');
  const mapping = new TableTally('skill_category_mapping', 'skill_category_mapping');
  const modalities = new TableTally('skill_modalities', 'skill_modalities');
  const dependencies = new TableTally('skill_dependencies', 'skill_dependencies (source declared)');
  const categoryRows = all(
    legacy,
    'SELECT category_id, category_name, parent_category_id, description, domain, created_at FROM skill_categories ORDER BY category_id',
  );
  const nameOf = new Map(categoryRows.map((r) => [String(r.category_id), str(r.category_name)]));
  await internals(store).driver.maintenanceTransaction(async (trx) => {
    for (const row of categoryRows) {
      categories.found += 1;
      const name = str(row.category_name)?.trim();
      if (!name) {
        categories.skip('category_name empty');
        continue;
      }
      const created = legacyTime(row.created_at) ?? now;
      if (legacyTime(row.created_at) === undefined) categories.adjust('created_at not a timestamp: the import time');
      else if (isNaiveTime(row.created_at)) notes.naive += 1;
      let domain = str(row.domain);
      if (!domain) {
        domain = 'general';
        categories.adjust('no domain: general');
      }
      const parent = row.parent_category_id === null ? null : (nameOf.get(String(row.parent_category_id)) ?? null);
      if (row.parent_category_id !== null && parent === null) categories.adjust('parent_category_id names no category: no parent');
      const fresh = await insertIgnore(trx, 'skill_categories', {
        category_name: name,
        domain,
        description: str(row.description),
        parent_category: parent,
        created_at: created,
      });
      if (fresh) categories.imported += 1;
      else categories.alreadyImported += 1;
    }
    for (const row of all(legacy, 'SELECT skill_name, category_id, confidence_score, assigned_at FROM skill_category_mapping')) {
      mapping.found += 1;
      const category = nameOf.get(String(row.category_id));
      if (!category) {
        mapping.skip('category_id names no category');
        continue;
      }
      const created = timeOf(row.assigned_at, 'assigned_at', mapping, notes);
      if (created === undefined) continue;
      let confidence = num(row.confidence_score);
      if (confidence === null) {
        confidence = 1;
        mapping.adjust('no confidence_score: 1');
      }
      const fresh = await insertIgnore(trx, 'skill_category_mapping', {
        skill_name: String(row.skill_name),
        category_name: category,
        confidence,
        created_at: created,
      });
      if (fresh) mapping.imported += 1;
      else mapping.alreadyImported += 1;
    }
    for (const row of all(
      legacy,
      'SELECT skill_name, modality_type, input_format, output_format, requires_human_review FROM skill_modalities',
    )) {
      modalities.found += 1;
      const fresh = await insertIgnore(trx, 'skill_modalities', {
        skill_name: String(row.skill_name),
        modality_type: String(row.modality_type),
        input_format: str(row.input_format),
        output_format: str(row.output_format),
        requires_human_review: legacyBoolean(row.requires_human_review) ? 1 : 0,
        description: null,
      });
      if (fresh) modalities.imported += 1;
      else modalities.alreadyImported += 1;
    }
    for (const row of all(legacy, 'SELECT skill_a, skill_b, co_occurrence_count, lift_score, last_updated FROM skill_dependencies')) {
      dependencies.found += 1;
      const lift = num(row.lift_score);
      if (lift === null) {
        dependencies.skip('lift_score NULL (a dependency needs its lift)');
        continue;
      }
      const updated = legacyTime(row.last_updated) ?? now;
      const fresh = await insertIgnore(trx, 'skill_dependencies', {
        skill_a: String(row.skill_a),
        skill_b: String(row.skill_b),
        source: 'declared',
        co_occurrence_count: num(row.co_occurrence_count) ?? 0,
        support: null,
        confidence: null,
        lift_score: lift,
        updated_at: updated,
      });
      if (fresh) dependencies.imported += 1;
      else dependencies.alreadyImported += 1;
    }
  });
  return [categories, mapping, modalities, dependencies];
}

const METRIC_NAMES: Record<string, string> = {
  completion_rate: 'completion_rate',
  completion: 'completion_rate',
  duration: 'duration',
  duration_seconds: 'duration',
  avg_duration: 'duration',
  avg_duration_seconds: 'duration',
  rating: 'rating',
  user_rating: 'rating',
};

/**
 * A/B tests: configs (metrics from the original's comma-joined text; two variants, control first),
 * assignments and outcomes under stable ids, then the per-user sums the analysis reads.
 */
export async function importAbTests(store: Store, legacy: LegacyDatabase, notes: TimeNotes): Promise<TableTally[]> {
  const configs = new TableTally('ab_test_configs', 'ab_test_configs');
  const assignments = new TableTally('ab_test_assignments', 'ab_test_assignments');
  const outcomes = new TableTally('ab_test_outcomes', 'ab_test_outcomes (+ ab_test_user_stats)');
  const idOf = new Map<string, string>();
  const touched = new Set<string>();
  await internals(store).driver.maintenanceTransaction(async (trx) => {
    const taken = new Map(
      (await trx.selectFrom('ab_test_configs').select(['id', 'test_name']).execute()).map((r) => [
        r.test_name.normalize('NFC').toLowerCase(),
        r.id,
      ]),
    );
    for (const row of all(legacy, 'SELECT * FROM ab_test_configs ORDER BY test_id')) {
      configs.found += 1;
      const id = legacyId(legacy.identity, 't', row.test_id);
      const name = str(row.test_name)?.trim();
      if (!name) {
        configs.skip('test_name empty');
        continue;
      }
      const holder = taken.get(name.normalize('NFC').toLowerCase());
      if (holder !== undefined && holder !== id) {
        configs.skip('an experiment of this name exists in the store');
        continue;
      }
      const start = timeOf(row.start_date, 'start_date', configs, notes);
      if (start === undefined) continue;
      idOf.set(String(row.test_id), id);
      if (holder === id) {
        configs.alreadyImported += 1;
        continue;
      }
      let ratio = num(row.assignment_ratio) ?? 0.5;
      if (!(ratio > 0 && ratio < 1)) {
        configs.adjust('assignment_ratio outside (0, 1): 0.5');
        ratio = 0.5;
      }
      const metrics = [
        ...new Set(
          String(row.metrics ?? '')
            .split(/[,\s]+/)
            .filter(Boolean)
            .map((m) => METRIC_NAMES[m.toLowerCase()])
            .filter((m): m is string => m !== undefined),
        ),
      ];
      if (metrics.length === 0) metrics.push('completion_rate');
      const status = (EXPERIMENT_STATUSES as readonly string[]).includes(String(row.status)) ? String(row.status) : 'stopped';
      if (status !== String(row.status)) configs.adjust(`status ${JSON.stringify(row.status)}: stopped`);
      const end = row.end_date === null || row.end_date === undefined ? null : (legacyTime(row.end_date) ?? null);
      await trx
        .insertInto('ab_test_configs')
        .values({
          id,
          test_name: name,
          description: str(row.description),
          control_strategy: String(row.control_strategy),
          treatment_strategy: String(row.treatment_strategy),
          variants: JSON.stringify([
            { name: 'control', strategy: String(row.control_strategy), weight: ratio },
            { name: 'treatment', strategy: String(row.treatment_strategy), weight: 1 - ratio },
          ]),
          assignment_ratio: ratio,
          metrics: JSON.stringify(metrics),
          min_sample_size: Math.max(1, Math.floor(num(row.min_sample_size) ?? 100)),
          start_date: start,
          end_date: end !== null && end > start ? end : null,
          status,
          salt: createHash('sha256').update(id).digest('hex').slice(0, 32),
          options: '{}',
          created_at: legacyTime(row.created_at) ?? start,
        })
        .execute();
      taken.set(name.normalize('NFC').toLowerCase(), id);
      configs.imported += 1;
    }
    const variantOf = new Map<string, string>();
    for (const row of all(legacy, 'SELECT test_id, user_id, group_name, assigned_at FROM ab_test_assignments ORDER BY assignment_id')) {
      assignments.found += 1;
      const testId = idOf.get(String(row.test_id));
      if (!testId) {
        assignments.skip('its test was not imported');
        continue;
      }
      const variant = str(row.group_name);
      if (variant !== 'control' && variant !== 'treatment') {
        assignments.skip(`group_name ${JSON.stringify(row.group_name)} (expected control or treatment)`);
        continue;
      }
      const at = timeOf(row.assigned_at, 'assigned_at', assignments, notes);
      if (at === undefined) continue;
      const user = String(row.user_id);
      variantOf.set(`${testId}\u0000${user}`, variant);
      const fresh = await insertIgnore(trx, 'ab_test_assignments', { test_id: testId, user_id: user, variant, assigned_at: at });
      if (fresh) assignments.imported += 1;
      else assignments.alreadyImported += 1;
      if (fresh) touched.add(testId);
    }
    for (const row of all(
      legacy,
      'SELECT outcome_id, test_id, user_id, skill_name, completed, duration_seconds, user_rating, recorded_at FROM ab_test_outcomes ORDER BY outcome_id',
    )) {
      outcomes.found += 1;
      const testId = idOf.get(String(row.test_id));
      if (!testId) {
        outcomes.skip('its test was not imported');
        continue;
      }
      const user = String(row.user_id);
      const variant = variantOf.get(`${testId}\u0000${user}`);
      if (!variant) {
        outcomes.skip('its user has no assignment in the test');
        continue;
      }
      const at = timeOf(row.recorded_at, 'recorded_at', outcomes, notes);
      if (at === undefined) continue;
      const rating = num(row.user_rating);
      const duration = num(row.duration_seconds);
      const fresh = await insertIgnore(trx, 'ab_test_outcomes', {
        id: legacyId(legacy.identity, 'o', row.outcome_id),
        test_id: testId,
        user_id: user,
        variant,
        skill_name: str(row.skill_name),
        completed: legacyBoolean(row.completed) ? 1 : 0,
        duration_seconds: duration !== null && duration >= 0 ? duration : null,
        user_rating: rating !== null && rating >= 1 && rating <= 5 ? rating : null,
        recorded_at: at,
      });
      if (fresh) outcomes.imported += 1;
      else outcomes.alreadyImported += 1;
      if (fresh) touched.add(testId);
    }
    for (const testId of touched) await rebuildUserStats(trx, testId);
  });
  return [configs, assignments, outcomes];
}

/** `ab_test_user_stats` of one test from its outcomes and assignments, as @skills/abtest keeps them. */
async function rebuildUserStats(trx: Kysely<SkillsDatabase>, testId: string): Promise<void> {
  await trx.deleteFrom('ab_test_user_stats').where('test_id', '=', testId).execute();
  const rows = await trx
    .selectFrom('ab_test_outcomes as o')
    .innerJoin('ab_test_assignments as a', (join) => join.onRef('a.test_id', '=', 'o.test_id').onRef('a.user_id', '=', 'o.user_id'))
    .select(['o.user_id', 'a.variant', 'a.assigned_at', 'o.completed', 'o.duration_seconds', 'o.user_rating', 'o.recorded_at'])
    .where('o.test_id', '=', testId)
    .execute();
  const sums = new Map<string, AbTestUserSums>();
  for (const row of rows) {
    let s = sums.get(row.user_id);
    if (!s) {
      s = {
        test_id: testId,
        user_id: row.user_id,
        variant: row.variant,
        outcomes: 0,
        completions: 0,
        duration_count: 0,
        log_duration_sum: 0,
        rating_count: 0,
        rating_sum: 0,
        first_recorded_at: Number(row.recorded_at),
        last_recorded_at: Number(row.recorded_at),
        assigned_at: Number(row.assigned_at),
      };
      sums.set(row.user_id, s);
    }
    s.outcomes += 1;
    s.completions += Number(row.completed);
    if (row.duration_seconds !== null && row.duration_seconds > 0) {
      s.duration_count += 1;
      s.log_duration_sum += Math.log(row.duration_seconds);
    }
    if (row.user_rating !== null) {
      s.rating_count += 1;
      s.rating_sum += row.user_rating;
    }
    s.first_recorded_at = Math.min(s.first_recorded_at, Number(row.recorded_at));
    s.last_recorded_at = Math.max(s.last_recorded_at, Number(row.recorded_at));
  }
  const stats = [...sums.values()];
  for (let i = 0; i < stats.length; i += 500)
    await trx
      .insertInto('ab_test_user_stats')
      .values(stats.slice(i, i + 500))
      .execute();
  // The derived ratios, by the same SQL @skills/abtest uses (DURATION_RANK_RESOLUTION = 1000).
  await trx
    .updateTable('ab_test_user_stats')
    .set({
      user_rate: sql<number>`cast(completions as double precision) / outcomes`,
      mean_log_duration: sql<number | null>`case when duration_count > 0 then log_duration_sum / duration_count end`,
      mean_rating: sql<number | null>`case when rating_count > 0 then rating_sum / rating_count end`,
      duration_bucket: sql<number | null>`case when duration_count > 0 then round(log_duration_sum / duration_count * 1000) end`,
    })
    .where('test_id', '=', testId)
    .execute();
}
