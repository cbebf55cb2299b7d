import type { IdeLanguage } from './protocol.js';

/** A skill the code at the cursor suggests, before history is consulted. */
export interface CodeHint {
  skill_name: string;
  /** 0–1. */
  confidence: number;
  /** Why, one per rule that matched (e.g. `test code at line 3 (def test_)`). */
  reasons: string[];
}

export interface CodePosition {
  /** 1-based line of the cursor within the code. */
  line?: number | undefined;
  /** 0-based column of the cursor on that line. */
  cursor?: number | undefined;
}

/** What each suggested skill does and its usual keyboard shortcut in the IDE plugins (null: none bound). */
export const IDE_SKILLS: Readonly<Record<string, { description: string; shortcut: string | null }>> = {
  'pytest-run': { description: 'Run the Python tests with pytest', shortcut: 'Ctrl+Shift+T' },
  vitest: { description: 'Run the JavaScript/TypeScript tests with Vitest', shortcut: 'Ctrl+Shift+T' },
  jest: { description: 'Run the JavaScript/TypeScript tests with Jest', shortcut: 'Ctrl+Shift+T' },
  'bandit-security': {
    description: 'Scan Python code for security issues (eval/exec, subprocess, shell injection) with Bandit',
    shortcut: 'Ctrl+Shift+S',
  },
  'security-scan': {
    description: 'Scan JavaScript/TypeScript code for dangerous calls (eval, new Function, child_process)',
    shortcut: 'Ctrl+Shift+S',
  },
  'sql-lint': { description: 'Lint embedded SQL (syntax, style, injection-prone string building) with SQLFluff', shortcut: null },
  'ruff-check': { description: "Sort and lint Python imports (ruff's isort rules) and other lint", shortcut: 'Ctrl+Alt+O' },
  eslint: { description: 'Sort and lint JavaScript/TypeScript imports (eslint import/order) and other lint', shortcut: 'Ctrl+Alt+O' },
  'mypy-check': { description: 'Type-check the Python type annotations with mypy', shortcut: 'Ctrl+Shift+Y' },
  'tsc-typecheck': { description: 'Type-check with the TypeScript compiler (tsc --noEmit)', shortcut: 'Ctrl+Shift+Y' },
};

interface Rule {
  kind: string;
  /** Confidence when it matches; +0.05 when it matches on the cursor's line. */
  confidence: number;
  pattern: RegExp;
  skill: (language: IdeLanguage, code: string) => string;
}

const SQL =
  /\b(?:SELECT\s+[\w*].*?\s+FROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+(?:TABLE|INDEX|VIEW)|ALTER\s+TABLE|DROP\s+TABLE)\b/i;

/** Which test runner a JavaScript/TypeScript file uses: what it imports, else Vitest for TypeScript and Jest for JavaScript. */
function jsTestRunner(language: IdeLanguage, code: string): string {
  if (/from\s+['"]vitest['"]|\bvi\.(?:fn|mock|spyOn)\(/.test(code)) return 'vitest';
  if (/@jest\/globals|\bjest\.(?:fn|mock|spyOn)\(/.test(code)) return 'jest';
  return language === 'typescript' ? 'vitest' : 'jest';
}

const RULES: Readonly<Record<IdeLanguage, readonly Rule[]>> = {
  python: [
    { kind: 'test code', confidence: 0.9, pattern: /^\s*(?:async\s+)?def\s+test_|^\s*class\s+Test\w*/, skill: () => 'pytest-run' },
    {
      kind: 'code execution (eval/exec/subprocess)',
      confidence: 0.85,
      pattern: /\b(?:eval|exec)\s*\(|\bsubprocess\.|\bos\.system\s*\(/,
      skill: () => 'bandit-security',
    },
    { kind: 'SQL', confidence: 0.7, pattern: SQL, skill: () => 'sql-lint' },
    { kind: 'a database cursor call', confidence: 0.65, pattern: /\.execute(?:many|script)?\s*\(/, skill: () => 'sql-lint' },
    {
      kind: 'type annotations',
      confidence: 0.6,
      pattern:
        /\bdef\s+\w+\s*\([^)]*\w\s*:\s*[\w[\]., |]+|\)\s*->\s*[\w[\]., |]+\s*:|^\s*\w+\s*:\s*(?:int|str|float|bool|list|dict|set|tuple|Optional|List|Dict|Any)\b/,
      skill: () => 'mypy-check',
    },
    { kind: 'imports', confidence: 0.5, pattern: /^\s*(?:import\s+\w|from\s+[\w.]+\s+import\s)/, skill: () => 'ruff-check' },
  ],
  javascript: [
    { kind: 'test code', confidence: 0.9, pattern: /\b(?:describe|it|test)\s*\(\s*['"`]/, skill: jsTestRunner },
    {
      kind: 'code execution (eval/exec/subprocess)',
      confidence: 0.85,
      pattern: /\beval\s*\(|\bnew\s+Function\s*\(|\bexec(?:Sync)?\s*\(|\bchild_process\b|\bsubprocess\./,
      skill: () => 'security-scan',
    },
    { kind: 'SQL', confidence: 0.7, pattern: SQL, skill: () => 'sql-lint' },
    { kind: 'type annotations', confidence: 0.6, pattern: /@(?:type|param|returns?)\s*\{/, skill: () => 'tsc-typecheck' },
    { kind: 'imports', confidence: 0.5, pattern: /^\s*import\s+[\w{*'"]|\brequire\s*\(\s*['"]/, skill: () => 'eslint' },
  ],
  typescript: [
    { kind: 'test code', confidence: 0.9, pattern: /\b(?:describe|it|test)\s*\(\s*['"`]/, skill: jsTestRunner },
    {
      kind: 'code execution (eval/exec/subprocess)',
      confidence: 0.85,
      pattern: /\beval\s*\(|\bnew\s+Function\s*\(|\bexec(?:Sync)?\s*\(|\bchild_process\b|\bsubprocess\./,
      skill: () => 'security-scan',
    },
    { kind: 'SQL', confidence: 0.7, pattern: SQL, skill: () => 'sql-lint' },
    {
      kind: 'type annotations',
      confidence: 0.6,
      pattern:
        /\b(?:interface|type)\s+\w+\s*[={<]|[\w)]\s*:\s*(?:string|number|boolean|unknown|void|never|any|Promise<|Record<|readonly\s|[A-Z]\w*(?:<|\[\]|\s*[,)=;{]))|\bas\s+(?:const|[A-Z]\w*)\b/,
      skill: () => 'tsc-typecheck',
    },
    { kind: 'imports', confidence: 0.5, pattern: /^\s*import\s+[\w{*'"]|\brequire\s*\(\s*['"]/, skill: () => 'eslint' },
  ],
};

/** The boost of a rule matching on the cursor's own line. */
const AT_CURSOR = 0.05;

/**
 * Skills the code at the cursor suggests: test code → the language's test runner, eval/exec/
 * subprocess → a security scan, SQL → SQL lint, type annotations → the type checker, imports →
 * import sorting/lint. One hint per skill (its best rule's confidence, every rule's reason),
 * sorted by confidence, then name. Pure.
 * @example suggestFromCode('def test_add():\n    assert add(1, 2) == 3', 'python', { line: 1 })
 * // [{ skill_name: 'pytest-run', confidence: 0.95, reasons: ["test code at line 1 (the cursor's line): def test_add():"] }]
 */
export function suggestFromCode(code: string, language: IdeLanguage, position: CodePosition = {}): CodeHint[] {
  const lines = code.split('\n');
  const hints = new Map<string, CodeHint>();
  for (const rule of RULES[language]) {
    const found = lines.findIndex((line) => rule.pattern.test(line));
    if (found === -1) continue;
    const atCursor = position.line !== undefined && rule.pattern.test(lines[position.line - 1] ?? '');
    const line = atCursor ? position.line! : found + 1;
    const shown = lines[line - 1]!.trim();
    const confidence = round(rule.confidence + (atCursor ? AT_CURSOR : 0));
    const reason = `${rule.kind} at line ${line}${atCursor ? " (the cursor's line)" : ''}: ${shown.length > 60 ? `${shown.slice(0, 60)}…` : shown}`;
    const skill = rule.skill(language, code);
    const known = hints.get(skill);
    if (known) {
      known.confidence = Math.max(known.confidence, confidence);
      known.reasons.push(reason);
    } else {
      hints.set(skill, { skill_name: skill, confidence, reasons: [reason] });
    }
  }
  return [...hints.values()].sort((a, b) => b.confidence - a.confidence || (a.skill_name < b.skill_name ? -1 : 1));
}

const round = (x: number) => Math.round(x * 1000) / 1000;
