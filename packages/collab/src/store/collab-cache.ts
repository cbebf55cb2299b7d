import { userPseudonym, type SkillsDatabase, type Store } from '@skills/storage';
import type { EaseModel } from '../ease.js';
import { fitEaseModel } from '../fit-ease.js';
import { calibrateLsh, type LshCalibration } from '../approximate-neighbours.js';
import { buildLshIndex, type LshIndex } from '../minhash-lsh.js';
import { buildPopulation, type Population } from '../population.js';
import type { SkillOutcome } from '../usage-stats.js';
import { forEachPage, PAGE_SIZE } from './pages.js';

/** Options every store-backed query of this package takes. */
export interface CollabOptions {
  /** Successful invocations before a user counts as using a skill. Default 1. */
  readonly minSuccesses?: number;
  /**
   * How long an answer and the in-memory population it came from are reused (ms). Default one
   * hour, as in the original. An answer is recomputed sooner when the asking user's own
   * interactions changed since, and every cache of the store is dropped by `forgetUser`.
   */
  readonly cacheTtlMs?: number;
  /** Clock (epoch ms), for tests. */
  readonly now?: number;
}

/** The asking user's current interactions, read fresh on every call (one indexed query). */
export interface TargetUser {
  readonly pseudonym: string;
  /** Skill name → counts. */
  readonly outcomes: ReadonlyMap<string, SkillOutcome>;
  /** Changes whenever the user's interactions change: the cache key's validity check. */
  readonly fingerprint: string;
}

export interface PopulationEntry {
  readonly minSuccesses: number;
  readonly builtAt: number;
  readonly population: Promise<Population>;
  /** The load finished. */
  ready?: boolean;
  /** A newer population is loading in the background. */
  refreshing?: boolean;
  lsh?: { index: LshIndex; calibration: LshCalibration };
  /**
   * EASE models over this population, by λ share (`auto`: chosen on held-out skills): the fit in
   * progress or done, shared by every caller that asks meanwhile.
   */
  ease?: Map<number | 'auto', Promise<EaseModel>>;
}

interface CachedAnswer {
  readonly fingerprint: string;
  /** The population it was computed from: a newer one makes the answer stale. */
  readonly source: PopulationEntry;
  readonly expires: number;
  readonly value: unknown;
}

interface StoreCache {
  populations: Map<number, PopulationEntry>;
  answers: Map<string, CachedAnswer>;
}

const DEFAULT_TTL_MS = 3_600_000;
const MAX_ANSWERS = 10_000;
const caches = new WeakMap<Store, StoreCache>();

function cacheOf(store: Store): StoreCache {
  let cache = caches.get(store);
  if (!cache) {
    cache = { populations: new Map(), answers: new Map() };
    caches.set(store, cache);
  }
  return cache;
}

export function settings(options: CollabOptions): { minSuccesses: number; ttl: number; now: number } {
  const minSuccesses = options.minSuccesses ?? 1;
  if (!Number.isInteger(minSuccesses) || minSuccesses < 1) {
    throw new RangeError(`minSuccesses: expected an integer ≥ 1 (got ${String(minSuccesses)})`);
  }
  const ttl = options.cacheTtlMs ?? DEFAULT_TTL_MS;
  if (!(Number.isFinite(ttl) && ttl >= 0)) throw new RangeError(`cacheTtlMs: expected a number ≥ 0 (got ${String(ttl)})`);
  return { minSuccesses, ttl, now: options.now ?? Date.now() };
}

/** Reads the user's interactions under their pseudonym (throws when the store has no secret). */
export async function readTarget(store: Store, userId: string): Promise<TargetUser> {
  if (typeof userId !== 'string' || userId.trim() === '') throw new TypeError('userId: expected a non-empty string');
  const pseudonym = userPseudonym(store, userId);
  const rows = await store.db
    .selectFrom('skill_user_interactions')
    .select(['skill_name', 'invocation_count', 'completed_count', 'last_used'])
    .where('user_id', '=', pseudonym)
    .orderBy('skill_name')
    .execute();
  const outcomes = new Map<string, SkillOutcome>();
  let fingerprint = '';
  for (const row of rows) {
    outcomes.set(row.skill_name, { total: Number(row.invocation_count), completed: Number(row.completed_count) });
    fingerprint += `${row.skill_name}:${row.invocation_count}:${row.completed_count}:${row.last_used};`;
  }
  return { pseudonym, outcomes, fingerprint };
}

/**
 * The population (every user's skills, in compact arrays) for `minSuccesses`, loaded from
 * `skill_user_interactions` once and reused. Concurrent callers share one load. Once it is older
 * than the TTL a fresh one is loaded in the background while the old one keeps answering, so only
 * the very first query waits for a load (and the EASE models in use are refitted on the fresh one
 * before it replaces the old one).
 */
export function population(store: Store, minSuccesses: number, ttl: number, now: number): PopulationEntry {
  const cache = cacheOf(store);
  const entry = cache.populations.get(minSuccesses);
  // Fresh enough, or still loading (nothing newer could be had), or already being replaced.
  if (entry && (now - entry.builtAt <= ttl || !entry.ready || entry.refreshing)) return entry;
  const fresh: PopulationEntry = { minSuccesses, builtAt: now, population: loadPopulation(store, minSuccesses) };
  // Settles the cache either way; callers awaiting `fresh.population` see the error themselves.
  fresh.population.then(
    async () => {
      // The EASE models the old population answered with are fitted on the fresh one before it
      // takes over (cooperatively, see `easeModel`), so no request waits for a refit after a reload.
      const models = entry?.ease ? [...entry.ease.keys()] : [];
      if (models.length > 0) await Promise.allSettled(models.map((key) => easeModel(fresh, key === 'auto' ? undefined : key)));
      fresh.ready = true;
      if (cache.populations.get(minSuccesses) === entry || cache.populations.get(minSuccesses) === fresh) {
        cache.populations.set(minSuccesses, fresh);
      }
    },
    () => {
      if (cache.populations.get(minSuccesses) === fresh) cache.populations.delete(minSuccesses);
      if (entry) entry.refreshing = false;
    },
  );
  if (entry?.ready) {
    // Stale but usable: answer from it while the fresh one loads.
    entry.refreshing = true;
    return entry;
  }
  cache.populations.set(minSuccesses, fresh);
  return fresh;
}

/** The LSH index over a population entry and its calibration on the population, built on first use. */
export async function lshIndex(entry: PopulationEntry): Promise<{ index: LshIndex; calibration: LshCalibration }> {
  const built = await entry.population;
  if (entry.lsh === undefined) {
    const index = buildLshIndex(built.sets, { seed: 0x5eed });
    entry.lsh = { index, calibration: calibrateLsh(built, index) };
  }
  return entry.lsh;
}

/**
 * The EASE model over a population entry for a λ share (or the chosen one), fitted on first use
 * without blocking the event loop (`fitEaseModel`: it yields every few milliseconds); callers that
 * ask while it is being fitted wait for the same fit. A failed fit is forgotten, so the next call
 * tries again.
 */
export async function easeModel(entry: PopulationEntry, lambdaShare: number | undefined): Promise<EaseModel> {
  const built = await entry.population;
  entry.ease ??= new Map();
  const ease = entry.ease;
  const key = lambdaShare ?? 'auto';
  let model = ease.get(key);
  if (model === undefined) {
    model = lambdaShare === undefined ? fitEaseModel(built) : fitEaseModel(built, { lambdaShare });
    ease.set(key, model);
    model.catch(() => {
      if (ease.get(key) === model) ease.delete(key);
    });
  }
  return model;
}

async function loadPopulation(store: Store, minSuccesses: number): Promise<Population> {
  const rows: { user: string; skill: string; total: number; completed: number }[] = [];
  type Row = Pick<SkillsDatabase['skill_user_interactions'], 'user_id' | 'skill_name' | 'invocation_count' | 'completed_count'>;
  await forEachPage<Row>(
    (after) => {
      let query = store.db
        .selectFrom('skill_user_interactions')
        .select(['user_id', 'skill_name', 'invocation_count', 'completed_count'])
        .orderBy('user_id')
        .orderBy('skill_name')
        .limit(PAGE_SIZE);
      if (after) query = query.where((eb) => eb(eb.refTuple('user_id', 'skill_name'), '>', eb.tuple(after.user_id, after.skill_name)));
      return query.execute();
    },
    (page) => {
      for (const row of page) {
        rows.push({
          user: row.user_id,
          skill: row.skill_name,
          total: Number(row.invocation_count),
          completed: Number(row.completed_count),
        });
      }
    },
  );
  return buildPopulation(rows, { minSuccesses });
}

/**
 * A cached answer for (kind, user, options) if it is within its TTL, the user has not changed
 * since, and it came from the population now in use.
 */
export function cached<T>(store: Store, key: string, target: TargetUser, source: PopulationEntry, now: number): T | undefined {
  const hit = cacheOf(store).answers.get(key);
  if (!hit || hit.expires < now || hit.fingerprint !== target.fingerprint || hit.source !== source) return undefined;
  return hit.value as T;
}

export function remember(
  store: Store,
  key: string,
  target: TargetUser,
  source: PopulationEntry,
  value: unknown,
  now: number,
  ttl: number,
): void {
  const answers = cacheOf(store).answers;
  if (answers.size >= MAX_ANSWERS) answers.delete(answers.keys().next().value!);
  answers.set(key, { fingerprint: target.fingerprint, source, expires: now + ttl, value });
}

/** Drops every cached population and answer of the store. */
export function clearCollabCache(store: Store): void {
  caches.delete(store);
}
