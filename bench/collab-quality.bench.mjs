// @skills/collab recommendation quality on held-out interactions (issue 17), and LSH recall:
//  - workloads: synth's default mix, synth with group habits (the quality test's), and the public
//    MovieLens "latest small" ratings as shipped by Debian's r-cran-dslabs (see README, *Quality*);
//  - split: for every user with at least 5 used skills (completed at least once; for MovieLens a
//    rating >= 4), 20% of them (at least 1, seeded shuffle) are removed from the training rows;
//  - models: today's default (user-kNN Jaccard, 20 neighbours), user-kNN with 50, EASE with lambda
//    and the popularity damping alpha chosen per population (the new default: buildEaseModel's
//    validation on a split of the training rows only), the same lambda without damping, and
//    at fixed values (as a share of the mean Gram diagonal, and absolute), popularity; every one through
//    the same pure functions the store path runs (recommendFromPopulation / recommendByItems),
//    including the popularity fill-up;
//  - figures: NDCG@10, precision@5 and recall@10 over the held-out skills, the ratio of the
//    default model to today's default (limit: >= 1.15 on every workload);
//  - LSH recall@10 against exact on every workload's full population, with and without the exact
//    calibrated fallback of nearestUsersApproximate (calibrateLsh on 50 users; limit: >= 0.9).
// The MovieLens ratings are read from BENCH_COLLAB_MOVIELENS (a CSV with userId,movieId,rating),
// default bench/.data/movielens-dslabs.csv, which this bench writes with Rscript when the Debian
// package r-cran-dslabs is installed (apt-get install r-cran-dslabs).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  buildEaseModel,
  buildLshIndex,
  buildPopulation,
  calibrateLsh,
  nearestUsers,
  nearestUsersApproximate,
  recommendByItems,
  recommendFromPopulation,
} from '@skills/collab';
import { createRandom, generateWorkload } from '@skills/synth';
import { info, report } from './lib.mjs';

const dir = join(dirname(fileURLToPath(import.meta.url)), '.data');
mkdirSync(dir, { recursive: true });
const SHARES = [0.25, 4];
const ABSOLUTE = [50, 200];

/** Synthetic invocations folded per (user, skill). */
function synthRows(options) {
  const pairs = new Map();
  for (const batch of generateWorkload(options).batches()) {
    for (const row of batch) {
      const key = `${row.user_id}\u0000${row.skill_name}`;
      const pair = pairs.get(key) ?? { user: row.user_id, skill: row.skill_name, total: 0, completed: 0 };
      pair.total += 1;
      pair.completed += row.completed ? 1 : 0;
      pairs.set(key, pair);
    }
  }
  return [...pairs.values()];
}

/**
 * MovieLens ratings as interactions: one invocation per rating, completed when rated >= 4, for
 * movies rated by at least `minRatings` users (a catalogue the size of a large skill set).
 */
function movieLensRows(minRatings = 20) {
  const path = process.env.BENCH_COLLAB_MOVIELENS ?? join(dir, 'movielens-dslabs.csv');
  if (!existsSync(path) && process.env.BENCH_COLLAB_MOVIELENS === undefined) {
    const r =
      'suppressMessages(library(dslabs)); data(movielens); write.csv(movielens[, c("userId", "movieId", "rating")], commandArgs(TRUE)[1], row.names = FALSE)';
    spawnSync('Rscript', ['-e', r, path], { stdio: 'ignore' });
  }
  if (!existsSync(path)) return undefined;
  const lines = readFileSync(path, 'utf8').trim().split('\n').slice(1);
  const ratings = lines.map((line) => {
    const [user, movie, rating] = line.split(',');
    return { user: `u${user}`, skill: `m${movie}`, rating: Number(rating) };
  });
  const raters = new Map();
  for (const { skill } of ratings) raters.set(skill, (raters.get(skill) ?? 0) + 1);
  const kept = ratings.filter((r) => raters.get(r.skill) >= minRatings);
  info(
    'MovieLens (dslabs)',
    `${ratings.length.toLocaleString('en-US')} ratings in ${path}; kept ${kept.length.toLocaleString('en-US')} of movies rated by >= ${minRatings} users (${[...raters.values()].filter((n) => n >= minRatings).length} of ${raters.size} movies)`,
  );
  return kept.map(({ user, skill, rating }) => ({ user, skill, total: 1, completed: rating >= 4 ? 1 : 0 }));
}

/** 20% of each user's used skills (users with at least 5) held out, as the quality test does. */
function holdOut(rows, seed) {
  const byUser = new Map();
  for (const row of rows) if (row.completed >= 1) byUser.set(row.user, [...(byUser.get(row.user) ?? []), row.skill]);
  const random = createRandom(seed + 1);
  const hidden = new Map();
  for (const [user, skills] of byUser) {
    if (skills.length < 5) continue;
    hidden.set(user, new Set(random.shuffle(skills.sort()).slice(0, Math.max(1, Math.round(skills.length * 0.2)))));
  }
  return { train: rows.filter((row) => !hidden.get(row.user)?.has(row.skill)), hidden };
}

const DISCOUNT = Array.from({ length: 10 }, (_, i) => 1 / Math.log2(i + 2));

/** Mean NDCG@10, precision@5 and recall@10 of `recommend(user, target)` over the held-out users. */
function evaluate(_population, train, hidden, recommend) {
  const own = new Map();
  for (const row of train) {
    const map = own.get(row.user) ?? new Map();
    map.set(row.skill, { total: row.total, completed: row.completed });
    own.set(row.user, map);
  }
  let ndcg = 0;
  let precision = 0;
  let recall = 0;
  for (const [user, relevant] of hidden) {
    const target = { pseudonym: user, outcomes: own.get(user) ?? new Map() };
    const ranked = recommend(user, target).map((r) => r.skill);
    let dcg = 0;
    let ideal = 0;
    ranked.slice(0, 10).forEach((skill, i) => {
      if (relevant.has(skill)) dcg += DISCOUNT[i];
    });
    for (let i = 0; i < Math.min(10, relevant.size); i++) ideal += DISCOUNT[i];
    ndcg += dcg / ideal;
    precision += ranked.slice(0, 5).filter((skill) => relevant.has(skill)).length / 5;
    recall += ranked.slice(0, 10).filter((skill) => relevant.has(skill)).length / relevant.size;
  }
  const n = hidden.size;
  return { ndcg: ndcg / n, precision: precision / n, recall: recall / n };
}

function qualityOf(name, rows, seed, held) {
  const { train, hidden } = holdOut(rows, seed);
  const population = buildPopulation(train);
  info(
    name,
    `${population.users.length.toLocaleString('en-US')} users, ${population.skillIds.size} skills, ${train.length.toLocaleString('en-US')} training pairs, ${hidden.size.toLocaleString('en-US')} users with held-out skills`,
  );
  const used = (user) => population.sets.get(user) ?? new Uint32Array(0);
  const models = [
    [
      "user-kNN, 20 neighbours (today's default)",
      (user, target) => recommendFromPopulation(population, target, nearestUsers(population, used(user), 20, user), 10),
    ],
    [
      'user-kNN, 50 neighbours',
      (user, target) => recommendFromPopulation(population, target, nearestUsers(population, used(user), 50, user), 10),
    ],
    ['popularity', (_user, target) => recommendFromPopulation(population, target, [], 10)],
  ];
  let start = performance.now();
  const chosen = buildEaseModel(population);
  const fit = performance.now() - start;
  const meanDiagonal = chosen.lambda / chosen.share;
  info(
    'EASE lambda chosen on held-out skills of the training rows',
    `share ${chosen.share} (lambda ${chosen.lambda.toFixed(1)}) by ${chosen.choice.chosenBy}; trials ${chosen.choice.trials.map((t) => `${t.share}: ${t.ndcg.toFixed(3)}`).join(', ')}; fit with the choice ${(fit / 1000).toFixed(1)} s`,
  );
  info(
    'EASE popularity damping alpha chosen on the same held-out skills, at that lambda',
    `alpha ${chosen.exponent}; trials ${(chosen.debias?.trials ?? []).map((t) => `${t.exponent}: ${t.ndcg.toFixed(3)}`).join(', ')}`,
  );
  models.push([
    `EASE, lambda and alpha chosen per population (the default)`,
    (_user, target) => recommendByItems(population, chosen, target, 10),
    'default',
  ]);
  const undamped = buildEaseModel(population, { lambdaShare: chosen.share });
  models.push([
    `EASE, the chosen lambda without popularity damping (alpha 0)`,
    (_user, target) => recommendByItems(population, undamped, target, 10),
  ]);
  for (const share of SHARES) {
    start = performance.now();
    const model = buildEaseModel(population, { lambdaShare: share });
    models.push([
      `EASE, lambda ${share} x mean diagonal (${model.lambda.toFixed(0)}; fit ${(performance.now() - start).toFixed(0)} ms)`,
      (_user, target) => recommendByItems(population, model, target, 10),
    ]);
  }
  for (const lambda of ABSOLUTE) {
    const model = buildEaseModel(population, { lambda });
    models.push([
      `EASE, lambda ${lambda} (= ${(lambda / meanDiagonal).toFixed(2)} x mean diagonal)`,
      (_user, target) => recommendByItems(population, model, target, 10),
    ]);
  }
  const results = models.map(([label, recommend, share]) => ({ label, share, ...evaluate(population, train, hidden, recommend) }));
  const today = results[0];
  for (const r of results) {
    info(
      r.label.padEnd(70),
      `NDCG@10 ${r.ndcg.toFixed(3)}  P@5 ${r.precision.toFixed(3)}  R@10 ${r.recall.toFixed(3)}  (x${(r.ndcg / today.ndcg).toFixed(2)} NDCG of today's default)`,
    );
  }
  const best = results.find((r) => r.share === 'default');
  const figure = `${name}: NDCG@10 of the default (EASE, lambda and alpha chosen) / today's default`;
  if (held) report(figure, best.ndcg / today.ndcg, 1.15, 'x', 'higher');
  else
    info(
      `${figure} (no limit: user-kNN already matches an oracle of the group favourites here, see README)`,
      `${(best.ndcg / today.ndcg).toFixed(3)} x`,
    );
  return results;
}

function lshRecall(name, rows) {
  const population = buildPopulation(rows);
  const index = buildLshIndex(population.sets, { seed: 0x5eed });
  const calibration = calibrateLsh(population, index);
  const users = [...population.sets.keys()];
  const step = Math.max(1, Math.floor(users.length / 300));
  const targets = users.filter((_, i) => i % step === 0);
  let wanted = 0;
  let plain = 0;
  let withFallback = 0;
  let fallbacks = 0;
  let lowTenth = 0;
  for (const user of targets) {
    const skills = population.sets.get(user);
    const exact = nearestUsers(population, skills, 10, user);
    const lsh = index.querySet(skills, 10, user);
    const approximate = nearestUsersApproximate(population, index, skills, 10, user, calibration);
    if (approximate.method === 'exact') fallbacks++;
    if ((exact[9]?.similarity ?? 0) < 0.15) lowTenth++;
    exact.forEach((match, i) => {
      wanted++;
      if ((lsh[i]?.similarity ?? -1) >= match.similarity) plain++;
      if ((approximate.neighbours[i]?.similarity ?? -1) >= match.similarity) withFallback++;
    });
  }
  info(
    `${name}: LSH (${index.bands} bands x ${index.rows} rows) alone`,
    `recall@10 ${(plain / wanted).toFixed(3)} over ${targets.length} users (${lowTenth} with a 10th neighbour below Jaccard 0.15)`,
  );
  report(
    `${name}: LSH recall@10 as the store answers (sampled recall ${calibration.recall.toFixed(3)}: ${calibration.useLsh ? 'LSH' : 'exact'}; ${fallbacks} of ${targets.length} queries answered exactly)`,
    withFallback / wanted,
    0.9,
    '',
    'higher',
  );
}

const workloads = [
  [
    'synth default mix (400k invocations, 2,000 users, 300 skills, seed 6)',
    () => synthRows({ invocations: 400_000, users: 2_000, skills: 300, days: 21, seed: 6 }),
    6,
    true,
  ],
  [
    'synth default mix (400k invocations, 2,000 users, 300 skills, seed 7)',
    () => synthRows({ invocations: 400_000, users: 2_000, skills: 300, days: 21, seed: 7 }),
    7,
    true,
  ],
  [
    'synth group habits (200k invocations, 2,000 users, 500 skills, seed 6; the quality test)',
    () => synthRows({ invocations: 200_000, users: 2_000, skills: 500, days: 21, seed: 6, favouriteShare: 0.95, workflowShare: 0.1 }),
    6,
    false,
  ],
  ['MovieLens latest-small (dslabs 0.7.4), rating >= 4 as used', () => movieLensRows(), 17, true],
];
for (const [name, load, seed, held] of workloads) {
  console.log(`\n## ${name}`);
  const rows = load();
  if (rows === undefined) {
    info(name, 'skipped: no ratings file (apt-get install r-cran-dslabs, or set BENCH_COLLAB_MOVIELENS to a userId,movieId,rating CSV)');
    continue;
  }
  qualityOf(name, rows, seed, held);
  lshRecall(name, rows);
}
