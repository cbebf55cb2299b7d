import { logBeta } from '@skills/stats';
import { fail } from './checks.js';

export interface BetaPosterior {
  alpha: number;
  beta: number;
}

export interface BayesianComparison {
  /** P(θ_treatment > θ_control | data). */
  chanceToBeatControl: number;
  /** E[max(θ_control − θ_treatment, 0)]: what shipping treatment costs if it is in fact worse. */
  expectedLossTreatment: number;
  /** E[max(θ_treatment − θ_control, 0)]: what keeping control costs if treatment is in fact better. */
  expectedLossControl: number;
}

/** Beta(1 + successes, 1 + failures): a uniform prior updated by binomial data. */
export function betaPosterior(successes: number, trials: number, prior: BetaPosterior = { alpha: 1, beta: 1 }): BetaPosterior {
  if (!(Number.isFinite(trials) && trials >= 0)) fail('trials', `must be a finite number ≥ 0 (got ${trials})`);
  if (!(Number.isFinite(successes) && successes >= 0 && successes <= trials))
    fail('successes', `must be between 0 and ${trials} (got ${successes})`);
  if (!(prior.alpha > 0 && prior.beta > 0 && Number.isFinite(prior.alpha) && Number.isFinite(prior.beta)))
    fail('prior', 'alpha and beta must be finite and > 0');
  return { alpha: prior.alpha + successes, beta: prior.beta + trials - successes };
}

const GRID = 4000;

/**
 * Chance to beat control and expected losses for two Beta posteriors, by integrating on a grid
 * that covers both densities (±12 standard deviations): P(T > C) = ∫ f_T(x)·F_C(x) dx and
 * E[max(C − T, 0)] = ∫ f_T(x)·∫_x^1 (c − x) f_C(c) dc dx, with F_C and the partial expectation
 * accumulated on the same grid (the densities use @skills/stats' ln B).
 * @example compareBetaPosteriors(betaPosterior(120, 1000), betaPosterior(150, 1000)).chanceToBeatControl // 0.9751
 */
export function compareBetaPosteriors(control: BetaPosterior, treatment: BetaPosterior): BayesianComparison {
  const sd = (p: BetaPosterior) => Math.sqrt((p.alpha * p.beta) / ((p.alpha + p.beta) ** 2 * (p.alpha + p.beta + 1)));
  const mean = (p: BetaPosterior) => p.alpha / (p.alpha + p.beta);
  const spread = 12 * Math.max(sd(control), sd(treatment));
  const lo = Math.max(0, Math.min(mean(control), mean(treatment)) - spread);
  const hi = Math.min(1, Math.max(mean(control), mean(treatment)) + spread);
  const h = (hi - lo) / GRID;
  const fc = density(control, lo, h);
  const ft = density(treatment, lo, h);

  // Trapezoid accumulation of F_C(x) = ∫_lo^x f_C and M_C(x) = ∫_lo^x c·f_C(c) dc.
  const cdfC = new Float64Array(GRID + 1);
  const firstMomentC = new Float64Array(GRID + 1);
  for (let i = 1; i <= GRID; i++) {
    const x0 = lo + (i - 1) * h;
    const x1 = lo + i * h;
    cdfC[i] = cdfC[i - 1]! + (h * (fc[i - 1]! + fc[i]!)) / 2;
    firstMomentC[i] = firstMomentC[i - 1]! + (h * (x0 * fc[i - 1]! + x1 * fc[i]!)) / 2;
  }
  const totalC = cdfC[GRID]!;
  const meanC = firstMomentC[GRID]! / totalC;

  let win = 0;
  let lossT = 0;
  let lossC = 0;
  let totalT = 0;
  for (let i = 0; i <= GRID; i++) {
    const x = lo + i * h;
    const w = (i === 0 || i === GRID ? 0.5 : 1) * h * ft[i]!;
    const below = cdfC[i]! / totalC;
    const momentBelow = firstMomentC[i]! / totalC;
    totalT += w;
    win += w * below;
    // E[max(C − x, 0)] = (mean_C − M_C(x)) − x·(1 − F_C(x)); E[max(x − C, 0)] = x·F_C(x) − M_C(x).
    lossT += w * (meanC - momentBelow - x * (1 - below));
    lossC += w * (x * below - momentBelow);
  }
  return {
    chanceToBeatControl: clamp01(win / totalT),
    expectedLossTreatment: Math.max(0, lossT / totalT),
    expectedLossControl: Math.max(0, lossC / totalT),
  };
}

function density(p: BetaPosterior, lo: number, h: number): Float64Array {
  const out = new Float64Array(GRID + 1);
  const lnB = logBeta(p.alpha, p.beta);
  for (let i = 0; i <= GRID; i++) {
    const x = lo + i * h;
    if (x <= 0 || x >= 1) {
      out[i] = (x <= 0 && p.alpha === 1) || (x >= 1 && p.beta === 1) ? Math.exp(-lnB) : 0;
      continue;
    }
    out[i] = Math.exp((p.alpha - 1) * Math.log(x) + (p.beta - 1) * Math.log1p(-x) - lnB);
  }
  return out;
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));
