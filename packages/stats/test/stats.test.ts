/**
 * The functions the A/B tests, CUPED, the trend fit and the PRNG users need, against SciPy.
 * Reference values: `/usr/bin/python3 test/reference/stats_reference.py > test/reference/stats-values.json`
 * run from packages/stats (Python 3.11.2, NumPy 1.24.2, SciPy 1.10.1; `python3 -c 'import scipy;
 * print(scipy.__version__)'` prints 1.10.1); the script names the scipy call behind each value.
 */
import { describe, expect, it } from 'vitest';
import {
  betaCdf,
  binomialTwoSidedPValue,
  chiSquareSurvival,
  incompleteGamma,
  leastSquares,
  logBeta,
  normalCdf,
  normalLogCdf,
  normalTwoSidedP,
  sampleIndexes,
  seededRandom,
  studentTCdf,
  studentTQuantile,
  studentTTwoSidedP,
} from '../src/index.js';
import { expectClose } from './close-to.js';

describe('normal and Student t (scipy.stats.norm, scipy.stats.t)', () => {
  it('normalTwoSidedP matches 2·norm.sf(|z|), far into the tail', () => {
    const cases: [number, number][] = [
      [0, 1.0],
      [0.3, 0.7641771556220948],
      [1.959963984540054, 0.05],
      [-2.5, 0.012419330651552265],
      [6, 1.973175290075389e-9],
      [-12, 3.552964224155306e-33],
      [30, 9.813427854295816e-198],
    ];
    for (const [z, p] of cases) expectClose(normalTwoSidedP(z), p, 1e-10);
    expect(normalTwoSidedP(Number.NaN)).toBe(1);
    expect(normalTwoSidedP(Number.NEGATIVE_INFINITY)).toBe(0);
  });

  it('normalCdf and normalLogCdf match special.ndtr and log_ndtr either side of each range of the approximation', () => {
    // [z, Φ(z), ln Φ(z)]; ndtr underflows to 0 at −38.4, where ln Φ is still finite.
    const cases: [number, number, number][] = [
      [-0.6744897, 0.2500000159511391, -1.3862942973153363],
      [0.6744898, 0.7500000158265182, -0.2876820513497569],
      [-0.67449, 0.24999992061817367, -1.3862946786472463],
      [0.6745, 0.7500032571363009, -0.2876777296128099],
      [-5.6568542, 7.708631172102675e-9, -18.68092520441943],
      [5.6568543, 0.9999999922913733, -7.708626712310239e-9],
      [-5.657, 7.7020881721776e-9, -18.68177435366056],
      [5.657, 0.9999999922979118, -7.70208820183868e-9],
      [-20, 2.7536241186061556e-89, -203.9171553710973],
      [12, 1.0, -1.7764821120776534e-33],
      [-37.5, 4.605353009581954e-308, -707.6689893175072],
      [-38.4, 0.0, -741.8476730152483],
      [1e-12, 0.5000000000003989, -0.6931471805591474],
      [-1000.0, 0.0, -500007.8266948122],
      [-1e8, 0.0, -5000000000000020.0],
    ];
    for (const [z, cdf, logCdf] of cases) {
      expectClose(normalLogCdf(z), logCdf, 1e-12);
      if (cdf > 0) expectClose(normalCdf(z), cdf, 1e-12);
    }
    expect(normalCdf(Number.NEGATIVE_INFINITY)).toBe(0);
    expect(normalLogCdf(Number.POSITIVE_INFINITY)).toBe(0);
    expect(normalCdf(Number.NaN)).toBeNaN();
  });

  it('studentTCdf matches t.cdf, with fractional degrees of freedom', () => {
    const cases: [number, number, number][] = [
      [-1.5, 7, 0.08864924349498501],
      [0.3, 2.5, 0.6063288142524015],
      [2.2, 12, 0.9759315932774887],
      [-8, 3, 0.0020382887938927333],
      [6, 30, 0.9999993028615616],
      [0, 5, 0.5],
      [-25, 4.5, 2.6511241209858876e-6],
    ];
    for (const [t, df, p] of cases) expectClose(studentTCdf(t, df), p, 1e-10);
  });

  it('studentTQuantile matches t.ppf, from the centre to the far tail', () => {
    const cases: [number, number, number][] = [
      [0.975, 10, 2.2281388519649385],
      [0.025, 3, -3.1824463052842638],
      [0.9, 1, 3.0776835372078066],
      [0.999, 2, 22.32712476997542],
      [0.6, 4.5, 0.2687518355416629],
      [1e-10, 5, -156.8255928081382],
      [0.975, 61.57364256, 1.9992468898273847],
      [0.95, 1000, 1.6463788172854639],
      [0.975, 8, 2.3060041350333704],
      [0.5000001, 7, 2.597460274290387e-7],
      [1e-6, 1.5, -5219.469324709013],
      [0.99, 3.3, 4.226609156701623],
    ];
    // scipy's t.ppf (stdtrit) is itself good to about 9 digits: t.cdf(1.9992468898273847,
    // 61.57364256) = 0.9749999999533722, while t.cdf of this function's 1.9992468906670067 is
    // 0.9750000000000002; at p = 1e-10, t.cdf(-156.8255928081382, 5) = 9.99999996836403e-11 and
    // t.cdf(-156.8255927088944, 5) (this function's) = 9.999999999999984e-11. Near p = ½ the
    // answer is only as exact as 1 − p is in a double. So: 1e-9 against t.ppf (1e-8 for those
    // two), and 1e-12 on the round trip through studentTCdf (checked against t.cdf above).
    for (const [p, df, t] of cases) expectClose(studentTQuantile(p, df), t, p === 0.5000001 || p === 1e-10 ? 1e-8 : 1e-9);
    for (const [p, df] of cases) expectClose(studentTCdf(studentTQuantile(p, df), df), p, 1e-12);
    expect(studentTQuantile(0.5, 3)).toBe(0);
    expect(studentTQuantile(0, 3)).toBe(Number.NEGATIVE_INFINITY);
    expect(studentTQuantile(1, 3)).toBe(Number.POSITIVE_INFINITY);
    expect(studentTQuantile(0.5, 0)).toBeNaN();
  });

  it('studentTTwoSidedP treats a NaN statistic as no evidence and an infinite one as certain', () => {
    expect(studentTTwoSidedP(Number.NaN, 4)).toBe(1);
    expect(studentTTwoSidedP(Number.POSITIVE_INFINITY, 4)).toBe(0);
    expect(studentTTwoSidedP(1, 0)).toBeNaN();
    expectClose(studentTTwoSidedP(0, 9), 1);
  });
});

describe('chi-square, beta, gamma and the exact binomial test (scipy.stats, scipy.special)', () => {
  it('chiSquareSurvival matches chi2.sf, keeping tails below 1e-16', () => {
    const cases: [number, number, number][] = [
      [10, 3, 0.01856613546304325],
      [0.5, 1, 0.47950012218695337],
      [120, 2, 8.756510762696494e-27],
      [30, 40, 0.8752187849674751],
      [5, 5, 0.4158801869955079],
      [0.01, 4, 0.9999875415886458],
      [400, 10, 9.413291991183437e-80],
    ];
    for (const [x, df, p] of cases) expectClose(chiSquareSurvival(x, df), p, 1e-10);
    expect(chiSquareSurvival(0, 3)).toBe(1);
  });

  it('betaCdf matches beta.cdf and logBeta matches betaln', () => {
    const cdf: [number, number, number, number][] = [
      [0.3, 2, 5, 0.5798250000000003],
      [0.9, 0.5, 0.5, 0.7951672353008665],
      [0.1, 120, 880, 0.02142747523309308],
      [0.5, 30, 30, 0.5],
      [0.999, 3, 0.2, 0.6685414839010846],
    ];
    for (const [x, a, b, p] of cdf) expectClose(betaCdf(x, a, b), p, 1e-10);
    const ln: [number, number, number][] = [
      [0.5, 0.5, 1.1447298858494],
      [3, 4, -4.0943445622221],
      [150.5, 850.5, -425.24443704226996],
      [1e-3, 2, 6.906755778649053],
      [1e5, 2.5, -28.497649541823193],
    ];
    for (const [a, b, expected] of ln) expectClose(logBeta(a, b), expected, 1e-12);
  });

  it('incompleteGamma matches gammainc', () => {
    const cases: [number, number, number][] = [
      [1.5, 2, 0.7385358700508888],
      [0.1, 0.01, 0.6626212599544796],
      [30, 28, 0.3773896943143977],
      [3, 40, 0.9999999999999964],
    ];
    for (const [a, x, p] of cases) expectClose(incompleteGamma(a, x), p, 1e-10);
  });

  it('binomialTwoSidedPValue matches binomtest(k, n, p).pvalue', () => {
    const cases: [number, number, number, number][] = [
      [2, 3, 0.8, 0.4879999999999999],
      [7, 20, 0.95, 6.7859138762677e-13],
      [50, 100, 0.5, 1.0],
      [0, 10, 0.1, 0.6125795109999999],
      [13, 40, 0.2, 0.07170371683606827],
    ];
    for (const [k, n, p, expected] of cases) expectClose(binomialTwoSidedPValue(k, n, p), expected, 1e-10);
  });
});

describe('leastSquares (scipy.stats.linregress, numpy.polyfit)', () => {
  const x = [0.0, 1.5, 2.0, 3.25, 4.0, 7.0, 9.5];
  const y = [1.0, 2.9, 3.1, 5.2, 4.8, 9.9, 13.0];

  it('gives linregress slope and intercept and the centred sums', () => {
    const fit = leastSquares(x, y);
    expectClose(fit.slope, 1.2749661705006765, 1e-12);
    expectClose(fit.intercept, 0.7367388362652241, 1e-12);
    expectClose(fit.sxx, 65.98214285714286, 1e-12);
    expectClose(fit.syy, 108.68, 1e-12);
    expectClose(fit.sxy, 84.125, 1e-12);
    expect(fit.n).toBe(7);
  });

  it('weights the fit like polyfit(x, y, 1, w=sqrt(w))', () => {
    const fit = leastSquares(x, y, [1.0, 2.0, 0.5, 1.0, 3.0, 0.25, 1.5]);
    expectClose(fit.slope, 1.25861124884127, 1e-12);
    expectClose(fit.intercept, 0.6009679436048923, 1e-12);
    expectClose(fit.meanX, 3.810810810810811, 1e-12);
    expectClose(fit.meanY, 5.397297297297297, 1e-12);
  });

  it('gives slope 0 when x does not vary', () => {
    const fit = leastSquares([2, 2, 2], [1, 5, 3]);
    expect(fit.slope).toBe(0);
    expect(fit.intercept).toBe(3);
  });
});

describe('seededRandom (mulberry32, as written out in Python in stats_reference.py)', () => {
  it('gives the same sequence as the reference', () => {
    const random = seededRandom(42);
    const expected = [0.6011037519201636, 0.44829055899754167, 0.8524657934904099, 0.6697340414393693, 0.17481389874592423];
    for (const value of expected) expect(random()).toBe(value);
    // Seeds are taken modulo 2³².
    const wrapped = seededRandom(2 ** 32 + 7);
    for (const value of [0.011704753153026104, 0.06195825757458806, 0.97690763277933]) expect(wrapped()).toBe(value);
  });

  it('sampleIndexes draws k distinct indexes', () => {
    const picked = sampleIndexes(50, 20, seededRandom(3));
    expect(picked).toHaveLength(20);
    expect(new Set(picked).size).toBe(20);
    expect([...picked].every((i) => i >= 0 && i < 50)).toBe(true);
    expect(sampleIndexes(5, 9, seededRandom(3))).toHaveLength(5);
  });
});
