import { isRecord } from './run-events.js';

export class PhaseRulesError extends Error {
  override name = 'PhaseRulesError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/**
 * A skill's workflow phase from rules a user writes: `{ "pytest-*": "testing", "deploy": "deployment" }`
 * (a skill name, or a pattern with `*`). An exact name wins over a pattern, a longer pattern over a
 * shorter one; a skill no rule names has no phase (never guessed). Throws PhaseRulesError naming
 * the key of a rule that is not a non-empty string.
 * @example phaseRules({ 'pytest-*': 'testing' })('pytest-run') // 'testing'
 */
export function phaseRules(rules: unknown): (skill: string) => string | undefined {
  if (!isRecord(rules)) throw new PhaseRulesError('(rules)', 'expected an object of skill name or pattern → phase');
  const exact = new Map<string, string>();
  const patterns: { pattern: RegExp; length: number; phase: string }[] = [];
  for (const [key, phase] of Object.entries(rules)) {
    if (typeof phase !== 'string' || phase.trim() === '' || phase.length > 100)
      throw new PhaseRulesError(key, 'expected a phase name (a non-empty string of at most 100 characters)');
    if (!key.includes('*')) exact.set(key, phase.trim());
    else
      patterns.push({
        pattern: new RegExp(`^${key.split('*').map(escapeRegExp).join('.*')}$`),
        length: key.replace(/\*/g, '').length,
        phase: phase.trim(),
      });
  }
  patterns.sort((a, b) => b.length - a.length);
  return (skill) => exact.get(skill) ?? patterns.find((p) => p.pattern.test(skill))?.phase;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}
