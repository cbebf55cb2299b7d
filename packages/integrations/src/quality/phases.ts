/**
 * Crackerjack's phases and the workflow phases they map to (the original's PHASE_MAPPING), with
 * the tools each phase usually runs (its PHASE_TOOLS). The original stored the mapped phase in
 * `workflow_path`; here it goes into `workflow_phase`, and the Crackerjack phase itself into
 * `workflow_step_id`.
 */
export const QUALITY_PHASES = ['fast_hooks', 'tests', 'comprehensive_hooks', 'ai_fix'] as const;
export type QualityPhase = (typeof QUALITY_PHASES)[number];

export const QUALITY_PHASE_WORKFLOW: Readonly<Record<QualityPhase, string>> = {
  fast_hooks: 'setup',
  tests: 'execution',
  comprehensive_hooks: 'verification',
  ai_fix: 'execution',
};

export const QUALITY_PHASE_TOOLS: Readonly<Record<QualityPhase, readonly string[]>> = {
  fast_hooks: ['ruff-format', 'ruff-check', 'codespell', 'whitespace-check'],
  tests: ['pytest-run', 'pytest-coverage', 'test-discovery'],
  comprehensive_hooks: ['mypy-check', 'pyright-check', 'zuban-check', 'bandit-security', 'complexity-check', 'skylos-deadcode'],
  ai_fix: ['refactoring-agent', 'security-agent', 'performance-agent', 'test-creation-agent'],
};

export function isQualityPhase(value: unknown): value is QualityPhase {
  return typeof value === 'string' && (QUALITY_PHASES as readonly string[]).includes(value);
}

/**
 * The phase a usual tool belongs to, or undefined for any other name.
 * @example qualityPhaseOfTool('mypy-check') // 'comprehensive_hooks'
 */
export function qualityPhaseOfTool(name: string): QualityPhase | undefined {
  return QUALITY_PHASES.find((phase) => QUALITY_PHASE_TOOLS[phase].includes(name));
}

/** The message for a phase that is none of Crackerjack's. */
export function unknownPhaseMessage(value: unknown): string {
  return `unknown crackerjack phase ${JSON.stringify(value)}: expected ${QUALITY_PHASES.map((p) => `"${p}"`).join('|')}`;
}
