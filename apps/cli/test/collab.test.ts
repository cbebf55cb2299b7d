import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore, UserPseudonymSecretError, userPseudonym } from '@skills/storage';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeError } from '../src/errors.js';
import { HOUR, jsonl, runBin, runMain, T0, tempDir } from './helpers.js';

const SEED = ['--invocations', '20000', '--users', '200', '--skills', '40', '--days', '7', '--seed', '3'];
const MISMATCH = "does not match the secret this store's user pseudonyms were made with";

interface Recommendation {
  skill: string;
  score: number;
  reason: string;
  basis: 'neighbours' | 'popularity';
}

interface Match {
  user: string;
  similarity: number;
}

async function json<T>(args: string[], env?: Record<string, string>): Promise<T> {
  const result = await runMain(args, env ? { env } : {});
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as T;
}

/** Every skill `user` invoked, from `skills list`. */
async function invokedSkills(db: string, user: string): Promise<Set<string>> {
  const page = await json<{ items: { skill_name: string }[]; nextCursor: string | null }>([
    'list',
    '--db',
    db,
    '--user',
    user,
    '--limit',
    '10000',
    '--json',
  ]);
  expect(page.nextCursor).toBeNull();
  return new Set(page.items.map((item) => item.skill_name));
}

/** Raw user id by pseudonym, for the seeded users user-000 … user-199. */
async function pseudonymsOf(db: string, secret: string): Promise<Map<string, string>> {
  const store = await openStore(db, { migrate: false, userPseudonymSecret: secret });
  try {
    const users = Array.from({ length: 200 }, (_, i) => `user-${String(i).padStart(3, '0')}`);
    return new Map(users.map((user) => [userPseudonym(store, user), user]));
  } finally {
    await store.close();
  }
}

describe('collaborative commands on a seeded store', () => {
  const dir = tempDir();
  const db = join(dir, 'collab.db');
  const keyFile = `${db}.secret`;
  let user = '';
  let secret = '';

  beforeAll(async () => {
    expect((await runMain(['seed', '--db', db, ...SEED])).code).toBe(0);
    secret = readFileSync(keyFile, 'utf8');
    const newest = await json<{ items: { user_id: string }[] }>(['list', '--db', db, '--limit', '1', '--json']);
    user = newest.items[0]!.user_id;
  });

  it('keeps the pseudonym secret in <db>.secret, mode 0600, the same on every run', async () => {
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect((await runMain(['similar', user, '--db', db])).code).toBe(0);
    expect((await runBin(['top', '--db', db, '--since', '2026-01-01'])).code).toBe(0);
    expect(readFileSync(keyFile, 'utf8')).toBe(secret);
    // The key file's text works as SKILLS_PSEUDONYM_SECRET too (same pseudonyms).
    const viaEnv = await json<Match[]>(['similar', user, '--db', db, '--json'], { SKILLS_PSEUDONYM_SECRET: secret });
    expect(viaEnv).toEqual(await json<Match[]>(['similar', user, '--db', db, '--json']));
  });

  it('recommend --json never lists a skill the user invoked, and says why in words', async () => {
    const invoked = await invokedSkills(db, user);
    expect(invoked.size).toBeGreaterThan(0);
    const recommendations = await json<Recommendation[]>(['recommend', user, '--db', db, '--limit', '8', '--json']);
    expect(recommendations).toHaveLength(8);
    for (const r of recommendations) {
      expect(invoked.has(r.skill)).toBe(false);
      expect(r.reason).toMatch(/^often used together with .+, which you use$|users \(/);
      expect(r.score).toBeGreaterThan(0);
    }
    expect(recommendations[0]!.basis).toBe('related-skills');
    const byUsers = await json<Recommendation[]>(['recommend', user, '--db', db, '--limit', '8', '--model', 'user-knn', '--json']);
    expect(byUsers[0]!.basis).toBe('neighbours');
    expect(byUsers[0]!.reason).toMatch(/^used successfully by \d+ of your 20 nearest users$/);
    expect(new Set(recommendations.map((r) => r.skill)).size).toBe(8);
    // A user with no history gets the popularity fill.
    const newcomer = await json<Recommendation[]>(['recommend', 'someone-new', '--db', db, '--limit', '3', '--json']);
    expect(newcomer.map((r) => r.basis)).toEqual(['popularity', 'popularity', 'popularity']);
    expect(newcomer[0]!.reason).toMatch(/^used successfully by \d+ users \(/);
  });

  it('recommend prints a table', async () => {
    const result = await runMain(['recommend', user, '--db', db, '--limit', '3', '--model', 'user-knn', '--neighbours', '10']);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe(`Skills to try for ${user}:`);
    expect(result.stdout).toMatch(/│ skill\s+│ score │ basis\s+│ reason\s+│/);
    expect(lines.filter((line) => /│ 0\.\d{3} │ neighbours │ used successfully by \d+ of your 10 nearest users/.test(line))).toHaveLength(
      3,
    );
    const byItems = await runMain(['recommend', user, '--db', db, '--limit', '3']);
    expect(
      byItems.stdout.split('\n').filter((line) => /│ -?\d+\.\d{3} │ related-skills │ often used together with /.test(line)),
    ).toHaveLength(3);
  });

  it('similar --json: similarities in (0, 1], highest first, pseudonyms only', async () => {
    for (const method of ['exact', 'lsh', 'auto']) {
      const result = await runMain(['similar', user, '--db', db, '--k', '15', '--method', method, '--json']);
      expect(result.code).toBe(0);
      expect(result.stdout).not.toMatch(/user-\d{3}/);
      const similar = JSON.parse(result.stdout) as Match[];
      expect(similar.length).toBeGreaterThan(0);
      expect(similar.length).toBeLessThanOrEqual(15);
      for (const [i, match] of similar.entries()) {
        expect(match.user).toMatch(/^[\w-]{22}$/);
        expect(match.similarity).toBeGreaterThan(0);
        expect(match.similarity).toBeLessThanOrEqual(1);
        if (i > 0) expect(match.similarity).toBeLessThanOrEqual(similar[i - 1]!.similarity);
      }
    }
    const table = await runMain(['similar', user, '--db', db, '--k', '2']);
    expect(table.stdout.split('\n')[0]).toBe(`Users most similar to ${user} (shown as pseudonyms):`);
    expect(table.stdout.split('\n').slice(1).join('\n')).not.toMatch(/user-\d{3}/);
    expect(table.stdout.match(/│ [\w-]{22} │ +[01]\.\d{3} │/g)).toHaveLength(2);
  });

  it('similar --help says that other users appear only as pseudonyms', async () => {
    const help = await runMain(['similar', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Other users appear only as pseudonyms');
  });

  it('baselines --json: one row per skill, written to skill_community_baselines', async () => {
    const baselines = await json<{ skill: string; totalUsers: number; completionRate: number; effectivenessPercentile: number }[]>([
      'baselines',
      '--db',
      db,
      '--json',
    ]);
    const store = await openStore(db, { migrate: false });
    try {
      const skills = await store.db.selectFrom('skill_invocation').select('skill_name').distinct().execute();
      const stored = await store.db.selectFrom('skill_community_baselines').select(['skill_name', 'total_users']).execute();
      expect(baselines).toHaveLength(skills.length);
      expect(stored).toHaveLength(skills.length);
      expect(new Set(stored.map((row) => row.skill_name))).toEqual(new Set(skills.map((row) => row.skill_name)));
      const usersBySkill = new Map(stored.map((row) => [row.skill_name, row.total_users]));
      for (const b of baselines) expect(usersBySkill.get(b.skill)).toBe(b.totalUsers);
    } finally {
      await store.close();
    }
    for (let i = 1; i < baselines.length; i++) expect(baselines[i]!.completionRate).toBeLessThanOrEqual(baselines[i - 1]!.completionRate);
    const table = await runMain(['baselines', '--db', db]);
    expect(table.stdout.split('\n')[0]).toBe(`Community baselines of ${baselines.length} skills (written to skill_community_baselines):`);
  });

  it('deps --json returns the declared dependencies after skills taxonomy init', async () => {
    expect((await runMain(['taxonomy', 'init', '--db', db])).code).toBe(0);
    const deps = await json<{ skill: string; partner: string; source: string; lift: number; support: number | null }[]>([
      'deps',
      'git-commit',
      '--db',
      db,
      '--limit',
      '1000',
      '--json',
    ]);
    expect(deps).toContainEqual({
      skill: 'git-commit',
      partner: 'git-push',
      source: 'declared',
      sessions: 0,
      support: null,
      confidence: null,
      lift: 4.2,
    });
    for (let i = 1; i < deps.length; i++) expect(deps[i]!.lift).toBeLessThanOrEqual(deps[i - 1]!.lift);
    for (const d of deps) expect(d.lift).toBeGreaterThanOrEqual(1.5);
    const observed = await json<{ source: string; sessions: number }[]>([
      'deps',
      'git-commit',
      '--db',
      db,
      '--min-lift',
      '0',
      '--min-sessions',
      '3',
      '--json',
    ]);
    expect(observed.length).toBe(10);
    for (const d of observed) if (d.source === 'observed') expect(d.sessions).toBeGreaterThanOrEqual(3);
    const table = await runMain(['deps', 'git-commit', '--db', db, '--limit', '1000']);
    // A declared pair says where its lift comes from, instead of leaving sessions and support blank.
    expect(table.stdout).toMatch(/│ git-push\s+│ declared\* │\s+- │\s+- │\s+- │ 4\.20 │/);
    expect(table.stdout).toContain(
      "* declared by the taxonomy (skills init loads it), not seen in sessions: its lift is the taxonomy's expected strength, and it has no sessions, support or confidence.\n",
    );
    expect((await runMain(['deps', 'no-such-skill', '--db', db])).stdout).toBe('No skills go with no-such-skill at lift ≥ 1.5.\n');
  });

  it('forget removes the user from everyone else’s similar users', async () => {
    const byPseudonym = await pseudonymsOf(db, secret);
    const forgotten = [...byPseudonym].find(([, id]) => id === user)![0];
    // A neighbour of the user has the user among its own neighbours (Jaccard is symmetric).
    const [nearest] = await json<Match[]>(['similar', user, '--db', db, '--k', '1', '--json']);
    const neighbour = byPseudonym.get(nearest!.user)!;
    expect(neighbour).toMatch(/^user-\d{3}$/);
    const before = await json<Match[]>(['similar', neighbour, '--db', db, '--k', '1000', '--json']);
    expect(before.map((m) => m.user)).toContain(forgotten);

    const removed = await json<{ user: string; removed: number }>(['forget', user, '--db', db, '--json']);
    expect(removed.user).toBe(user);
    expect(removed.removed).toBe((await invokedSkills(db, user)).size);

    const after = await json<Match[]>(['similar', neighbour, '--db', db, '--k', '1000', '--json']);
    expect(after.map((m) => m.user)).not.toContain(forgotten);
    expect(after.length).toBe(before.length - 1);
    expect(await json<Match[]>(['similar', user, '--db', db, '--json'])).toEqual([]);
    expect(await json<unknown[]>(['compare', user, '--db', db, '--json'])).toEqual([]);
    expect((await runMain(['forget', user, '--db', db])).stdout).toMatch(
      new RegExp(`^Forgot ${user}: removed 0 interaction rows; later invocations of theirs are left out too.\n`),
    );
  });

  it('refuses another SKILLS_PSEUDONYM_SECRET, a missing key file and a short secret, in one line', async () => {
    const other = 'another-secret-of-enough-bytes';
    expect(await runMain(['similar', user, '--db', db], { env: { SKILLS_PSEUDONYM_SECRET: other } })).toEqual({
      code: 1,
      stdout: '',
      stderr: `skills: SKILLS_PSEUDONYM_SECRET ${MISMATCH} (unset it to use the key file ${keyFile})\n`,
    });
    // Also for commands that do not use the pseudonyms: recording needs the same secret.
    expect((await runBin(['top', '--db', db], { env: { SKILLS_PSEUDONYM_SECRET: other } })).stderr).toBe(
      `skills: SKILLS_PSEUDONYM_SECRET ${MISMATCH} (unset it to use the key file ${keyFile})\n`,
    );
    expect(await runMain(['top', '--db', db], { env: { SKILLS_PSEUDONYM_SECRET: 'short' } })).toEqual({
      code: 1,
      stdout: '',
      stderr: 'skills: SKILLS_PSEUDONYM_SECRET: expected at least 16 bytes (got 5)\n',
    });

    const saved = readFileSync(keyFile, 'utf8');
    rmSync(keyFile);
    try {
      expect(await runMain(['top', '--db', db])).toEqual({
        code: 1,
        stdout: '',
        stderr: `skills: ${db} keeps user pseudonyms made with another secret and its key file ${keyFile} is missing: restore the key file or set SKILLS_PSEUDONYM_SECRET\n`,
      });
      expect(existsSync(keyFile)).toBe(false);
      expect((await runMain(['similar', user, '--db', db], { env: { SKILLS_PSEUDONYM_SECRET: saved } })).code).toBe(0);
      writeFileSync(keyFile, 'x'.repeat(64), { mode: 0o600 });
      expect((await runMain(['top', '--db', db])).stderr).toBe(
        `skills: key file ${keyFile} ${MISMATCH}: restore the original key file or set SKILLS_PSEUDONYM_SECRET\n`,
      );
    } finally {
      writeFileSync(keyFile, saved, { mode: 0o600 });
    }
    expect((await runMain(['top', '--db', db])).code).toBe(0);
  });

  it('bad flags and arguments give one-line errors and exit 1', async () => {
    const cases: [string[], string][] = [
      [['recommend', user, '--limit', '0'], '--limit: expected an integer from 1 to 1000 (got "0")'],
      [['recommend', user, '--neighbours', 'many'], '--neighbours: expected an integer from 1 to 1000 (got "many")'],
      [['recommend', user, '--min-successes', '0'], '--min-successes: expected an integer ≥ 1 (got "0")'],
      [['recommend', user, '--model', 'svd'], '--model: expected one of ease, user-knn (got "svd")'],
      [['similar', user, '--k', '1001'], '--k: expected an integer from 1 to 1000 (got "1001")'],
      [['similar', user, '--method', 'fast'], '--method: expected one of exact, lsh, auto (got "fast")'],
      [['compare', user, '--alpha', '1'], '--alpha: expected a number between 0 and 1 (got "1")'],
      [['compare', user, '--alpha', 'x'], '--alpha: expected a number between 0 and 1 (got "x")'],
      [['deps', 'git-commit', '--min-lift', '-1'], '--min-lift: expected a number ≥ 0 (got "-1")'],
      [['deps', 'git-commit', '--min-sessions', '0'], '--min-sessions: expected an integer ≥ 1 (got "0")'],
      [['deps', 'git-commit', '--limit', '1.5'], '--limit: expected an integer from 1 to 1000 (got "1.5")'],
      [['recommend', ' '], 'USER: expected a user id'],
      [['forget', ''], 'USER: expected a user id'],
    ];
    for (const [args, message] of cases) {
      expect(await runMain([...args, '--db', db])).toEqual({ code: 1, stdout: '', stderr: `skills: ${message}\n` });
    }
    expect((await runMain(['similar', '--db', db])).stderr).toBe("skills: missing required argument 'user' (see skills --help)\n");
  });
});

describe('skills compare on a known fixture', () => {
  const dir = tempDir();
  const db = join(dir, 'compare.db');

  /** `total` invocations of `skill` by `user`, the first `completed` of them completed. */
  function runs(user: string, skill: string, total: number, completed: number): object[] {
    return Array.from({ length: total }, (_, i) => ({
      id: `${user}-${skill}-${i}`,
      skill_name: skill,
      session_id: `${user}-s${i % 5}`,
      user_id: user,
      invoked_at: T0 + i * HOUR,
      completed: i < completed,
      duration_seconds: 2,
    }));
  }

  beforeAll(async () => {
    const items = [
      ...runs('ann', 'pytest-run', 40, 8), // 20% against the others' 90%: below
      ...runs('ann', 'ruff-check', 40, 40), // 100% against 50%: above
      ...runs('ann', 'git-commit', 3, 2), // 67% against 80%, three tries: indistinguishable
      ...runs('ann', 'solo-skill', 2, 1), // nobody else to compare with
      ...['bo', 'cy', 'di'].flatMap((other) => [
        ...runs(other, 'pytest-run', 40, 36),
        ...runs(other, 'ruff-check', 40, 20),
        ...runs(other, 'git-commit', 10, 8),
      ]),
    ];
    const result = await runMain(['import', '-', '--db', db, '--json'], { input: jsonl(items) });
    expect(result.code).toBe(0);
  });

  it('compare --json gives the expected verdicts', async () => {
    const comparisons = await json<Record<string, unknown>[]>(['compare', 'ann', '--db', db, '--json']);
    expect(comparisons.map((c) => [c.skill, c.verdict])).toEqual([
      ['git-commit', 'indistinguishable'],
      ['pytest-run', 'below'],
      ['ruff-check', 'above'],
      ['solo-skill', 'indistinguishable'],
    ]);
    const [gitCommit, pytest, ruff, solo] = comparisons;
    expect(pytest).toMatchObject({
      userInvocations: 40,
      userCompleted: 8,
      userRate: 0.2,
      globalRate: 0.9,
      communityInvocations: 120,
      significant: true,
    });
    expect(pytest!.difference).toBeCloseTo(-0.7, 10);
    expect(pytest!.pValue).toBeLessThan(1e-6);
    expect(ruff).toMatchObject({ userRate: 1, globalRate: 0.5, significant: true });
    expect(gitCommit).toMatchObject({ userInvocations: 3, userCompleted: 2, globalRate: 0.8, significant: false });
    expect(solo).toMatchObject({ globalRate: null, difference: null, pValue: 1, communityInvocations: 0, effectivenessPercentile: null });
  });

  it('compare prints a table with a summary line; a stricter --alpha keeps the clear verdicts', async () => {
    const result = await runMain(['compare', 'ann', '--db', db]);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe('ann against everyone else (exact binomial test, α = 0.05):');
    expect(result.stdout).toMatch(/│ pytest-run\s+│\s+40 │\s+8 │\s+20\.0 │\s+90\.0 │\s+-70\.0 │ [\d.e-]+ │ below\s+│/);
    expect(result.stdout).toContain('1 above, 1 below, 2 indistinguishable from the community.');
    const strict = await json<{ verdict: string }[]>(['compare', 'ann', '--db', db, '--alpha', '0.001', '--json']);
    expect(strict.map((c) => c.verdict)).toEqual(['indistinguishable', 'below', 'above', 'indistinguishable']);
    expect((await runMain(['compare', 'nobody', '--db', db])).stdout).toBe('nobody has no recorded interactions to compare.\n');
  });
});

describe('the pseudonym secret and store access', () => {
  const dir = tempDir();

  it('creates no key file for a store a read command refuses, nor for skills migrate', async () => {
    const missing = join(dir, 'missing.db');
    expect((await runMain(['recommend', 'ann', '--db', missing])).stderr).toBe(
      `skills: no store at ${missing} (create one with: skills init --db ${missing})\n`,
    );
    expect(existsSync(`${missing}.secret`)).toBe(false);
    const migrated = join(dir, 'migrated.db');
    expect((await runMain(['migrate', 'up', '--db', migrated])).code).toBe(0);
    expect((await runMain(['migrate', 'status', '--db', migrated])).code).toBe(0);
    expect(existsSync(`${migrated}.secret`)).toBe(false);
    // The first command that opens it normally makes the key file and the pseudonymised tables.
    expect(await json<unknown[]>(['baselines', '--db', migrated, '--json'])).toEqual([]);
    expect(statSync(`${migrated}.secret`).mode & 0o777).toBe(0o600);
  });

  it(':memory: stores get a secret of their own', async () => {
    expect(await json<unknown[]>(['baselines', '--db', ':memory:', '--json'])).toEqual([]);
    expect(existsSync(':memory:.secret')).toBe(false);
  });

  it("storage's userPseudonymSecret messages point at SKILLS_PSEUDONYM_SECRET", () => {
    const described = describeError(
      new UserPseudonymSecretError(
        'required',
        'this store keeps pseudonymised user interactions: open it with the same userPseudonymSecret to record invocations',
      ),
    );
    expect(described).toEqual({
      message:
        'this store keeps pseudonymised user interactions: open it with the same user-pseudonym secret to record invocations: set SKILLS_PSEUDONYM_SECRET (the same value every time for this store)',
      exitCode: 1,
      expected: true,
    });
  });
});
