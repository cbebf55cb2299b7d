/**
 * The standard normal distribution: Φ, ln Φ (far into the lower tail) and Φ⁻¹, also from a
 * probability given as its logarithm, so scores of p-values below 1e-308 stay finite.
 * Checked against scipy.stats.norm in test/distributions.test.ts and test/stats.test.ts.
 */
const LN_HALF = -Math.LN2;
const LN_SQRT_2PI = 0.9189385332046728;

// W. J. Cody's rational Chebyshev approximations of the normal tail (Math. Comp. 23, 1969), with
// the splitting of exp(−y²/2) from R's pnorm that keeps full precision far out (ln Φ to 1e154).
// A rational function and one or two exps: about a quarter of the time of the incomplete-gamma
// route, which matters because the anomaly scores call ln Φ inside Newton steps.
const CODY_A = [2.2352520354606839287, 161.02823106855587881, 1067.6894854603709582, 18154.981253343561249, 0.065682337918207449113];
const CODY_B = [47.20258190468824187, 976.09855173777669322, 10260.932208618978205, 45507.789335026729956];
const CODY_C = [
  0.39894151208813466764, 8.8831497943883759412, 93.506656132177855979, 597.27027639480026226, 2494.5375852903726711, 6848.1904505362823326,
  11602.651437647350124, 9842.7148383839780218, 1.0765576773720192317e-8,
];
const CODY_D = [
  22.266688044328115691, 235.38790178262499861, 1519.377599407554805, 6485.558298266760755, 18615.571640885098091, 34900.952721145977266,
  38912.003286093271411, 19685.429676859990727,
];
const CODY_P = [
  0.21589853405795699, 0.1274011611602473639, 0.022235277870649807, 0.001421619193227893466, 2.9112874951168792e-5, 0.02307344176494017303,
];
const CODY_Q = [1.28426009614491121, 0.468238212480865118, 0.0659881378689285515, 0.00378239633202758244, 7.29751555083966205e-5];
const CENTRE_LIMIT = 0.67448975; // Φ⁻¹(¾)
const SQRT_32 = 5.656854249492381;
const ONE_OVER_SQRT_2PI = 0.3989422804014327;

/** Φ(z) − ½ for |z| ≤ CENTRE_LIMIT. */
function centralPart(z: number): number {
  const zz = z * z;
  let num = (CODY_A[4] as number) * zz;
  let den = zz;
  for (let i = 0; i < 3; i++) {
    num = (num + (CODY_A[i] as number)) * zz;
    den = (den + (CODY_B[i] as number)) * zz;
  }
  return (z * (num + (CODY_A[3] as number))) / (den + (CODY_B[3] as number));
}

/** Φ(−y)·exp(y²/2) for y > CENTRE_LIMIT: the smooth factor of the tail. */
function tailFactor(y: number): number {
  if (y <= SQRT_32) {
    let num = (CODY_C[8] as number) * y;
    let den = y;
    for (let i = 0; i < 7; i++) {
      num = (num + (CODY_C[i] as number)) * y;
      den = (den + (CODY_D[i] as number)) * y;
    }
    return (num + (CODY_C[7] as number)) / (den + (CODY_D[7] as number));
  }
  const w = 1 / (y * y);
  let num = (CODY_P[5] as number) * w;
  let den = w;
  for (let i = 0; i < 4; i++) {
    num = (num + (CODY_P[i] as number)) * w;
    den = (den + (CODY_Q[i] as number)) * w;
  }
  return (ONE_OVER_SQRT_2PI - (w * (num + (CODY_P[4] as number))) / (den + (CODY_Q[4] as number))) / y;
}

/**
 * ln Φ(−y) for y > CENTRE_LIMIT. y² is split as s² + (y − s)(y + s) with s = y rounded down to
 * 1/16, so s² is exact and exp(−y²/2) loses no digits to the rounding of y².
 */
function logLowerTail(y: number): number {
  const s = Math.trunc(y * 16) / 16;
  return -0.5 * s * s - 0.5 * (y - s) * (y + s) + Math.log(tailFactor(y));
}

/** ln Φ(z), the log of the standard normal CDF (accurate far into the lower tail). */
export function normalLogCdf(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  const y = Math.abs(z);
  if (y <= CENTRE_LIMIT) return Math.log(0.5 + centralPart(z));
  if (y === Number.POSITIVE_INFINITY) return z < 0 ? Number.NEGATIVE_INFINITY : 0;
  const tail = logLowerTail(y); // ln Φ(−|z|)
  return z < 0 ? tail : Math.log1p(-Math.exp(tail));
}

/** Φ(z). */
export function normalCdf(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  const y = Math.abs(z);
  if (y <= CENTRE_LIMIT) return 0.5 + centralPart(z);
  if (y > 38.5) return z < 0 ? 0 : 1; // Φ(−38.5) is below the smallest double
  const s = Math.trunc(y * 16) / 16;
  const tail = Math.exp(-0.5 * s * s) * Math.exp(-0.5 * (y - s) * (y + s)) * tailFactor(y);
  return z < 0 ? tail : 1 - tail;
}

// Acklam's rational approximation of the normal quantile (relative error 1.15e-9), refined below.
const A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];

function acklam(p: number): number {
  const [a0, a1, a2, a3, a4, a5] = A as [number, number, number, number, number, number];
  const [b0, b1, b2, b3, b4] = B as [number, number, number, number, number];
  const [c0, c1, c2, c3, c4, c5] = C as [number, number, number, number, number, number];
  const [d0, d1, d2, d3] = D as [number, number, number, number];
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
  }
  if (p > 1 - 0.02425) return -acklam(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q) / (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1);
}

/**
 * The z with ln Φ(z) = logP: the normal quantile of a probability given as its logarithm, so
 * tails far below 1e-308 still map to a finite z. Newton steps on ln Φ refine the first guess.
 */
export function normalQuantileFromLog(logP: number): number {
  if (Number.isNaN(logP) || logP > 0) return Number.NaN;
  if (logP === 0) return Number.POSITIVE_INFINITY;
  if (logP === Number.NEGATIVE_INFINITY) return Number.NEGATIVE_INFINITY;
  let z = logP > -700 ? acklam(Math.exp(logP)) : -Math.sqrt(-2 * logP);
  if (!Number.isFinite(z)) z = logP < LN_HALF ? -Math.sqrt(-2 * logP) : 8;
  for (let i = 0; i < 50; i++) {
    const logCdf = normalLogCdf(z);
    // d/dz ln Φ(z) = φ(z)/Φ(z), computed in logs.
    const slope = Math.exp(-LN_SQRT_2PI - (z * z) / 2 - logCdf);
    const step = (logCdf - logP) / slope;
    if (!Number.isFinite(step)) break;
    z -= step;
    if (Math.abs(step) <= 1e-13 * Math.max(1, Math.abs(z))) break;
  }
  return z;
}

/** The standard normal quantile Φ⁻¹(p). */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) return Number.NaN;
  return normalQuantileFromLog(Math.log(p));
}

/**
 * Two-sided p-value 2·Φ(−|z|) of a z statistic; 1 for NaN (no evidence), 0 for ±∞.
 * @example normalTwoSidedP(1.959963984540054) // 0.05 (scipy: 2 * norm.sf(1.959963984540054))
 */
export function normalTwoSidedP(z: number): number {
  if (!Number.isFinite(z)) return Number.isNaN(z) ? 1 : 0;
  // 2·Φ(−|z|) keeps precision in the far tail, where 1 − Φ(|z|) would round to 0.
  return Math.min(1, 2 * normalCdf(-Math.abs(z)));
}
