import { studentTQuantile, studentTTwoSidedP } from '@skills/stats';
import type { Interval } from './proportions.js';
import type { SampleSummary } from './summary.js';
import { checkSummary } from './summary.js';
import { checkProbability } from './checks.js';

export interface WelchResult {
  /** treatment mean − control mean */
  difference: number;
  statistic: number;
  degreesOfFreedom: number;
  pValue: number;
  differenceInterval: Interval;
}

/**
 * Welch's unequal-variance t-test of treatment against control, from summaries
 * (the same as scipy's `ttest_ind(treatment, control, equal_var=False)`).
 * @example welchTTest({ n: 5, mean: 3, variance: 2.5 }, { n: 5, mean: 5, variance: 2.5 }).pValue // 0.08052
 */
export function welchTTest(control: SampleSummary, treatment: SampleSummary, confidence = 0.95): WelchResult {
  checkSummary('control', control);
  checkSummary('treatment', treatment);
  checkProbability('confidence', confidence, { open: true });
  const vc = control.variance / control.n;
  const vt = treatment.variance / treatment.n;
  const se = Math.sqrt(vc + vt);
  const difference = treatment.mean - control.mean;
  if (control.n < 2 || treatment.n < 2) {
    return {
      difference,
      statistic: 0,
      degreesOfFreedom: Number.NaN,
      pValue: 1,
      differenceInterval: { lower: Number.NaN, upper: Number.NaN },
    };
  }
  if (!(se > 0)) {
    // Both groups without variance: the difference is known exactly (as meanDifferenceZTest and
    // the sequential test say), so fixed and sequential analyses agree.
    const certain = difference !== 0;
    return {
      difference,
      statistic: certain ? Math.sign(difference) * Number.POSITIVE_INFINITY : 0,
      degreesOfFreedom: control.n + treatment.n - 2,
      pValue: certain ? 0 : 1,
      differenceInterval: { lower: difference, upper: difference },
    };
  }
  // Welch–Satterthwaite degrees of freedom.
  const df = (vc + vt) ** 2 / (vc ** 2 / (control.n - 1) + vt ** 2 / (treatment.n - 1));
  const statistic = difference / se;
  const t = studentTQuantile(1 - (1 - confidence) / 2, df);
  return {
    difference,
    statistic,
    degreesOfFreedom: df,
    pValue: studentTTwoSidedP(statistic, df),
    differenceInterval: { lower: difference - t * se, upper: difference + t * se },
  };
}
