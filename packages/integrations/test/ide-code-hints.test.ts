import { describe, expect, it } from 'vitest';
import { rankForIde, suggestFromCode, type SkillHistory } from '../src/index.js';

const PYTHON = [
  'import os', //                                                        1
  'from typing import Optional', //                                      2
  'import subprocess', //                                                3
  '', //                                                                 4
  'def load(path: str) -> Optional[str]:', //                            5
  '    return subprocess.run(["cat", path]).stdout', //                  6
  '', //                                                                 7
  'class TestLoad:', //                                                  8
  '    def test_reads(self):', //                                        9
  '        rows = db.execute("SELECT id, name FROM users WHERE id = ?", (1,))', // 10
  '        assert eval("1 + 1") == 2', //                                11
].join('\n');

const TYPESCRIPT = [
  "import { describe, it, expect } from 'vitest';",
  "import { execSync } from 'node:child_process';",
  '',
  'interface Row { id: number }',
  '',
  "describe('rows', () => {",
  "  it('reads', () => {",
  "    const rows: Row[] = query('SELECT * FROM users');",
  '    expect(rows).toEqual([]);',
  '  });',
  '});',
].join('\n');

describe('suggestFromCode', () => {
  it('reads every Python rule, one hint per skill with every reason, sorted by confidence, the cursor line boosted', () => {
    expect(suggestFromCode(PYTHON, 'python', { line: 9, cursor: 4 })).toEqual([
      { skill_name: 'pytest-run', confidence: 0.95, reasons: ["test code at line 9 (the cursor's line): def test_reads(self):"] },
      {
        skill_name: 'bandit-security',
        confidence: 0.85,
        reasons: ['code execution (eval/exec/subprocess) at line 6: return subprocess.run(["cat", path]).stdout'],
      },
      {
        skill_name: 'sql-lint',
        confidence: 0.7,
        reasons: [
          'SQL at line 10: rows = db.execute("SELECT id, name FROM users WHERE id = ?",…',
          'a database cursor call at line 10: rows = db.execute("SELECT id, name FROM users WHERE id = ?",…',
        ],
      },
      { skill_name: 'mypy-check', confidence: 0.6, reasons: ['type annotations at line 5: def load(path: str) -> Optional[str]:'] },
      { skill_name: 'ruff-check', confidence: 0.5, reasons: ['imports at line 1: import os'] },
    ]);
  });

  it('takes the test class without a cursor and gives no boost', () => {
    expect(suggestFromCode('class TestParser:\n    pass\n', 'python')).toEqual([
      { skill_name: 'pytest-run', confidence: 0.9, reasons: ['test code at line 1: class TestParser:'] },
    ]);
  });

  it('reads TypeScript: describe/it with a vitest import → vitest, child_process → security scan, SQL, interface → tsc, imports → eslint', () => {
    expect(suggestFromCode(TYPESCRIPT, 'typescript', { line: 7 })).toEqual([
      { skill_name: 'vitest', confidence: 0.95, reasons: ["test code at line 7 (the cursor's line): it('reads', () => {"] },
      {
        skill_name: 'security-scan',
        confidence: 0.85,
        reasons: ["code execution (eval/exec/subprocess) at line 2: import { execSync } from 'node:child_process';"],
      },
      { skill_name: 'sql-lint', confidence: 0.7, reasons: ["SQL at line 8: const rows: Row[] = query('SELECT * FROM users');"] },
      { skill_name: 'tsc-typecheck', confidence: 0.6, reasons: ['type annotations at line 4: interface Row { id: number }'] },
      { skill_name: 'eslint', confidence: 0.5, reasons: ["imports at line 1: import { describe, it, expect } from 'vitest';"] },
    ]);
  });

  it('gives JavaScript tests to Jest unless the file uses Vitest, and eval to the security scan', () => {
    expect(suggestFromCode("test('adds', () => {\n  expect(eval('1+1')).toBe(2);\n});", 'javascript')).toEqual([
      { skill_name: 'jest', confidence: 0.9, reasons: ["test code at line 1: test('adds', () => {"] },
      {
        skill_name: 'security-scan',
        confidence: 0.85,
        reasons: ["code execution (eval/exec/subprocess) at line 2: expect(eval('1+1')).toBe(2);"],
      },
    ]);
    expect(suggestFromCode("import { vi } from 'vitest';\nit('mocks', () => {});", 'javascript').map((h) => h.skill_name)).toEqual([
      'vitest',
      'eslint',
    ]);
  });

  it('suggests nothing for plain code', () => {
    expect(suggestFromCode('x = 1\nprint(x)\n', 'python')).toEqual([]);
    expect(suggestFromCode('const total = a + b;', 'typescript')).toEqual([]);
  });
});

describe('rankForIde', () => {
  const history: SkillHistory[] = [
    {
      skill_name: 'pytest-run',
      total_invocations: 98,
      completed_invocations: 88,
      avg_duration_seconds: 4.5,
      workflow_phases: { execution: 98 },
    },
    {
      skill_name: 'ruff-check',
      total_invocations: 8,
      completed_invocations: 8,
      avg_duration_seconds: 0.4,
      workflow_phases: { verification: 8 },
    },
    {
      skill_name: 'code-review',
      total_invocations: 10,
      completed_invocations: 5,
      avg_duration_seconds: 30,
      workflow_phases: { verification: 10 },
    },
  ];

  it('merges code hints with history: score, source, reasons, duration and shortcut', () => {
    const hints = suggestFromCode('import os\ndef test_a():\n    pass', 'python', { line: 2 });
    const ranked = rankForIde({ hints, history, query: 'run the tests', phase: 'execution', limit: 5 });
    // pytest-run: 0.5·0.95 + 0.2·(1/2: "run") + 0.15·(89/100) + 0.1·1 + 0.05·1
    expect(ranked[0]).toEqual({
      skill_name: 'pytest-run',
      rank: 1,
      score: 0.8585,
      confidence: 0.95,
      source: 'both',
      reasons: [
        "test code at line 2 (the cursor's line): def test_a():",
        'matches "run" in the query',
        'completes 90% of 98 past runs',
        '100% of its runs in execution',
      ],
      description: 'Run the Python tests with pytest',
      estimated_duration_seconds: 4.5,
      runs: 98,
      completion_rate: 88 / 98,
      keyboard_shortcut: 'Ctrl+Shift+T',
    });
    // ruff-check: 0.5·0.5 + 0.15·(9/10) + 0.05·ln 9/ln 99 — code-review: 0.15·(6/12) + 0.05·ln 11/ln 99.
    expect(ranked.slice(1).map((r) => [r.skill_name, r.rank, r.score, r.source])).toEqual([
      ['ruff-check', 2, 0.4089, 'both'],
      ['code-review', 3, 0.1011, 'history'],
    ]);
  });

  it('keeps a code hint never run: no duration, no rate, source code; limit cuts the tail', () => {
    const ranked = rankForIde({
      hints: [{ skill_name: 'mypy-check', confidence: 0.6, reasons: ['type annotations at line 1: x: int = 1'] }],
      history: [],
      limit: 1,
    });
    expect(ranked).toEqual([
      {
        skill_name: 'mypy-check',
        rank: 1,
        score: 0.375,
        confidence: 0.6,
        source: 'code',
        reasons: ['type annotations at line 1: x: int = 1'],
        description: 'Type-check the Python type annotations with mypy',
        estimated_duration_seconds: null,
        runs: 0,
        completion_rate: null,
        keyboard_shortcut: 'Ctrl+Shift+Y',
      },
    ]);
  });
});
