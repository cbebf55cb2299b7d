import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createProgram, main, type CliIo } from '@skills/cli';
import { resolveServerConfig, SERVER_OPTIONS } from '@skills/server';
import { afterAll, describe, expect, it } from 'vitest';
import { readDoc, ROOT } from './workspace.js';

type Command = ReturnType<typeof createProgram>;

/** One markdown table row's cells, `\|` unescaped, outer spaces trimmed. */
function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\||\|$/g, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim().replace(/\\\|/g, '|'));
}

/** The page as sections: `## title` or `### title` → the rows of the tables under it (header row dropped). */
function sections(markdown: string): Map<string, string[][]> {
  const found = new Map<string, string[][]>();
  let current = '';
  let inTable = false;
  for (const line of markdown.split('\n')) {
    const heading = /^(##|###) (.+)$/.exec(line);
    if (heading) {
      current = heading[2]!;
      if (found.has(current)) throw new Error(`configuration.md: the heading "${current}" appears twice`);
      found.set(current, []);
      inTable = false;
      continue;
    }
    if (!line.startsWith('|')) {
      inTable = false;
      continue;
    }
    if (!inTable) {
      inTable = true; // the header row
      continue;
    }
    if (/^\|[\s|:-]+\|$/.test(line)) continue; // the separator row
    found.get(current)?.push(cells(line));
  }
  return found;
}

const doc = sections(readDoc('configuration.md'));
const code = (text: string) => `\`${text}\``;

function silentIo(env: Record<string, string | undefined> = {}): CliIo & { out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk) => (out += String(chunk)));
  stderr.on('data', (chunk) => (err += String(chunk)));
  return { stdout, stderr, stdin: new PassThrough(), env, isTTY: false, out: () => out, err: () => err };
}

/** Every command of the `skills` program that runs something (groups such as `skills migrate` only hold others). */
function cliCommands(): { heading: string; command: Command }[] {
  const found: { heading: string; command: Command }[] = [];
  const walk = (command: Command, path: string[]) => {
    const full = [...path, command.name()];
    const args = command.registeredArguments.map(
      (a) => `${a.required ? '<' : '['}${a.name()}${a.variadic ? '...' : ''}${a.required ? '>' : ']'}`,
    );
    const group = command.commands.length > 0 && command.options.length === 0 && args.length === 0;
    if (path.length > 0 && !group) found.push({ heading: code([full.join(' '), ...args].join(' ')), command });
    for (const sub of command.commands) walk(sub as Command, full);
  };
  walk(createProgram(silentIo()), []);
  return found;
}

/** How the page writes an option's default: the value in backticks, or a dash when commander has none. */
function defaultCell(value: unknown): string {
  return value === undefined || (Array.isArray(value) && value.length === 0) ? '—' : code(String(value));
}

/** Every TypeScript file under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

const withoutComments = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');

/** Environment variables named in the apps' sources: `SKILLS_*` anywhere, and `env.NAME` / `env['NAME']` reads. */
function variablesInApps(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const apps = readdirSync(join(ROOT, 'apps')).filter((app) => {
    try {
      return readdirSync(join(ROOT, 'apps', app, 'src')).length > 0;
    } catch {
      return false;
    }
  });
  for (const app of apps) {
    for (const file of sources(join(ROOT, 'apps', app, 'src'))) {
      const text = readFileSync(file, 'utf8');
      const names = [
        ...[...text.matchAll(/\bSKILLS_[A-Z0-9_]+\b/g)].map((m) => m[0]),
        ...[...withoutComments(text).matchAll(/\benv\.([A-Z_][A-Z0-9_]*)\b/g)].map((m) => m[1]!),
        ...[...withoutComments(text).matchAll(/\benv\[\s*['"]([A-Z_][A-Z0-9_]*)['"]\s*\]/g)].map((m) => m[1]!),
      ];
      for (const name of names) found.set(name, [...new Set([...(found.get(name) ?? []), file.slice(ROOT.length + 1)])]);
    }
  }
  return found;
}

/** An environment that records every variable read from it. */
function recordingEnv(values: Record<string, string> = {}): { env: Record<string, string | undefined>; read: Set<string> } {
  const read = new Set<string>();
  const env = new Proxy(values as Record<string, string | undefined>, {
    get(target, key) {
      if (typeof key === 'string') read.add(key);
      return target[key as string];
    },
    has(target, key) {
      if (typeof key === 'string') read.add(key);
      return key in target;
    },
  });
  return { env, read };
}

describe('docs/configuration.md', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'skills-docs-config-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('lists every server setting with its flag, variable and default, in the order of SERVER_OPTIONS', () => {
    const rows = doc.get('The server: `skills-server` and `skills serve`');
    expect(rows).toBeDefined();
    expect(rows!.map((row) => row.slice(0, 3))).toEqual(SERVER_OPTIONS.map((o) => [code(o.flag), code(o.env), code(o.defaultText)]));
  });

  it('lists the global options of skills', () => {
    const program = createProgram(silentIo());
    expect(doc.get('The CLI: `skills`')!.map((row) => row.slice(0, 2))).toEqual(
      program.options.map((o) => [code(o.flags), defaultCell(o.defaultValue)]),
    );
  });

  it('has a section for every command of skills, with its arguments, and no section for a command that does not exist', () => {
    const headings = [...doc.keys()].filter((h) => h.startsWith('`skills '));
    expect(headings.sort()).toEqual(
      cliCommands()
        .map((c) => c.heading)
        .sort(),
    );
  });

  it("lists every option of every command with commander's default, and none that the command lacks", () => {
    const problems: string[] = [];
    for (const { heading, command } of cliCommands()) {
      const rows = doc.get(heading) ?? [];
      const documented = rows.map((row) => [row[0]!, row[1]!]);
      const options = command.options.map((o) => [code(o.flags), defaultCell(o.defaultValue)]);
      if (command.name() === 'serve') {
        // `skills serve` documents its own flag; the server's flags are listed once, above.
        const serverFlags = SERVER_OPTIONS.filter((o) => o.key !== 'db').map((o) => code(o.flag));
        const own = options.filter(([flag]) => !serverFlags.includes(flag!));
        expect(options.map(([flag]) => flag).filter((flag) => serverFlags.includes(flag!))).toEqual(serverFlags);
        if (JSON.stringify(documented) !== JSON.stringify(own))
          problems.push(`${heading}: documented ${JSON.stringify(documented)}, has ${JSON.stringify(own)}`);
        continue;
      }
      if (JSON.stringify(documented) !== JSON.stringify(options))
        problems.push(`${heading}: documented ${JSON.stringify(documented)}, has ${JSON.stringify(options)}`);
    }
    expect(problems).toEqual([]);
  });

  it('lists exactly the environment variables the apps read, each server variable with its flag and default', () => {
    const rows = doc.get('Environment variables')!;
    const documented = rows.map((row) => row[0]!);
    const inCode = variablesInApps();
    for (const option of SERVER_OPTIONS) if (!inCode.has(option.env)) inCode.set(option.env, ['SERVER_OPTIONS']);
    expect([...documented].sort()).toEqual([...inCode.keys()].map(code).sort());
    for (const option of SERVER_OPTIONS.filter((o) => o.key !== 'db')) {
      const row = rows.find((r) => r[0] === code(option.env))!;
      expect(row[2], option.env).toBe(code(option.defaultText));
      expect(row[3], option.env).toBe(`as ${code(option.flag)}: ${option.description}`);
    }
  });

  it('covers every variable the CLI and the server really read while running (recorded, not scanned)', async () => {
    const documented = new Set(doc.get('Environment variables')!.map((row) => row[0]!.replace(/`/g, '')));
    const db = join(scratch, 'skills.db');
    const claude = join(scratch, 'claude');
    mkdirSync(join(claude, 'projects'), { recursive: true });
    const seen = new Set<string>();
    for (const argv of [
      ['--db', db, 'init'],
      ['--db', db, 'top', '--json'],
      ['--db', db, 'import-claude', '--json'],
      ['--db', join(scratch, 'missing.db'), 'top'],
      ['--db', db, 'nonsense'],
    ]) {
      const { env, read } = recordingEnv({ CLAUDE_CONFIG_DIR: claude, SKILLS_DEBUG: '1' });
      const io = silentIo(env);
      const status = await main(['node', 'skills', ...argv], io);
      expect(status, `skills ${argv.join(' ')}: ${io.err()}`).toBe(
        argv.includes('nonsense') ? 2 : argv.some((a) => a.endsWith('missing.db')) ? 1 : 0,
      );
      for (const key of read) seen.add(key);
    }
    const { env, read } = recordingEnv();
    resolveServerConfig({}, env);
    for (const key of read) seen.add(key);
    expect([...seen].filter((key) => !documented.has(key))).toEqual([]);
    // What the runs above must have read, so the recording is known to work.
    expect([...seen]).toEqual(
      expect.arrayContaining([
        'SKILLS_DB_URL',
        'SKILLS_PSEUDONYM_SECRET',
        'SKILLS_DEBUG',
        'CLAUDE_CONFIG_DIR',
        'USER',
        'SKILLS_PORT',
        'SKILLS_OTLP_PORT',
      ]),
    );
  });

  it('holds the rule it states: packages never read the environment', () => {
    const readers = readdirSync(join(ROOT, 'packages'))
      .flatMap((pkg) => sources(join(ROOT, 'packages', pkg, 'src')))
      .concat(sources(join(ROOT, 'migrations', 'src')))
      .filter((file) => /\bprocess\.env\b/.test(withoutComments(readFileSync(file, 'utf8'))))
      .map((file) => file.slice(ROOT.length + 1));
    expect(readers).toEqual([]);
  });
});
