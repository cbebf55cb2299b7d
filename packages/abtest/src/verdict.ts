import type { SrmResult } from './stats/srm.js';
import type { MetricComparison, Verdict, VariantVerdict } from './types.js';

export interface VerdictInput {
  srm: SrmResult;
  /** The primary metric's comparisons, one per treatment, p-values already corrected. */
  comparisons: readonly MetricComparison[];
  minSampleSize: number;
  mode: 'sequential' | 'fixed';
  power: number;
  controlName: string;
}

/**
 * The verdict rule (spelled out in the README), per treatment on the primary metric:
 * 1. SRM p < 0.001 → `invalid_srm` for every variant: assignment is broken, no number is trusted.
 * 2. Fewer than `minSampleSize` users with outcomes in control or the treatment → `keep_running`.
 * 3. Corrected p < α (the sequential p in sequential mode, the fixed-horizon p otherwise) →
 *    `treatment_wins` if the difference goes the good way, else `control_wins`.
 * 4. Sequential: the always-valid confidence sequence lies inside ±MDE → `no_difference`.
 *    Fixed: the power against the MDE has reached the planned power → `no_difference`.
 * 5. Otherwise `keep_running`.
 * The experiment's verdict: `invalid_srm` if flagged; `treatment_wins` if any treatment wins (the
 * winner is the one with the best primary difference); `keep_running` if any comparison still
 * runs; `control_wins` if any treatment lost; else `no_difference`.
 */
export function decideVerdicts(input: VerdictInput): {
  verdicts: VariantVerdict[];
  verdict: Verdict;
  winner: string | null;
  reason: string;
} {
  if (input.srm.mismatch) {
    const reason = `sample ratio mismatch: assigned ${input.srm.observed.join('/')} vs expected ${input.srm.expected.map((e) => e.toFixed(1)).join('/')} (chi-square p = ${input.srm.pValue.toExponential(2)} < 0.001); fix assignment before reading any result`;
    return {
      verdicts: input.comparisons.map((c) => ({ variant: c.variant, verdict: 'invalid_srm', reason })),
      verdict: 'invalid_srm',
      winner: null,
      reason,
    };
  }
  const verdicts = input.comparisons.map((c) => ({ variant: c.variant, ...decideOne(c, input) }));
  const winners = input.comparisons.filter((_, i) => verdicts[i]!.verdict === 'treatment_wins');
  if (winners.length > 0) {
    const best = winners.reduce((a, b) => ((b.higherIsBetter ? b.difference > a.difference : b.difference < a.difference) ? b : a));
    return { verdicts, verdict: 'treatment_wins', winner: best.variant, reason: verdicts[input.comparisons.indexOf(best)]!.reason };
  }
  const running = verdicts.find((v) => v.verdict === 'keep_running');
  if (running) return { verdicts, verdict: 'keep_running', winner: null, reason: `${running.variant}: ${running.reason}` };
  const lost = verdicts.find((v) => v.verdict === 'control_wins');
  if (lost) return { verdicts, verdict: 'control_wins', winner: input.controlName, reason: `${lost.variant}: ${lost.reason}` };
  return { verdicts, verdict: 'no_difference', winner: null, reason: verdicts.map((v) => `${v.variant}: ${v.reason}`).join('; ') };
}

function decideOne(c: MetricComparison, input: VerdictInput): { verdict: Verdict; reason: string } {
  const users = Math.min(c.controlUsers, c.treatmentUsers);
  if (users < input.minSampleSize) {
    return {
      verdict: 'keep_running',
      reason: `${users} users with outcomes in the smaller group, ${input.minSampleSize} needed before any verdict`,
    };
  }
  const p = `${input.mode === 'sequential' ? 'always-valid ' : ''}p = ${c.adjustedPValue.toPrecision(3)}`;
  if (c.significant) {
    const better = c.higherIsBetter ? c.difference > 0 : c.difference < 0;
    return {
      verdict: better ? 'treatment_wins' : 'control_wins',
      reason: `${c.metric} ${c.difference > 0 ? '+' : ''}${c.difference.toPrecision(3)} (${p} < α)`,
    };
  }
  if (input.mode === 'sequential') {
    const { lower, upper } = c.confidenceSequence;
    if (lower > -c.minDetectableEffect && upper < c.minDetectableEffect) {
      return {
        verdict: 'no_difference',
        reason: `${c.metric}: confidence sequence [${lower.toPrecision(3)}, ${upper.toPrecision(3)}] lies within ±MDE ${c.minDetectableEffect} (${p})`,
      };
    }
    return {
      verdict: 'keep_running',
      reason: `${c.metric}: not significant (${p}) and the confidence sequence [${lower.toPrecision(3)}, ${upper.toPrecision(3)}] still reaches ±MDE ${c.minDetectableEffect}`,
    };
  }
  if (c.power >= input.power) {
    return {
      verdict: 'no_difference',
      reason: `${c.metric}: not significant (${p}) with power ${c.power.toFixed(2)} against MDE ${c.minDetectableEffect}`,
    };
  }
  return {
    verdict: 'keep_running',
    reason: `${c.metric}: not significant (${p}); power ${c.power.toFixed(2)}, about ${c.additionalUsersNeeded} more users per variant needed`,
  };
}
