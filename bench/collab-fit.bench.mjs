// @skills/collab: the EASE fit that the first recommendSkills of a population runs (issue 17), at
// the README's scale: 100,000 users in 100 groups, about 20 of 500 skills each (the population of
// bench/collab.bench.mjs, built in memory). Prints the fit's wall and CPU time, the chosen λ share
// and the longest event-loop stall meanwhile (a 5 ms setInterval probe).
// Profile with: node --cpu-prof --cpu-prof-dir=/tmp/prof bench/collab-fit.bench.mjs
// BENCH_COLLAB_FIT_BEFORE=<module exporting buildEaseModel> times an earlier version in the same
// run and checks that it gives the same model (e.g. packages/collab/src/fit-ease.ts of an earlier
// commit bundled with esbuild); BENCH_COLLAB_FIT=before runs only that, sync / async only today's
// synchronous fit / the store's first recommendSkills (default both), each best in its own process.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as collab from '@skills/collab';
import { openStore, userPseudonym } from '@skills/storage';
import { info, seeded } from './lib.mjs';

const SKILLS = 500;
const GROUPS = 100;
const USERS = Number(process.env.BENCH_COLLAB_FIT_USERS ?? 100_000);

function* interactions(users, seed) {
  const random = seeded(seed);
  const favourites = Array.from({ length: GROUPS }, () => {
    const chosen = new Set();
    while (chosen.size < 25) chosen.add(Math.floor(random() * SKILLS));
    return [...chosen];
  });
  for (let u = 0; u < users; u++) {
    const group = favourites[u % GROUPS];
    const skills = new Set();
    while (skills.size < 16) skills.add(group[Math.floor(random() * group.length)]);
    while (skills.size < 20) skills.add(Math.floor(random() * SKILLS));
    for (const skill of skills) {
      const total = 1 + Math.floor(random() * 6);
      const completed = Math.round(total * (0.4 + 0.6 * random()));
      yield { user: `user-${u}`, skill: `skill-${skill}`, total, completed };
    }
  }
}

const { buildEaseModel, buildPopulation, recommendSkills, similarUsers } = collab;
const start = performance.now();
const population = buildPopulation(interactions(USERS, 1));
info(`population of ${USERS.toLocaleString('en-US')} users built`, `${((performance.now() - start) / 1000).toFixed(1)} s`);

const timed = async (label, fit) => {
  let longest = 0;
  let last = performance.now();
  const probe = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 5);
  const cpu = process.cpuUsage();
  const begin = performance.now();
  const model = await fit();
  const wall = performance.now() - begin;
  const spent = process.cpuUsage(cpu);
  clearInterval(probe);
  longest = Math.max(longest, performance.now() - last);
  info(
    label,
    `wall ${wall.toFixed(0)} ms, CPU ${((spent.user + spent.system) / 1000).toFixed(0)} ms, ${model.share === undefined ? '' : `λ share ${model.share}, `}longest event-loop stall ${longest.toFixed(0)} ms`,
  );
  return model;
};

const digest = (model) =>
  `weights sha256 ${createHash('sha256')
    .update(Buffer.from(model.weights.buffer, model.weights.byteOffset, model.weights.byteLength))
    .digest('hex')
    .slice(0, 16)}, trials ${JSON.stringify(model.choice?.trials.map((t) => [t.share, Number(t.ndcg.toFixed(6))]))}`;
const which = process.env.BENCH_COLLAB_FIT ?? 'both';
if (process.env.BENCH_COLLAB_FIT_BEFORE) {
  const before = await import(process.env.BENCH_COLLAB_FIT_BEFORE);
  info('before: model', digest(await timed('before: buildEaseModel (synchronous)', () => before.buildEaseModel(population))));
}
if (which === 'both' || which === 'sync')
  info('model', digest(await timed('buildEaseModel (synchronous)', () => buildEaseModel(population))));
if (which === 'both' || which === 'async') {
  // As a server runs it: the first recommendSkills of a SQLite store of the same users (the file
  // is built once, as bench/collab.bench.mjs does), after the population is loaded.
  const dir = join(dirname(fileURLToPath(import.meta.url)), '.data');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `collab-fit-${USERS}.db`);
  const SECRET = 'bench-pseudonym-secret-0123456789';
  if (!existsSync(path)) {
    const building = `${path}.building`;
    const store = await openStore(building, { userPseudonymSecret: SECRET });
    let chunk = [];
    for (const row of interactions(USERS, 1)) {
      chunk.push({
        user_id: userPseudonym(store, row.user),
        skill_name: row.skill,
        invocation_count: row.total,
        completed_count: row.completed,
        first_used: 0,
        last_used: 0,
      });
      if (chunk.length === 2000) {
        await store.db.insertInto('skill_user_interactions').values(chunk).execute();
        chunk = [];
      }
    }
    if (chunk.length > 0) await store.db.insertInto('skill_user_interactions').values(chunk).execute();
    await store.close();
    for (const suffix of ['', '-wal', '-shm']) if (existsSync(building + suffix)) renameSync(building + suffix, path + suffix);
  }
  const store = await openStore(path, { userPseudonymSecret: SECRET });
  await similarUsers(store, 'user-0');
  await timed('first recommendSkills of the store (the fit, yielding to the event loop)', async () => {
    await recommendSkills(store, 'user-0', { limit: 10 });
    return {};
  });
  await store.close();
}
